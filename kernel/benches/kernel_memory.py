"""One student's kernel memory without the hub: the quick loop behind kernel/benches/class.py.

Starts one distsim kernel through jupyter_client with the installed kernelspec (on the hub: the
shared template, read-only), and prints one JSON line with the kernel plus its evaluation process
(every process of the `distsim-kernel` binary under the kernel), RSS and PSS in MiB, from
/proc/<pid>/smaps_rollup:

- `start`: right after the first cell (`1 + 1`);
- `idle`: after a second trivial cell and a pause long enough for the kernel's heap trim;
- `after_let`: after one cell that defines a variable (evcxr types it with its rust-analyzer);
- `after`: after every code cell of the notebook;
- `first_let_s`, `second_let_s`: the first cell that defines a variable (it loads the analyzer),
  and the next one;
- `completion_s`, `completion_ok`: one completion (`Table::new(["a"]).` ...) after the notebook;
- with `DISTSIM_ANALYZER_IDLE_MS` set (the kernel drops its analyzer after that much idle time):
  `after_release` once it did, and `let_after_release_s`, a `let` cell that loads it again.

Run it as the user who would run the kernel: as a student, with the hub's kernelspec,
    sudo runuser -u nobody -- env HOME=$(mktemp -d) JUPYTER_PATH=/opt/distsim-hub/venv/share/jupyter \\
        /opt/distsim-hub/venv/bin/python kernel/benches/kernel_memory.py [notebook]
(the HOME must be writable by that user). Memory only: the times printed are for orientation.
"""

import json
import os
import sys
import time
from pathlib import Path

from jupyter_client.manager import start_new_kernel

REPO = Path(__file__).resolve().parents[2]
MIB = 1 << 20
# The kernel trims its heap 0.5 s after the last cell (memory.rs); this pause outlasts it.
BACKGROUND_S = 8


def tree(pid):
    """`pid` and its descendants."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(children.get(p, []))
    return found


def memory(kernel_pid):
    """Kernel plus evaluation process, and each one's split (`kernel`, `evaluation`): `anon_mib`
    is private memory (the heap and anonymous maps: what the allocator holds), `file_mib` pages of
    mapped files (the binary, libstd, the cells' libraries), which other students' kernels share."""
    total = {"rss": 0, "pss": 0, "processes": 0}
    split = {}
    for pid in tree(kernel_pid):
        try:
            if b"distsim-kernel" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]
        except OSError:
            continue
        fields = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in lines}
        total["rss"] += fields.get("Rss", 0)
        total["pss"] += fields.get("Pss", 0)
        total["processes"] += 1
        anon = fields.get("Anonymous", 0)
        split["kernel" if pid == kernel_pid else "evaluation"] = {
            "rss_mib": round(fields.get("Rss", 0) / MIB), "anon_mib": round(anon / MIB),
            "file_mib": round((fields.get("Rss", 0) - anon) / MIB)}
    return {"rss_mib": round(total["rss"] / MIB), "pss_mib": round(total["pss"] / MIB),
            "processes": total["processes"], **split}


def run(client, code, timeout=600):
    reply = client.execute_interactive(code, timeout=timeout, output_hook=lambda msg: None)
    assert reply["content"]["status"] == "ok", (code[:60], reply["content"])


def main():
    notebook = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "notebooks/00-start-here.ipynb"
    cells = [c["source"] if isinstance(c["source"], str) else "".join(c["source"])
             for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    idle_ms = os.environ.get("DISTSIM_ANALYZER_IDLE_MS")
    release_s = int(idle_ms) / 1000 if idle_ms else None
    started = time.monotonic()
    manager, client = start_new_kernel(kernel_name="distsim", startup_timeout=600)
    try:
        pid = manager.provisioner.pid
        record = {"notebook": notebook.name}
        run(client, "1 + 1")
        record["first_result_s"] = round(time.monotonic() - started, 1)
        record["start"] = memory(pid)
        run(client, "2 + 2")
        time.sleep(BACKGROUND_S)  # lets the kernel's own background work finish: a measurement pause
        record["idle"] = memory(pid)
        t = time.monotonic()
        run(client, "let probe = Table::new([\"a\"]);")
        record["first_let_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        run(client, "let probe2 = Table::new([\"b\"]);")
        record["second_let_s"] = round(time.monotonic() - t, 1)
        time.sleep(BACKGROUND_S)
        record["after_let"] = memory(pid)
        for code in cells:
            run(client, code)
        time.sleep(BACKGROUND_S)
        record["after"] = memory(pid)
        code = "let completion_probe = Table::new([\"a\"]); completion_probe."
        t = time.monotonic()
        reply = client.complete(code, len(code), reply=True, timeout=600)
        record["completion_s"] = round(time.monotonic() - t, 1)
        record["completion_ok"] = len(reply["content"]["matches"]) > 0
        if release_s is not None:
            time.sleep(release_s + BACKGROUND_S)  # the kernel's idle period, then the release
            record["after_release"] = memory(pid)
            t = time.monotonic()
            run(client, "let probe3 = Table::new([\"c\"]);")
            record["let_after_release_s"] = round(time.monotonic() - t, 1)
        print(json.dumps(record), flush=True)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
