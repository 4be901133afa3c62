"""The analyzer is loaded only when a cell needs it, and dropped when the kernel is idle (issue 19).

The kernel logs its analyzer decisions to ``DISTSIM_KERNEL_LOG``; the test checks their order (no
clock): cells that define no variable never load it, so nothing is released after them; a ``let``
cell loads it, and once the kernel is idle it is released; the next ``let`` cell and a completion
load it again and work. (Issue 15 §1 still holds: the second cell right after the first waits for
nothing.)
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from conftest import CELL_TIMEOUT, KERNEL_NAME, STARTUP_TIMEOUT, execute, result_plain, stop_kernel
from jupyter_client.manager import start_new_kernel


def analyzer_lines(log: Path) -> list[str]:
    if not log.exists():
        return []
    return [line.split("analyzer: ", 1)[1] for line in log.read_text().splitlines() if "analyzer: " in line]


def wait_for_line(log: Path, prefix: str) -> None:
    deadline = time.monotonic() + CELL_TIMEOUT
    while not any(line.startswith(prefix) for line in analyzer_lines(log)):
        assert time.monotonic() < deadline, (prefix, analyzer_lines(log))
        time.sleep(0.1)


def test_the_analyzer_loads_when_a_cell_needs_it_and_is_released_when_idle(tmp_path):
    log = tmp_path / "kernel.log"
    env = dict(os.environ, DISTSIM_KERNEL_LOG=str(log), DISTSIM_ANALYZER_IDLE_MS="1000")
    km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=STARTUP_TIMEOUT, env=env)
    try:
        _, outputs = execute(kc, 'Table::new(["ready"]).columns().len()')
        assert result_plain(outputs) == "1"
        _, outputs = execute(kc, "1 + 1")
        assert result_plain(outputs) == "2"
        # No variable defined yet: the idle kernel finds nothing to release.
        wait_for_line(log, "analyzer not loaded after cell 2")
        lines = analyzer_lines(log)
        assert not any("waits for the analyzer release" in line for line in lines), lines
        # A `let` cell loads it (evcxr types the variable); idle again, it is released.
        _, outputs = execute(kc, 'let typed = Table::new(["x"]);\ntyped.columns().len()')
        assert result_plain(outputs) == "1"
        wait_for_line(log, "analyzer released after cell 3")
        # Loaded again on demand: a variable of the released session is still typed and usable,
        # and a completion finds its methods.
        _, outputs = execute(kc, "let again = typed.columns().len() + 1;\nagain")
        assert result_plain(outputs) == "2"
        reply = kc.complete("typed.col", 9, reply=True, timeout=CELL_TIMEOUT)
        assert "columns" in reply["content"]["matches"], reply["content"]
    finally:
        stop_kernel(km, kc)
