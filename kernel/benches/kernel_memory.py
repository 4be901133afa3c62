"""One student's kernel memory without the hub: the quick loop behind kernel/benches/class.py.

Starts one distsim kernel through jupyter_client with the installed kernelspec (on the hub: the
shared template, read-only), and prints one JSON line with the kernel plus its evaluation process
(every process of the `distsim-kernel` binary under the kernel), RSS and PSS in MiB, from
/proc/<pid>/smaps_rollup:

- `start`: right after the first cell (`1 + 1`);
- `before_warmup`: after a second trivial cell and the kernel's heap trim, before the analyzer
  warm-up (which starts 2 s after a cell, see kernel/src/interpreter/analyzer_warmup.rs);
- `idle`: once the warm-up, the trim after it and the kernel's watch of the heap after that trim
  are done (`warmup_s` after the trim above, up to 10 s more): a student who opened the notebook
  and is reading;
- `after_let`: after two cells that define a variable (evcxr types them with its rust-analyzer);
- `after`: after every code cell of the notebook;
- `first_let_s`, `second_let_s`: those two cells' times;
- `completion_s`, `completion_ok`: one completion (`Table::new(["a"]).` ...) after the notebook;
- `heap_log`: the kernel's last account of its heap (its `memory:` log line).
Each memory figure also splits into `kernel` and `evaluation` (see `memory`). The script waits for
the kernel's log lines, not for time: it sets `DISTSIM_KERNEL_LOG` to a file of its own.
With `DISTSIM_ANALYZER_WARMUP=off` (no warm-up) `idle` is taken at once after `before_warmup`.

Run it as the user who would run the kernel: as a student, with the hub's kernelspec,
    sudo runuser -u nobody -- env HOME=$(mktemp -d) JUPYTER_PATH=/opt/distsim-hub/venv/share/jupyter \\
        /opt/distsim-hub/venv/bin/python kernel/benches/kernel_memory.py [notebook]
(the HOME must be writable by that user). Memory only: the times printed are for orientation.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import start_new_kernel

REPO = Path(__file__).resolve().parents[2]
MIB = 1 << 20
# A measurement pause after back-to-back cells: the kernel trims its heap 0.5 s after the last one
# (memory.rs). Only the long, variable analyzer warm-up is waited for by its log line.
TRIM_PAUSE_S = 3


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


class KernelLog:
    """The kernel's own log (`DISTSIM_KERNEL_LOG`), read to wait for its background work: the heap
    trim after a cell logs a `memory:` line, the analyzer warm-up `analyzer warm-up finished`."""

    def __init__(self):
        handle, name = tempfile.mkstemp(prefix="distsim-kernel-log-", suffix=".txt")
        os.close(handle)
        self.path = Path(name)
        os.environ["DISTSIM_KERNEL_LOG"] = name

    def lines(self):
        return self.path.read_text(errors="replace").splitlines()

    def wait_for(self, text, after, timeout=600):
        """Waits until a line containing `text` appears after line number `after`; returns the
        number of lines then."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lines = self.lines()
            if any(text in line for line in lines[after:]):
                return len(lines)
            time.sleep(0.2)  # polling a file; the deadline bounds it
        raise TimeoutError(f"no {text!r} in {self.path} within {timeout} s")


def main():
    notebook = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "notebooks/00-start-here.ipynb"
    cells = [c["source"] if isinstance(c["source"], str) else "".join(c["source"])
             for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    log = KernelLog()
    started = time.monotonic()
    manager, client = start_new_kernel(kernel_name="distsim", startup_timeout=600)
    try:
        pid = manager.provisioner.pid
        record = {"notebook": notebook.name, "warmup": os.environ.get("DISTSIM_ANALYZER_WARMUP", "on")}
        run(client, "1 + 1")
        record["first_result_s"] = round(time.monotonic() - started, 1)
        record["start"] = memory(pid)
        seen = len(log.lines())
        run(client, "2 + 2")
        seen = log.wait_for("memory:", seen)  # the trim after cell 2, before the warm-up starts
        record["before_warmup"] = memory(pid)
        if os.environ.get("DISTSIM_ANALYZER_WARMUP") != "off":
            t = time.monotonic()
            seen = log.wait_for("analyzer warm-up finished", seen)
            record["warmup_s"] = round(time.monotonic() - t, 1)
            seen = log.wait_for("memory:", seen)  # the trim after the warm-up
            # and its follow-up: rust-analyzer frees some of the warm-up's trees on threads of its
            # own, later on a loaded machine; the kernel trims again once they are done (memory.rs)
            seen = log.wait_for("trimmer: stopped watching the heap", seen)
        record["idle"] = memory(pid)
        t = time.monotonic()
        run(client, "let probe = Table::new([\"a\"]);")
        record["first_let_s"] = round(time.monotonic() - t, 1)
        t = time.monotonic()
        run(client, "let probe2 = Table::new([\"b\"]);")
        record["second_let_s"] = round(time.monotonic() - t, 1)
        time.sleep(TRIM_PAUSE_S)
        record["after_let"] = memory(pid)
        for code in cells:
            run(client, code)
        time.sleep(TRIM_PAUSE_S)
        record["after"] = memory(pid)
        code = "let completion_probe = Table::new([\"a\"]); completion_probe."
        t = time.monotonic()
        reply = client.complete(code, len(code), reply=True, timeout=600)
        record["completion_s"] = round(time.monotonic() - t, 1)
        record["completion_ok"] = len(reply["content"]["matches"]) > 0
        record["heap_log"] = [line.split("memory: ", 1)[1] for line in log.lines() if "memory: " in line][-1]
        print(json.dumps(record), flush=True)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        log.path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
