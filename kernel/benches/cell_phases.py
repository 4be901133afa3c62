"""Where a protocol cell's wall time goes, step by step, in distsim-kernel and evcxr_jupyter at once.

Both kernels hand a cell to evcxr, which types the cell's variables with its in-process
rust-analyzer, writes the cell crate, runs ``cargo build`` (which runs rustc, which runs the
linker), then loads the library into the evaluation process and runs it. ``perf trace`` records,
machine-wide, when each of those programs starts and ends, and this script cuts each cell into:

- ``analyse``: ``execute_request`` sent to cargo started: the kernel and evcxr before the build,
  chiefly rust-analyzer typing the cell's ``let`` (``cell_cpu.py`` shows it as kernel CPU);
- ``cargo``: cargo started to rustc started: cargo checking that the cell's 46 dependencies are
  fresh;
- ``compile``: rustc started to the linker (``cc``) started: parsing, type checking, code
  generation;
- ``link``: the linker started to rustc ended;
- ``finish``: rustc ended to the kernel idle: cargo ending, the library loaded and run, the
  diagram sent.

The cell is ``latency.py``'s define-run-draw cell, with a different ``volleys`` constant at each
run: a student editing a protocol changes it each time. With ``--interleave``, each counted run is
preceded (uncounted) by ``latency.py``'s other two cells, ``1 + 1`` and the model check, as in
``latency.py --cells-only``: then a cell follows a very different one, as when a student runs a
notebook from top to bottom. One session per kernel; the runs alternate kernel by kernel so that
load changes hit both alike. It prints one JSON line per cell and then the medians per kernel of
the wall time and of each phase, in milliseconds.

Needs ``perf`` (Debian: ``linux-perf``) and the right to trace the whole machine (root, or
``kernel.perf_event_paranoid`` at -1). Other programs named cargo, rustc or cc started meanwhile
would be counted: run it on an otherwise quiet machine.

Usage (from the repo root, both kernelspecs installed as for ``latency.py``):

    .venv/bin/python kernel/benches/cell_phases.py [--runs 9] [--skip-evcxr] [--interleave]

``--evcxr-kernel NAME`` and ``--distsim-kernel NAME`` put other kernelspecs in the two places, e.g. a
copy of ``distsim`` whose ``env`` sets ``DISTSIM_INCREMENTAL=never``, to compare two settings of
our kernel in the same run.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import latency as bench

PHASES = ["analyse", "cargo", "compile", "link", "finish"]
# One line of `perf trace` for the scheduler's exec and exit events: milliseconds, comm/pid, event.
EVENT = re.compile(r"\s*([\d.]+)\s+\S+/(\d+)\s+sched:sched_process_(exec|exit)\((.*)\)")


def cell(run: int) -> str:
    return bench.DEFINE_RUN_DRAW.replace("volleys: 6", f"volleys: {20 + run}")


def mark() -> int:
    """Starts a marker program whose exec `perf trace` records; returns its pid."""
    marker = subprocess.Popen(["true"])
    marker.wait()
    return marker.pid


def events(trace: Path) -> list[tuple[float, str, int, str]]:
    """(milliseconds, exec|exit, pid, program) from `perf trace`'s output."""
    found = []
    for line in trace.read_text().splitlines():
        m = EVENT.match(line)
        if not m:
            continue
        name = re.search(r'filename: "([^"]+)"', m[4]) or re.search(r'comm: "([^"]+)"', m[4])
        found.append((float(m[1]), m[3], int(m[2]), Path(name[1]).name if name else ""))
    return found


def phases(trace: list[tuple[float, str, int, str]], start: int, end: int) -> dict[str, float]:
    """The phases of the cell between the marker processes `start` and `end` (pids)."""
    begin = next(t for t, kind, pid, _ in trace if kind == "exec" and pid == start)
    finish = next(t for t, kind, pid, _ in trace if kind == "exec" and pid == end)
    inside = [(t, kind, name) for t, kind, _, name in trace if begin < t < finish]

    def first(kind: str, name: str) -> float:
        return next(t for t, k, n in inside if k == kind and n == name)

    def last(kind: str, name: str) -> float:
        return [t for t, k, n in inside if k == kind and n == name][-1]

    steps = [begin, first("exec", "cargo"), first("exec", "rustc"), first("exec", "cc"), last("exit", "rustc"), finish]
    return {name: round(b - a, 1) for name, a, b in zip(PHASES, steps, steps[1:])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--skip-evcxr", action="store_true")
    parser.add_argument("--interleave", action="store_true", help="run 1 + 1 and the model check before each counted cell")
    parser.add_argument("--evcxr-kernel", default="rust")
    parser.add_argument("--distsim-kernel", default="distsim", help="our kernelspec (another build or setting)")
    parser.add_argument("--distsim-path", type=Path, default=bench.REPO)
    args = parser.parse_args()
    if shutil.which("perf") is None:
        raise SystemExit("cell_phases: needs perf on PATH (Debian: apt-get install linux-perf)")
    # Each row is labelled by its kernelspec; evcxr_jupyter's is `rust`.
    kernels = [(args.distsim_kernel, args.distsim_kernel, "")]
    if not args.skip_evcxr:
        label = "evcxr_jupyter" if args.evcxr_kernel == "rust" else args.evcxr_kernel
        kernels.append((label, args.evcxr_kernel, bench.evcxr_preamble(args.distsim_path.resolve())))
    sessions = []
    for label, spec, preamble in kernels:
        bench.describe(label, spec)
        km, kc = bench.start(spec)
        kc.wait_for_ready(timeout=1200)
        _, status = bench.run_cell(kc, preamble + bench.FIRST_CELL)
        assert status == "ok", f"{label}: first cell {status}"
        for run in range(3):  # uncounted: the first `?` turns evcxr's error wrapper on; the analyzer warms
            _, status = bench.run_cell(kc, cell(-run - 1))
            assert status == "ok", f"{label}: define-run-draw cell {status}"
        sessions.append((label, km, kc))
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "trace.txt"
        tracer = subprocess.Popen(["perf", "trace", "-a", "-o", str(output),
                                   "-e", "sched:sched_process_exec,sched:sched_process_exit"],
                                  stderr=subprocess.DEVNULL)
        time.sleep(2)  # perf attaches to every CPU before the first marker
        marks = []
        for run in range(args.runs):
            for label, _, kc in sessions:
                for other in (["1 + 1", bench.CHECK_CELL] if args.interleave else []):
                    _, status = bench.run_cell(kc, other)
                    assert status == "ok", f"{label}: {other!r} {status}"
                start = mark()
                wall, status = bench.run_cell(kc, cell(run))
                assert status == "ok", f"{label}: define-run-draw cell {status}"
                marks.append((label, start, mark(), wall))
        time.sleep(1)
        tracer.send_signal(signal.SIGINT)
        tracer.wait()
        trace = events(output)
    for _, km, kc in sessions:
        bench.stop(km, kc)
    rows: dict[str, list[dict[str, float]]] = {label: [] for label, _, _ in sessions}
    for label, start, end, wall in marks:
        row = {"wall": round(wall * 1000, 1), **phases(trace, start, end)}
        rows[label].append(row)
        print(json.dumps({"kernel": label, **row}), flush=True)
    for label, found in rows.items():
        medians = {name: round(statistics.median(r[name] for r in found), 1) for name in ["wall", *PHASES]}
        print(json.dumps({"kernel": label, "median_ms": medians, "n": len(found)}), flush=True)


if __name__ == "__main__":
    main()
