"""Issue 15 §1: the second cell after a start never waits for the analyzer warm-up.

The kernel logs its warm-up decisions to ``DISTSIM_KERNEL_LOG``; the test checks their order (no
clock): the second cell, sent as soon as the first one's reply is in, begins before the warm-up
starts, and never records that it waited for it. The warm-up still happens once the kernel is idle.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from conftest import CELL_TIMEOUT, KERNEL_NAME, STARTUP_TIMEOUT, execute, result_plain, stop_kernel
from jupyter_client.manager import start_new_kernel


def warmup_lines(log: Path) -> list[str]:
    if not log.exists():
        return []
    return [line.split("warm-up: ", 1)[1] for line in log.read_text().splitlines() if "warm-up: " in line]


def test_second_cell_right_after_the_first_does_not_wait_for_the_warm_up(tmp_path):
    log = tmp_path / "kernel.log"
    # The default quiet period (2 s) is far longer than the gap between the two cells here; a
    # longer one keeps a stalled test client from being mistaken for a reading student.
    env = dict(os.environ, DISTSIM_KERNEL_LOG=str(log), DISTSIM_WARMUP_QUIET_MS="5000")
    km, kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=STARTUP_TIMEOUT, env=env)
    try:
        _, outputs = execute(kc, 'Table::new(["ready"]).columns().len()')
        assert result_plain(outputs) == "1"
        _, outputs = execute(kc, "1 + 1")
        assert result_plain(outputs) == "2"
        lines = warmup_lines(log)
        assert "cell 2 begins" in lines, lines
        assert not any("waits for the analyzer warm-up" in line for line in lines), lines
        started = [i for i, line in enumerate(lines) if line.startswith("analyzer warm-up started")]
        assert all(i > lines.index("cell 2 begins") for i in started), lines
        # Idle now: the warm-up runs, after the second cell.
        deadline = time.monotonic() + CELL_TIMEOUT
        while not any(line.startswith("analyzer warm-up finished") for line in warmup_lines(log)):
            assert time.monotonic() < deadline, warmup_lines(log)
            time.sleep(0.1)
        assert "analyzer warm-up started after cell 2" in warmup_lines(log)
        # A `let` cell after it (the analyzer types the variable) works.
        _, outputs = execute(kc, "let typed = Table::new([\"x\"]);\ntyped.columns().len()")
        assert result_plain(outputs) == "1"
    finally:
        stop_kernel(km, kc)
