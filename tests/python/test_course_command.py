"""`scripts/course`, the command a student runs, serves the course and a kernel that answers.

The test runs the script itself, from a scratch folder (not the repository), as the machine's user
(root in CI and in most course containers), with `--no-browser` on a free port of 127.0.0.1. It
waits for the address line the README promises (`http://127.0.0.1:<port>/lab?token=<token>`), opens
`/lab` with that token (polling until the port answers: the address is printed just before the
server binds it), starts a `distsim` kernel through the server's REST API, runs `1 + 1` over
the kernel's websocket, and stops the server as the README says, with Ctrl-C twice (SIGINT, with a
terminal as stdin), after which no kernel may be left running. Every wait is
for an event (a line, a reply, an exit) with a deadline; the server is stopped whatever happens.

The script's output must hold no refusal to run as root, at most one line about running as root,
and no warning a user cannot act on (nbgrader's "No nbgrader_config.py file found", any `[W ...]`
log line, any `WARNING`).

Needs nothing installed beforehand: the script builds and installs what it needs (fast once built).
Run: .venv/bin/python -m pytest tests/python/test_course_command.py
"""

import json
import os
import pty
import re
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import websocket

ROOT = Path(__file__).resolve().parents[2]
# The script builds and installs first; a stale kernel cache is rebuilt then (minutes on two cores).
READY_DEADLINE_S = 1800
# A fresh kernel copies the cache and loads distsim before it answers its first cell.
KERNEL_DEADLINE_S = 300
STOP_DEADLINE_S = 60
URL_LINE = re.compile(r"(http://127\.0\.0\.1:(\d+)/lab\?token=([0-9a-f]+))")
UNACTIONABLE = re.compile(r"^\[W |WARNING|Warning:|No nbgrader_config\.py|Running as root is not recommended")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Output:
    """The script's merged stdout and stderr, read line by line on a thread; waits for a line."""

    def __init__(self, stream):
        self.lines = []
        self.changed = threading.Condition()
        self.closed = False
        self.thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self.thread.start()

    def _read(self, stream):
        for line in stream:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.closed = True
            self.changed.notify_all()

    def wait_for(self, pattern: re.Pattern, deadline_s: float):
        """The first match of `pattern` in a line; fails if the output ends or the deadline passes."""
        end = time.monotonic() + deadline_s
        with self.changed:
            while True:
                for line in self.lines:
                    if m := pattern.search(line):
                        return m
                left = end - time.monotonic()
                if self.closed or left <= 0:
                    why = "the script exited" if self.closed else f"no such line within {deadline_s} s"
                    pytest.fail(f"{why} (waiting for {pattern.pattern}):\n{self.text()[-4000:]}")
                self.changed.wait(left)

    def text(self) -> str:
        with self.changed:
            return "\n".join(self.lines)


