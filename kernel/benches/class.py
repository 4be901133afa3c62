"""Class benchmark: memory and latency of the hub with 1, 4 and 8 students at once (JSON lines).

For each class size N it starts the hub (scripts/hub start, dummy authenticator, 127.0.0.1) with N
fresh Unix users, logs them in and starts their servers through the REST API, starts one distsim
kernel per student at the same moment, and prints:

- `students`, `start_to_first_result_s` (median over students: kernel start plus `1 + 1`);
- per student, kernel plus evaluation process (all processes of the distsim-kernel binary):
  `idle_rss_mib` / `idle_pss_mib` after start and a second cell, once memory is steady (the
  kernel's analyzer warm-up done: a student reading), and `after_rss_mib` / `after_pss_mib` after
  the course notebook (the figure of a student at work); also
  `server_rss_mib`, the user's Jupyter server;
- `hub_rss_mib`, `proxy_rss_mib`: the hub's and the proxy's own memory;
- `plot_cell_median_s`: median execute latency of the notebook's plot cells, all students at once.

Root only (it creates users, removed at the end even on failure); needs `scripts/hub setup` done.
    sudo /opt/distsim-hub/venv/bin/python kernel/benches/class.py [1 4 8]
DISTSIM_HUB_PREFIX picks the prefix; DISTSIM_HUB_KERNEL_ENV (e.g. MALLOC_ARENA_MAX=2) is passed
to every kernel, for memory experiments.
"""

import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hub"))
from hub_session import (  # noqa: E402
    Hub, Kernel, LocalUsers, in_parallel, login, notebook_code_cells, process_memory, start_server, user_memory,
)

PREFIX = Path(os.environ.get("DISTSIM_HUB_PREFIX", "/opt/distsim-hub"))
NOTEBOOK = "notebooks/00-start-here.ipynb"
MIB = 1 << 20


def settled_memory(login, kinds=("distsim-kernel",), steady_samples=10, limit_samples=480):
    """The user's memory once it has stayed within 4 MiB for `steady_samples` samples in a row
    (5 s): after the heap trim that follows a cell and after the analyzer warm-up, which starts
    2 s after a cell and runs for 10-40 s on a loaded machine, so that "idle" is a student
    reading, not a kernel half-way through its warm-up. Gives up after `limit_samples` (4 min)."""
    previous = user_memory(login, kinds)
    steady = 0
    for _ in range(limit_samples):
        time.sleep(0.5)  # sampling interval of a measurement, not a wait for an event
        current = user_memory(login, kinds)
        steady = steady + 1 if abs(current["rss"] - previous["rss"]) < 4 * MIB else 0
        if steady >= steady_samples:
            return current
        previous = current
    return current


def one_class(n):
    work = Path(tempfile.mkdtemp(prefix="distsim-class-bench-"))
    work.chmod(0o755)
    names = ["inst"] + [f"s{i}" for i in range(1, n + 1)]
    users = LocalUsers(f"dsb{secrets.token_hex(2)}", names, work / "home")
    password = secrets.token_urlsafe(12)
    hub = None
    try:
        users.create()
        hub = Hub(PREFIX, work / "state", work / "exchange", users.names["inst"], users.names.values(), password)
        hub.start()
        students = [users.names[s] for s in names[1:]]
        tokens = {s: login(hub.url, s, password) for s in students}
        in_parallel(lambda s: start_server(hub.url, s, tokens[s]), students)
        cells = notebook_code_cells(hub.url, students[0], tokens[students[0]], NOTEBOOK)
        kernels = {s: Kernel(hub.url, s, tokens[s]) for s in students}

        def first_results(s):
            status, _, seconds = kernels[s].execute("1 + 1")
            assert status == "ok"
            assert kernels[s].execute("2 + 2")[0] == "ok"
            return seconds

        firsts = in_parallel(first_results, students)
        idle = in_parallel(settled_memory, students)

        def notebook(s):
            timings = []
            for code in cells:
                status, outputs, seconds = kernels[s].execute(code)
                assert status == "ok", (s, code[:60], outputs)
                if any("image/svg+xml" in o.get("data", {}) for o in outputs):
                    timings.append(seconds)
            return timings

        plots = in_parallel(notebook, students)
        after = in_parallel(settled_memory, students)
        servers = {s: user_memory(s, ("jupyterhub-singleuser",)) for s in students}
        hub_pid, proxy_pids = hub.pids()
        record = {
            "students": n,
            "start_to_first_result_s": round(statistics.median(firsts.values()), 2),
            "idle_rss_mib": [round(idle[s]["rss"] / MIB) for s in students],
            "idle_pss_mib": [round(idle[s]["pss"] / MIB) for s in students],
            "after_rss_mib": [round(after[s]["rss"] / MIB) for s in students],
            "after_pss_mib": [round(after[s]["pss"] / MIB) for s in students],
            "server_rss_mib": [round(servers[s]["rss"] / MIB) for s in students],
            "hub_rss_mib": round(process_memory(hub_pid)["rss"] / MIB),
            "proxy_rss_mib": round(sum(process_memory(p)["rss"] for p in proxy_pids) / MIB),
            "plot_cell_median_s": round(statistics.median(t for ts in plots.values() for t in ts), 2),
            "plot_cells": sum(len(ts) for ts in plots.values()),
            "kernel_env": os.environ.get("DISTSIM_HUB_KERNEL_ENV", ""),
        }
        for k in kernels.values():
            k.shutdown()
        return record
    finally:
        if hub is not None:
            hub.stop()
        users.remove()
        shutil.rmtree(work, ignore_errors=True)


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [1, 4, 8]
    for n in sizes:
        print(json.dumps(one_class(n)), flush=True)


if __name__ == "__main__":
    main()
