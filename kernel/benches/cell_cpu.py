"""Where a cell's time goes, in CPU seconds, which a loaded machine inflates far less than wall time.

For each of the cells of ``latency.py`` (trivial, define-run-draw, model check) in one kernel it
prints, as JSON lines, the medians over ``--runs`` repeats of:

- ``wall_s``: execute_request to idle;
- ``cpu_kernel_s``: the kernel process itself: evcxr, and rust-analyzer reading the cell to type its
  variables (both kernels run it in-process);
- ``cpu_compile_s``: the kernel's waited-for children: ``cargo build`` of the cell crate, rustc and
  the linker;
- ``cpu_eval_s``: the evaluation process: loading the cell's library and running it.

From /proc (utime + stime, cutime + cstime), at the clock-tick resolution (10 ms).

Usage (from the repo root):

    .venv/bin/python kernel/benches/cell_cpu.py [--kernel distsim|rust] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

import latency as bench

TICK = os.sysconf("SC_CLK_TCK")


def cpu(pid: int) -> tuple[float, float]:
    """(own, waited-for children's) CPU seconds of a process."""
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) / TICK for x in fields[11:15])
    return utime + stime, cutime + cstime


def children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        found += [int(c) for c in open(f"/proc/{pid}/task/{task}/children").read().split()]
    return found


def measure(spec: str, preamble: str, runs: int) -> None:
    km, kc = bench.start(spec)
    kc.wait_for_ready(timeout=1200)
    _, status = bench.run_cell(kc, preamble + bench.FIRST_CELL)
    assert status == "ok", f"{spec}: first cell {status}"
    for _ in range(3):  # warm-up
        bench.run_cell(kc, "1 + 1")
    kernel = bench.kernel_pid(km)
    cells = {"trivial": "1 + 1", "define_run_draw": bench.DEFINE_RUN_DRAW, "check_cell": bench.CHECK_CELL}
    for name, code in cells.items():
        bench.run_cell(kc, code)  # uncounted: the first `?` turns evcxr's error wrapper on
        rows = []
        for _ in range(runs):
            evaluation = children(kernel)
            own0, waited0 = cpu(kernel)
            eval0 = sum(cpu(p)[0] for p in evaluation)
            wall, status = bench.run_cell(kc, code)
            assert status == "ok", f"{spec}: {name} cell {status}"
            own1, waited1 = cpu(kernel)
            eval1 = sum(cpu(p)[0] for p in evaluation)
            rows.append((wall, own1 - own0, waited1 - waited0, eval1 - eval0))
        medians = [round(statistics.median(row[i] for row in rows), 3) for i in range(4)]
        print(json.dumps({"kernel": spec, "cell": name, "wall_s": medians[0], "cpu_kernel_s": medians[1],
                          "cpu_compile_s": medians[2], "cpu_eval_s": medians[3], "eval_processes": len(evaluation), "n": runs,
                          "load_1min": round(os.getloadavg()[0], 1)}), flush=True)
    bench.stop(km, kc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kernel", default="distsim", help="kernelspec: distsim, or evcxr_jupyter's rust")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    preamble = "" if args.kernel == "distsim" else bench.evcxr_preamble(bench.REPO)
    bench.describe(args.kernel, args.kernel)
    measure(args.kernel, preamble, args.runs)


if __name__ == "__main__":
    main()
