"""Shared fixtures for the distsim kernel's Python tests.

They drive the installed kernelspec ``distsim`` (``target/release/distsim-kernel install
--sys-prefix`` from the repo root, with the venv active) through jupyter_client, the same library
JupyterLab, nbclient and nbgrader use.

Run: ``/work/main/.venv/bin/python -m pytest kernel/tests/python -v``
"""

from __future__ import annotations

import os
import time
from queue import Empty
from typing import Any

import pytest
from jupyter_client.manager import start_new_kernel

# Another kernelspec (e.g. one pointing at an older build, to compare) through DISTSIM_KERNEL_NAME.
KERNEL_NAME = os.environ.get("DISTSIM_KERNEL_NAME", "distsim")
# A cell compiles in about a second; a cold first cell or a loaded machine can take much longer.
CELL_TIMEOUT = 120
STARTUP_TIMEOUT = 600


def start_kernel(**env: str):
    """A fresh kernel and a blocking client, ready (kernel_info answered); `env` adds variables."""
    km, kc = start_new_kernel(
        kernel_name=KERNEL_NAME, startup_timeout=STARTUP_TIMEOUT, env={**os.environ, **env}
    )
    return km, kc


def stop_kernel(km, kc) -> None:
    kc.stop_channels()
    km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel():
    """One kernel shared by the tests of a module (starting one costs a compile)."""
    km, kc = start_kernel()
    yield kc
    stop_kernel(km, kc)


@pytest.fixture()
def fresh_kernel():
    """A kernel of its own, for tests that count executions or restart."""
    km, kc = start_kernel()
    yield km, kc
    stop_kernel(km, kc)


def collect(kc, msg_id: str, timeout: float = CELL_TIMEOUT) -> list[dict[str, Any]]:
    """IOPub messages of request `msg_id` up to its idle status (status messages excluded)."""
    outputs = []
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no idle for {msg_id} within {timeout} s")
        try:
            msg = kc.get_iopub_msg(timeout=remaining)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status":
            if msg["content"]["execution_state"] == "idle":
                return outputs
            continue
        outputs.append(msg)


def shell_reply(kc, msg_id: str, timeout: float = CELL_TIMEOUT) -> dict[str, Any]:
    """The shell reply to `msg_id` (other replies are skipped)."""
    deadline = time.monotonic() + timeout
    while True:
        msg = kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def execute(kc, code: str, timeout: float = CELL_TIMEOUT, **kwargs) -> tuple[dict, list[dict]]:
    """Runs `code`; returns (execute_reply, iopub outputs other than status and execute_input)."""
    msg_id = kc.execute(code, **kwargs)
    outputs = [m for m in collect(kc, msg_id, timeout) if m["msg_type"] != "execute_input"]
    reply = shell_reply(kc, msg_id, timeout)
    return reply, outputs


def of_type(outputs: list[dict], msg_type: str) -> list[dict]:
    return [m for m in outputs if m["msg_type"] == msg_type]


def stream_text(outputs: list[dict], name: str) -> str:
    return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == name)


def result_plain(outputs: list[dict]) -> str:
    results = of_type(outputs, "execute_result")
    assert len(results) == 1, outputs
    return results[0]["content"]["data"]["text/plain"]
