"""Driving a running class hub from outside, as its users do: shared by tests/python/test_hub.py
and the class benchmark (kernel/benches/class.py).

- `LocalUsers` creates Unix users for a run and removes them (with their homes) at the end;
- `Hub` runs `scripts/hub start` on 127.0.0.1 with the dummy authenticator and stops it;
- `login`, `start_server` use the hub's REST API (a token from a password, the spawn progress
  stream); `Kernel` runs cells in a user's server through the kernels REST API and websocket;
- `user_memory` reads the resident (RSS) and proportional (PSS) memory of a user's processes.

Everything waits for events (an HTTP answer, a progress event, a reply message), with a deadline
only as a guard against a hang.
"""

import json
import os
import pwd
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import requests
import websocket

REPO = Path(__file__).resolve().parents[2]


def free_ports(count):
    socks = [socket.socket() for _ in range(count)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def in_parallel(fn, items):
    """fn(item) for every item on its own thread, all at once; {item: result}, or the errors raised."""
    import threading

    results, errors = {}, []

    def run(item):
        try:
            results[item] = fn(item)
        except Exception as e:  # re-raised below, with every thread's error
            errors.append(f"{item}: {e!r}")

    threads = [threading.Thread(target=run, args=(i,)) for i in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError("; ".join(errors))
    return results


def kill_user_processes(uid):
    """SIGKILLs every process of `uid`; returns how many were still there."""
    found = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    found += 1
                    os.kill(int(entry.name), signal.SIGKILL)
            except (OSError, ProcessLookupError):
                pass
    return found


def remove_cgroups(login):
    """Removes the user's limit groups, which a server that did not stop cleanly leaves behind."""
    from limits import LimitsUnavailable, memory_parent

    try:
        groups = [memory_parent() / login, Path("/sys/fs/cgroup/cpu/distsim-hub") / login]
    except LimitsUnavailable:
        return
    for group in groups:
        try:
            group.rmdir()
        except OSError:
            pass


class LocalUsers:
    """Unix users `<prefix>-<name>` with homes under `base`; `remove()` deletes them all."""

    def __init__(self, prefix, names, base):
        self.base = Path(base)
        self.names = {n: f"{prefix}-{n}" for n in names}
        self.created = []

    def create(self):
        self.base.mkdir(parents=True, exist_ok=True)
        self.base.chmod(0o755)
        for login in self.names.values():
            subprocess.run(
                ["useradd", "--create-home", "--home-dir", str(self.base / login), "--shell", "/bin/bash", login],
                check=True,
            )
            self.created.append(login)
            (self.base / login).chmod(0o700)
        return self

    def remove(self):
        for login in self.created:
            try:
                uid = pwd.getpwnam(login).pw_uid
            except KeyError:
                continue
            # userdel refuses while the user has processes: kill them and wait until they are gone.
            for _ in range(100):
                if not kill_user_processes(uid):
                    break
                time.sleep(0.1)
            subprocess.run(["userdel", "--remove", login], capture_output=True)
            remove_cgroups(login)
        self.created = []

    def run_as(self, name, args, cwd=None, env=None, timeout=1800):
        login = self.names[name]
        home = self.base / login
        full_env = {"HOME": str(home), "USER": login, "PATH": os.environ["PATH"], **(env or {})}
        return subprocess.run(
            ["runuser", "-u", login, "--", "env", *[f"{k}={v}" for k, v in full_env.items()], *args],
            cwd=cwd or home,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


class Hub:
    """`scripts/hub start` with the test settings; `url` once it answers."""

    def __init__(self, prefix, state, exchange, instructor, roster, password, mem_limit="1536M", cpu_limit="1"):
        self.port, api, proxy_api, formgrader = free_ports(4)
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(state) / "hub.log"
        self.env = {
            **os.environ,
            "DISTSIM_HUB_PREFIX": str(prefix),
            "DISTSIM_HUB_STATE": str(state),
            "DISTSIM_HUB_EXCHANGE": str(exchange),
            "DISTSIM_HUB_IP": "127.0.0.1",
            "DISTSIM_HUB_PORT": str(self.port),
            "DISTSIM_HUB_API_PORT": str(api),
            "DISTSIM_HUB_PROXY_API_PORT": str(proxy_api),
            "DISTSIM_HUB_FORMGRADER_PORT": str(formgrader),
            "DISTSIM_HUB_INSTRUCTOR": instructor,
            "DISTSIM_HUB_USERS": ",".join(roster),
            "DISTSIM_HUB_AUTH": "dummy",
            "DISTSIM_HUB_DUMMY_PASSWORD": password,
            "DISTSIM_HUB_MEM_LIMIT": mem_limit,
            "DISTSIM_HUB_CPU_LIMIT": cpu_limit,
            # Five servers starting at once on two busy cores take minutes, not the class default.
            "DISTSIM_HUB_START_TIMEOUT": "600",
        }
        self.proc = None

    def start(self, deadline_s=180):
        Path(self.log_path).parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [str(REPO / "scripts/hub"), "start"], env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.proc.returncode}):\n{self.log()}")
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=5).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.2)  # polling the hub's socket for the moment it answers
        raise RuntimeError(f"the hub did not answer within {deadline_s} s:\n{self.log()}")

    def log(self):
        return Path(self.log_path).read_text(errors="replace")[-6000:]

    def pids(self):
        """The hub's and the proxy's process ids."""
        hub = self.proc.pid
        children = subprocess.run(["ps", "-o", "pid=,args=", "--ppid", str(hub)], capture_output=True, text=True)
        proxy = [int(line.split()[0]) for line in children.stdout.splitlines() if "configurable-http-proxy" in line]
        return hub, proxy

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def login(hub_url, user, password):
    """A token for `user`, from the password, through the REST API (no browser, no cookie)."""
    r = requests.post(
        f"{hub_url}/hub/api/users/{user}/tokens",
        json={"auth": {"username": user, "password": password}, "note": "distsim hub test", "expires_in": 3600},
        timeout=60,
    )
    r.raise_for_status()
    return r.json()["token"]