def http(url: str, method: str = "GET", body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return r.status, r.read().decode()


def wait_until_serving(base: str, token: str, proc: subprocess.Popen, out: Output) -> None:
    """JupyterLab prints its address just before its event loop binds the port: poll until it answers."""
    end = time.monotonic() + STOP_DEADLINE_S
    while True:
        try:
            status, _ = http(f"{base}/api/status?token={token}")
            if status == 200:
                return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > end:
            pytest.fail(f"nothing answered on {base} after the address line:\n{out.text()[-4000:]}")
        time.sleep(0.1)  # the poll's interval, not a timing assumption


def execute(ws_url: str, code: str, deadline_s: float) -> dict:
    """Runs `code` in the kernel behind `ws_url` (as JupyterLab does); returns its reply, result, errors."""
    session, msg_id = uuid.uuid4().hex, uuid.uuid4().hex
    ws_url = f"{ws_url}&session_id={session}"
    request = {
        "header": {"msg_id": msg_id, "session": session, "username": "test", "msg_type": "execute_request",
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "buffers": [], "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }
    end = time.monotonic() + deadline_s
    ws = websocket.create_connection(ws_url, timeout=deadline_s)
    try:
        ws.send(json.dumps(request))
        found = {"reply": None, "result": None, "errors": [], "idle": False}
        while not (found["reply"] and found["idle"]):
            left = end - time.monotonic()
            if left <= 0:
                pytest.fail(f"the kernel did not answer `{code}` within {deadline_s} s: {found}")
            ws.settimeout(left)
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["header"]["msg_type"], msg["content"]
            if kind == "execute_reply":
                found["reply"] = content
            elif kind == "execute_result":
                found["result"] = content["data"].get("text/plain")
            elif kind == "error":
                found["errors"].append(f"{content['ename']}: {content['evalue']}")
            elif kind == "status" and content["execution_state"] == "idle":
                found["idle"] = True
        return found
    finally:
        ws.close()


def stop(proc: subprocess.Popen, base: str, token: str) -> None:
    """After a failure: shuts the server down through its API (kernels too), else ends its group."""
    if proc.poll() is not None:
        return
    try:
        http(f"{base}/api/shutdown?token={token}", "POST", {})
        proc.wait(timeout=STOP_DEADLINE_S)
        return
    except (OSError, subprocess.TimeoutExpired):
        pass
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_DEADLINE_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def test_scripts_course_serves_lab_and_a_kernel_that_answers():
    port = free_port()
    base, token = f"http://127.0.0.1:{port}", ""
    with tempfile.TemporaryDirectory(prefix="distsim-course-") as tmp:
        tmp = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k not in ("JUPYTER_CONFIG_PATH", "VIRTUAL_ENV")}
        env.update(JUPYTER_CONFIG_DIR=str(tmp / "config"),     # no user config changes the server
                   JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
                   JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
                   JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"))
        # A terminal for stdin, as a student has: JupyterLab handles Ctrl-C only then (without one,
        # Ctrl-C ends the server at once and leaves its kernels running).
        terminal, student_side = pty.openpty()
        proc = subprocess.Popen(
            [str(ROOT / "scripts" / "course"), "--no-browser", f"--port={port}", "--ServerApp.port_retries=0"],
            cwd=tmp, env=env, stdin=student_side, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, start_new_session=True)
        os.close(student_side)
        out = Output(proc.stdout)
        try:
            url, served_port, token = out.wait_for(URL_LINE, READY_DEADLINE_S).groups()
            assert int(served_port) == port, url
            wait_until_serving(base, token, proc, out)

            status, page = http(url)
            assert status == 200 and "<title>JupyterLab</title>" in page, page[:500]

            status, body = http(f"{base}/api/kernels?token={token}", "POST", {"name": "distsim"})
            assert status == 201, body
            kernel = json.loads(body)["id"]
            answer = execute(f"ws://127.0.0.1:{port}/api/kernels/{kernel}/channels?token={token}",
                             "1 + 1", KERNEL_DEADLINE_S)
            assert answer["reply"]["status"] == "ok" and answer["errors"] == [], answer
            assert answer["result"] == "2", answer
            assert list((tmp / "runtime").glob("kernel-*.json")), "no kernel connection file"

            # Ctrl-C twice, as the README says: the first asks for confirmation, the second stops.
            started_output = out.text()
            proc.send_signal(signal.SIGINT)
            out.wait_for(re.compile(r"ServerApp\] interrupted$"), STOP_DEADLINE_S)  # the second is now armed
            proc.send_signal(signal.SIGINT)
            assert proc.wait(timeout=STOP_DEADLINE_S) == 0, out.text()[-3000:]
            out.thread.join(timeout=STOP_DEADLINE_S)
            left = list((tmp / "runtime").glob("kernel-*.json"))
        finally:
            stop(proc, base, token)
            os.close(terminal)

    lines = started_output.splitlines()
    if os.geteuid() == 0:
        assert sum("running as root" in line for line in lines) == 1, started_output
        assert any("--allow-root" in line for line in lines), started_output
    bad = [line for line in lines if UNACTIONABLE.search(line)]
    assert bad == [], "\n".join(bad)
    stopped = out.text()[len(started_output):]
    assert "Shutting down 1 kernel" in stopped, stopped
    assert left == [], f"kernels still running after Ctrl-C: {left}"
