"""Latency and memory of the distsim kernel against evcxr_jupyter, measured the same way in one run.

For each kernel it reports, as JSON lines (seconds, MiB):

- ``trivial``: wall time from ``execute_request`` to ``idle`` for ``1 + 1`` (after warm-up);
- ``plot``: the same for a distsim experiment cell (a small sweep) that renders an SVG plot;
- ``first_result``: kernel start to the ``idle`` of the first distsim cell, after one uncounted
  warm-up start (our kernel has distsim preloaded; evcxr_jupyter gets
  ``:dep distsim = { path = ... }`` in that first cell);
- ``second_result``: kernel start to the ``idle`` of ``1 + 1`` sent as soon as the first cell's
  reply is in (a student running the first two cells of a notebook);
- ``define_run_draw``: a cell that defines a node type, runs it and draws its space-time diagram
  (each repeat defines the type again, as a student editing a protocol does);
- ``check_cell``: a cell that defines a small node type and model-checks it (``Checker``), table
  included (goal: <= 1 s, compile included);
- ``run_draw``: a cell that runs a node type defined in an earlier cell and draws it
  (``run_draw_first`` is its first run after the definition);
- ``idle_rss_mib``: resident memory of the kernel process and its children, idle after the runs.

Then one line per goal of issues 3 and 15: the ratio to evcxr_jupyter for trivial (<= 1x), first
distsim result (<= 0.1x), define-run-draw (<= 0.5x) and memory (<= 1x), and the model-check cell's
median (<= 1 s).

With ``--cells-only`` it opens one session of each kernel and runs the trivial, define-run-draw and
model-check cells in both, interleaved run by run, so that the ratios are not skewed by the load
changing between the two kernels' turns (the machine is shared).

With ``--widgets`` it measures issue 12's goal instead (our kernel only): ``widget_change``, the
wall time from sending the ``comm_msg`` of a slider change to the last IOPub message of the new
output (the widget Output's ``update``), for ``interact`` over the Two Generals experiment (table
and plot), with ``model_run`` (the experiment's run, table and plot timed inside a cell: the goal
is for a model under 10 ms) and ``trivial`` (a ``1 + 1`` cell, i.e. a compile) from the same run.
Goal: ``widget_change`` median <= 50 ms.

Usage (from the repo root, with both kernelspecs installed: ``distsim`` by ``scripts/install-kernel``
and evcxr_jupyter 0.22's ``rust`` by ``kernel/benches/install-evcxr-jupyter``):

    .venv/bin/python kernel/benches/latency.py [--runs 15] [--starts 3] [--skip-evcxr] [--distsim-path DIR]
    .venv/bin/python kernel/benches/latency.py --cells-only [--runs 9]
    .venv/bin/python kernel/benches/latency.py --widgets [--runs 40]
    .venv/bin/python kernel/benches/latency.py --trivial-against distsim-old [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from queue import Empty

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

REPO = Path(__file__).resolve().parents[2]

PLOT_CELL = """let sweep = Sweep::new(vec![1u64, 2, 4, 8, 16]).seeds(0..8).run(|n, seed| {
    Ok(*n as f64 * (1.0 + (seed % 3) as f64 / 10.0))
}).unwrap();
sweep.plot("mean vs n", |n| *n as f64)"""

FIRST_CELL = 'Table::new(["ready"]).columns().len()'

# A protocol as students write them in the course's protocol notebooks: a node type, a run, a diagram.
NODE_TYPE = """#[derive(Clone, Debug)]
struct Ball(u32);
struct Player { volleys: u32 }
impl Node for Player {
    type Msg = Ball;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<Ball>) {
        if ctx.id() == 0 {
            ctx.send(1, Ball(1));
        }
    }
    fn on_message(&mut self, ctx: &mut Context<Ball>, from: NodeId, Ball(n): Ball) {
        if n < self.volleys {
            ctx.send(from, Ball(n + 1));
        }
    }
}
"""

RUN_DRAW = """let mut sim = Simulation::new(7, vec![Player { volleys: 6 }, Player { volleys: 6 }])?;
sim.run_until_quiet()?;
SpaceTime::new(sim.trace()).max_events(60)?"""

DEFINE_RUN_DRAW = NODE_TYPE + RUN_DRAW

# A model check of a small node type, as in the course's checker cells (notebooks 11 and 17): the
# type, the check and its table in one cell, so its figure includes compiling the checker for it.
CHECK_CELL = """#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
struct Inbox(Vec<char>);
impl Node for Inbox {
    type Msg = char;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<char>) {
        if ctx.id() == 0 {
            ctx.send(1, 'A');
            ctx.send(1, 'B');
        }
    }
    fn on_message(&mut self, _ctx: &mut Context<char>, _from: NodeId, m: char) {
        self.0.push(m);
    }
}
distsim::check::Checker::new(vec![Inbox::default(), Inbox::default()])
    .always("in order", |s| s.node(1).0 != ['B', 'A'])
    .run()?
    .stats_table()"""


def evcxr_preamble(distsim: Path) -> str:
    return f':dep distsim = {{ path = "{distsim}" }}\nuse distsim::prelude::*;\n'


def describe(label: str, spec: str) -> None:
    """Prints which program a kernelspec starts, so that every figure names what it measured."""
    found = KernelSpecManager().get_kernel_spec(spec)
    print(json.dumps({"kernel": label, "kernelspec": spec, "dir": found.resource_dir, "argv0": found.argv[0]}),
          flush=True)


def run_cell(kc, code: str, timeout: float = 1200) -> tuple[float, str]:
    """Seconds from execute_request to idle, and the reply status."""
    start = time.monotonic()
    msg_id = kc.execute(code)
    deadline = start + timeout
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        except Empty:
            raise TimeoutError(code)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            elapsed = time.monotonic() - start
            break
    reply = kc.get_shell_msg(timeout=timeout)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=timeout)
    return elapsed, reply["content"]["status"]


def start(name: str):
    km = KernelManager(kernel_name=name)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    return km, kc


def stop(km, kc) -> None:
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def tree_rss_mib(pid: int) -> float:
    """VmRSS of `pid` and all its descendants."""
    total_kib, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total_kib / 1024


def kernel_pid(km) -> int:
    provisioner = getattr(km, "provisioner", None)
    if provisioner is not None and getattr(provisioner, "process", None) is not None:
        return provisioner.process.pid
    return km.kernel.pid


def summary(kernel: str, metric: str, samples: list[float]) -> dict:
    ordered = sorted(samples)
    p90 = ordered[min(len(ordered) - 1, int(round(0.9 * (len(ordered) - 1))))]
    line = {"kernel": kernel, "metric": metric, "median_s": round(statistics.median(ordered), 4),
            "p90_s": round(p90, 4), "n": len(ordered)}
    print(json.dumps(line), flush=True)
    return line


def measure(kernel: str, spec: str, preamble: str, runs: int, starts: int) -> dict:
    describe(kernel, spec)
    results = {}
    firsts, seconds = [], []
    # One uncounted start first, so that a one-time cache build (ours) is not in the figures:
    # the goal compares starts after warm-up.
    for counted in [False] + [True] * starts:
        t0 = time.monotonic()
        km, kc = start(spec)
        kc.wait_for_ready(timeout=1200)
        _, status = run_cell(kc, preamble + FIRST_CELL)
        assert status == "ok", f"{kernel}: first cell {status}"
        if counted:
            firsts.append(time.monotonic() - t0)
            _, status = run_cell(kc, "1 + 1")
            assert status == "ok", f"{kernel}: second cell {status}"
            seconds.append(time.monotonic() - t0)
        else:
            print(json.dumps({"kernel": kernel, "metric": "warm_up_start_s", "value": round(time.monotonic() - t0, 2)}),
                  flush=True)
        stop(km, kc)
    results["first_result"] = summary(kernel, "first_result", firsts)
    results["second_result"] = summary(kernel, "second_result", seconds)

    km, kc = start(spec)
    kc.wait_for_ready(timeout=1200)
    run_cell(kc, preamble + FIRST_CELL)
    for _ in range(3):  # warm-up
        run_cell(kc, "1 + 1")
    trivial = [run_cell(kc, "1 + 1")[0] for _ in range(runs)]
    results["trivial"] = summary(kernel, "trivial", trivial)
    run_cell(kc, PLOT_CELL)
    plot = []
    for _ in range(max(3, runs // 2)):
        elapsed, status = run_cell(kc, PLOT_CELL)
        assert status == "ok", f"{kernel}: plot cell {status}"
        plot.append(elapsed)
    results["plot"] = summary(kernel, "plot", plot)
    repeats = max(3, runs // 2)
    define = []
    for _ in range(repeats):
        elapsed, status = run_cell(kc, DEFINE_RUN_DRAW)
        assert status == "ok", f"{kernel}: define-run-draw cell {status}"
        define.append(elapsed)
    results["define_run_draw"] = summary(kernel, "define_run_draw", define)
    check = []
    for _ in range(repeats):
        elapsed, status = run_cell(kc, CHECK_CELL)
        assert status == "ok", f"{kernel}: model-check cell {status}"
        check.append(elapsed)
    results["check_cell"] = summary(kernel, "check_cell", check)
    _, status = run_cell(kc, NODE_TYPE)
    assert status == "ok", f"{kernel}: node type cell {status}"
    elapsed, status = run_cell(kc, RUN_DRAW)
    assert status == "ok", f"{kernel}: run-draw cell {status}"
    results["run_draw_first"] = summary(kernel, "run_draw_first", [elapsed])
    results["run_draw"] = summary(kernel, "run_draw", [run_cell(kc, RUN_DRAW)[0] for _ in range(repeats)])
    time.sleep(2.0)
    rss = tree_rss_mib(kernel_pid(km))
    print(json.dumps({"kernel": kernel, "metric": "idle_rss_mib", "value": round(rss, 1)}), flush=True)
    results["idle_rss_mib"] = rss
    stop(km, kc)
    return results


WIDGET_CELL = 'concepts::two_generals::Config::default().interact("capture", 0.0..=0.9, 7)?;'
MODEL_CELL = """let t = std::time::Instant::now();
let report = concepts::two_generals::Config::default().with("capture", 0.45)?.run(7)?;
let (table, plot) = (report.table().mime_bundle(), report.plot().mime_bundle());
(t.elapsed().as_secs_f64(), table.get("text/html").map(str::len), plot.get("image/svg+xml").map(str::len)).0"""


def iopub_of_cell(kc, msg_id: str, timeout: float = 1200) -> list[dict]:
    """IOPub messages of one request up to its idle."""
    seen = []
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return seen
        seen.append(msg)


def measure_widgets(runs: int) -> None:
    km, kc = start("distsim")
    kc.wait_for_ready(timeout=1200)
    run_cell(kc, FIRST_CELL)
    for _ in range(3):
        run_cell(kc, "1 + 1")
    trivial = [run_cell(kc, "1 + 1")[0] for _ in range(max(5, runs // 4))]
    summary("distsim", "trivial", trivial)
    model = []
    for _ in range(5):
        msg_id = kc.execute(MODEL_CELL)
        outputs = iopub_of_cell(kc, msg_id)
        result = [m for m in outputs if m["msg_type"] == "execute_result"]
        assert result, outputs
        model.append(float(result[0]["content"]["data"]["text/plain"]))
    summary("distsim", "model_run", model)
    msg_id = kc.execute(WIDGET_CELL)
    opened = [m["content"] for m in iopub_of_cell(kc, msg_id) if m["msg_type"] == "comm_open"]
    slider = next(c["comm_id"] for c in opened if c["data"]["state"]["_model_name"] == "FloatSliderModel")
    output = next(c["comm_id"] for c in opened if c["data"]["state"]["_model_name"] == "OutputModel")
    changes = []
    for i in range(runs + 3):
        value = round(0.05 + 0.8 * (i % 17) / 16, 2)  # a new value each time: the model really runs
        msg = kc.session.msg("comm_msg", {"comm_id": slider, "data": {"method": "update", "state": {"value": value}, "buffer_paths": []}})
        t0 = time.monotonic()
        kc.shell_channel.send(msg)
        while True:
            got = kc.get_iopub_msg(timeout=120)
            data = got["content"].get("data", {})
            if got["msg_type"] == "comm_msg" and got["content"]["comm_id"] == output and "outputs" in data.get("state", {}):
                elapsed = time.monotonic() - t0
                assert got["parent_header"]["msg_id"] == msg["header"]["msg_id"]
                assert not [o for o in data["state"]["outputs"] if o["output_type"] == "error"], data
                break
        if i >= 3:  # the first changes are warm-up
            changes.append(elapsed)
    line = summary("distsim", "widget_change", changes)
    print(json.dumps({"metric": "widget_change", "goal_median_s": 0.05, "met": line["median_s"] <= 0.05,
                      "vs_trivial_cell": round(line["median_s"] / statistics.median(trivial), 3)}), flush=True)
    stop(km, kc)


def interleaved(kernels: list[tuple[str, str, str]], cells: dict[str, str], runs: int) -> dict:
    """Each cell of `cells` in one session per kernel (label, kernelspec, preamble), the runs
    interleaved kernel by kernel and cell by cell, so that load changes on a shared machine hit
    every kernel alike; one uncounted run of each cell first (the first compile of a cell that uses
    `?` turns it on). Prints the medians and the ratio of the first kernel to each other."""
    sessions = []
    for label, spec, preamble in kernels:
        describe(label, spec)
        km, kc = start(spec)
        kc.wait_for_ready(timeout=1200)
        _, status = run_cell(kc, preamble + FIRST_CELL)
        assert status == "ok", f"{label}: first cell {status}"
        for _ in range(3):  # warm-up
            run_cell(kc, "1 + 1")
        for name, code in cells.items():
            _, status = run_cell(kc, code)
            assert status == "ok", f"{label}: {name} cell {status}"
        sessions.append((label, km, kc, {name: [] for name in cells}))
    for _ in range(runs):
        for name, code in cells.items():
            for label, _, kc, samples in sessions:
                elapsed, status = run_cell(kc, code)
                assert status == "ok", f"{label}: {name} cell {status}"
                samples[name].append(elapsed)
    results = {}
    for name in cells:
        medians = [summary(label, name, samples[name])["median_s"] for label, _, _, samples in sessions]
        results[name] = medians
        for (label, _, _, _), median in zip(sessions[1:], medians[1:]):
            print(json.dumps({"metric": name, "ratio": round(medians[0] / median, 3), "of": sessions[0][0], "to": label}),
                  flush=True)
    for _, km, kc, _ in sessions:
        stop(km, kc)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--skip-evcxr", action="store_true")
    parser.add_argument("--widgets", action="store_true", help="measure issue 12's widget change latency only")
    parser.add_argument("--evcxr-kernel", default="rust")
    parser.add_argument("--distsim-path", type=Path, default=REPO,
                        help="the distsim checkout evcxr_jupyter loads with :dep (a clean copy keeps edits "
                             "made during a long run out of the figures)")
    parser.add_argument("--cells-only", action="store_true",
                        help="only the cells (trivial, define-run-draw, model check) in a distsim and an "
                             "evcxr_jupyter session at once, interleaved run by run (no starts, no memory)")
    parser.add_argument("--trivial-against", metavar="KERNELSPEC",
                        help="only time `1 + 1`, interleaved in a distsim session and one of this kernelspec "
                             "(e.g. an older build of ours)")
    args = parser.parse_args()
    if args.widgets:
        measure_widgets(args.runs)
        return
    if args.trivial_against:
        interleaved([("distsim", "distsim", ""), (args.trivial_against, args.trivial_against, "")],
                    {"trivial": "1 + 1"}, args.runs)
        return
    if args.cells_only:
        evcxr = ("evcxr_jupyter", args.evcxr_kernel, evcxr_preamble(args.distsim_path.resolve()))
        cells = {"trivial": "1 + 1", "define_run_draw": DEFINE_RUN_DRAW, "check_cell": CHECK_CELL}
        kernels = [("distsim", "distsim", "")] + ([] if args.skip_evcxr else [evcxr])
        medians = interleaved(kernels, cells, args.runs)
        print_goals({name: m[0] for name, m in medians.items()},
                    {name: m[1] for name, m in medians.items() if len(m) > 1})
        return
    ours = measure("distsim", "distsim", "", args.runs, args.starts)
    if args.skip_evcxr:
        return
    theirs = measure("evcxr_jupyter", args.evcxr_kernel, evcxr_preamble(args.distsim_path.resolve()), args.runs, max(1, args.starts - 1))
    print_goals({k: v["median_s"] if isinstance(v, dict) else v for k, v in ours.items()},
                {k: v["median_s"] if isinstance(v, dict) else v for k, v in theirs.items()})


def print_goals(ours: dict[str, float], theirs: dict[str, float]) -> None:
    """One line per goal of issues 3 and 15 found in the figures: a ratio of our median to
    evcxr_jupyter's, or (the model-check cell) our median in seconds."""
    ratio_goals = [("trivial", 1.0), ("first_result", 0.1), ("define_run_draw", 0.5), ("idle_rss_mib", 1.0)]
    for metric, goal in ratio_goals:
        if metric in ours and metric in theirs:
            ratio = ours[metric] / theirs[metric]
            print(json.dumps({"metric": metric, "ratio": round(ratio, 3), "goal": goal, "met": ratio <= goal}), flush=True)
    if "check_cell" in ours:
        print(json.dumps({"metric": "check_cell", "median_s": ours["check_cell"], "goal_s": 1.0,
                          "met": ours["check_cell"] <= 1.0}), flush=True)


if __name__ == "__main__":
    main()