def start_server(hub_url, user, token, deadline_s=300):
    """Asks the hub to start the user's server and follows the spawn's progress events to 'ready'."""
    headers = {"Authorization": f"token {token}"}
    r = requests.post(f"{hub_url}/hub/api/users/{user}/server", headers=headers, timeout=60)
    if r.status_code not in (201, 202):
        raise RuntimeError(f"starting {user}'s server: {r.status_code} {r.text}")
    with requests.get(
        f"{hub_url}/hub/api/users/{user}/server/progress", headers=headers, stream=True, timeout=deadline_s
    ) as events:
        for line in events.iter_lines(decode_unicode=True):
            if not line or not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            if event.get("ready"):
                wait_for_route(hub_url, user, headers, deadline_s)
                return event
            if event.get("failed"):
                raise RuntimeError(f"{user}'s server failed to start: {event}")
    raise RuntimeError(f"{user}'s server: progress stream ended without 'ready'")


def wait_for_route(hub_url, user, headers, deadline_s):
    """Waits until the proxy routes /user/<user>/ to the server. 'ready' can come before the route:
    a kernel request sent at once got a 404 from the hub (class.py with 8 students, 2026-12-03)."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        r = requests.get(f"{hub_url}/user/{user}/api/status", headers=headers, timeout=60, allow_redirects=False)
        if r.status_code == 200:
            return
        time.sleep(0.2)  # polling the proxy's table; the deadline bounds it
    raise RuntimeError(f"{user}'s server: no route through the proxy within {deadline_s} s")


class Kernel:
    """A distsim kernel in a user's server, driven over the Jupyter server's REST API and websocket."""

    def __init__(self, hub_url, user, token, name="distsim"):
        self.base = f"{hub_url}/user/{user}"
        self.headers = {"Authorization": f"token {token}"}
        r = requests.post(f"{self.base}/api/kernels", json={"name": name}, headers=self.headers, timeout=60)
        r.raise_for_status()
        self.id = r.json()["id"]
        ws_url = self.base.replace("http://", "ws://") + f"/api/kernels/{self.id}/channels"
        self.ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=600)
        self.session = uuid.uuid4().hex

    def execute(self, code, timeout_s=600):
        """Runs one cell; returns (reply status, outputs, seconds from request to reply and idle).
        Raises `TimeoutError` naming the cell and what arrived, if the reply and idle status are
        not both in within `timeout_s` (a guard against a hung kernel, not a measurement)."""
        msg_id = uuid.uuid4().hex
        header = {"msg_id": msg_id, "username": "test", "session": self.session, "msg_type": "execute_request",
                  "version": "5.3", "date": ""}
        content = {"code": code, "silent": False, "store_history": True, "user_expressions": {}, "allow_stdin": False,
                   "stop_on_error": True}
        started = time.monotonic()
        self.ws.send(json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                                 "channel": "shell"}))
        outputs, status, idle = [], None, False
        end = started + timeout_s
        while status is None or not idle:
            left = end - time.monotonic()
            try:
                if left <= 0:
                    raise websocket.WebSocketTimeoutException("deadline passed")
                self.ws.settimeout(left)
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                raise TimeoutError(
                    f"no {'idle status' if status else 'execute_reply'} within {timeout_s:.0f} s for the cell "
                    f"{code[:60]!r}; outputs so far: {str(outputs)[-500:]}"
                ) from None
            if msg["header"]["msg_type"] == "status" and msg["content"]["execution_state"] in ("restarting", "dead"):
                # The server lost the kernel process itself (not just its evaluation process):
                # no reply will come for this cell.
                raise RuntimeError(f"the kernel process {msg['content']['execution_state']} during the cell {code[:60]!r}")
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "execute_reply":
                status = msg["content"]["status"]
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
            elif kind in ("stream", "display_data", "execute_result", "error"):
                outputs.append({"output_type": kind, **msg["content"]})
        return status, outputs, time.monotonic() - started

    def shutdown(self):
        try:
            self.ws.close()
        finally:
            requests.delete(f"{self.base}/api/kernels/{self.id}", headers=self.headers, timeout=60)


def notebook_code_cells(hub_url, user, token, path):
    """The code cells of a notebook in the user's home, read through the contents API."""
    r = requests.get(f"{hub_url}/user/{user}/api/contents/{path}", headers={"Authorization": f"token {token}"},
                     params={"content": "1"}, timeout=60)
    r.raise_for_status()
    return [c["source"] for c in r.json()["content"]["cells"] if c["cell_type"] == "code"]


def _rollup(pid):
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name.strip()] = int(value.split()[0]) * 1024
    return fields


def user_memory(login, kinds=("distsim-kernel",)):
    """RSS and PSS in bytes, summed over the user's processes whose command matches `kinds`
    (default: kernels and their evaluation processes, which run the same binary)."""
    uid = pwd.getpwnam(login).pw_uid
    total = {"rss": 0, "pss": 0, "processes": 0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid != uid:
                continue
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not any(k in cmd for k in kinds):
                continue
            rollup = _rollup(entry.name)
        except (OSError, ValueError):
            continue
        total["rss"] += rollup.get("Rss", 0)
        total["pss"] += rollup.get("Pss", 0)
        total["processes"] += 1
    return total


def process_memory(pid):
    rollup = _rollup(pid)
    return {"rss": rollup.get("Rss", 0), "pss": rollup.get("Pss", 0)}
