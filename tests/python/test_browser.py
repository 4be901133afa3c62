"""A real browser opens a concept notebook in JupyterLab and runs it.

The test starts JupyterLab on 127.0.0.1 (random free port, random token, no browser of its own,
the venv's kernelspecs, fresh config/runtime/workspace folders), copies one concept notebook
into a scratch folder served by it (so autosave never writes outputs into the repository),
drives headless Debian chromium through tests/browser/run_notebook.js (Playwright), and stops
the server itself whatever happens. The screenshot lands in build/screenshots/.

Needs: scripts/setup-browser (chromium + npm ci) and the distsim kernel installed in the venv.
Run: .venv/bin/python -m pytest tests/python/test_browser.py
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROWSER_DIR = ROOT / "tests" / "browser"
# A concept notebook with a sweep, a table and a plot that runs in seconds.
NOTEBOOK = "06-availability-and-nines.ipynb"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_tools() -> None:
    missing = []
    if not Path("/usr/bin/chromium").exists():
        missing.append("/usr/bin/chromium")
    if not (BROWSER_DIR / "node_modules" / "playwright-core").exists():
        missing.append("tests/browser/node_modules/playwright-core")
    if missing:
        pytest.fail(f"missing {', '.join(missing)}: run scripts/setup-browser first")
    specs = subprocess.run([str(BIN / "jupyter-kernelspec"), "list", "--json"],
                           capture_output=True, text=True, check=True)
    if "distsim" not in json.loads(specs.stdout)["kernelspecs"]:
        pytest.fail("the distsim kernel is not installed in this venv: "
                    "run target/release/distsim-kernel install --sys-prefix")


def wait_for_server(proc: subprocess.Popen, url: str, token: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within 90 s:\n{log.read_text()[-3000:]}")


def stop_server(proc: subprocess.Popen, url: str, token: str) -> None:
    if proc.poll() is not None:
        return
    # The shutdown API stops the kernels cleanly before the server exits.
    try:
        req = urllib.request.Request(f"{url}/api/shutdown?token={token}", method="POST")
        urllib.request.urlopen(req, timeout=5).close()
        proc.wait(timeout=20)
        return
    except (OSError, subprocess.TimeoutExpired):
        pass
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def jupyterlab(tmp: Path, served: Path):
    """JupyterLab serving `served` (config, runtime and workspaces under `tmp`), as (url, token,
    log path); stopped on exit whatever happens."""
    port, token = free_port(), secrets.token_hex(16)
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(tmp / "config"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
               JUPYTER_DATA_DIR=str(tmp / "data"),  # only the venv's (sys-prefix) kernelspecs
               JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(tmp / "workspaces"))
    log = tmp / "jupyterlab.log"
    cmd = [str(BIN / "jupyter-lab"), "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={served}",
           "--ServerApp.allow_root=True",  # CI and this machine run as root
           "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
           f"--LabApp.workspaces_dir={tmp / 'workspaces'}"]
    with open(log, "w") as log_file:
        proc = subprocess.Popen(cmd, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                cwd=served, start_new_session=True)
    try:
        wait_for_server(proc, url, token, log)
        yield url, token, log
    finally:
        stop_server(proc, url, token)


def test_concept_notebook_runs_in_jupyterlab():
    require_tools()
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="distsim-lab-") as tmp:
        tmp = Path(tmp)
        served = tmp / "served"
        served.mkdir()
        shutil.copy(ROOT / "notebooks" / NOTEBOOK, served / NOTEBOOK)
        with jupyterlab(tmp, served) as (url, token, log):
            shot = shots / (Path(NOTEBOOK).stem + ".png")
            result = subprocess.run(
                ["node", "run_notebook.js", "--url", url, "--token", token, "--notebook", NOTEBOOK,
                 "--screenshot", str(shot), "--timeout-ms", "600000"],
                cwd=BROWSER_DIR, capture_output=True, text=True, timeout=900)
            assert result.returncode == 0, (
                f"{result.stderr}\n{result.stdout}\n--- server log ---\n{log.read_text()[-3000:]}")
            found = json.loads(result.stdout.strip().splitlines()[-1])
            assert found["modelSeen"], "could not read the notebook model from the page"
            assert found["svg"] >= 1 and found["tables"] >= 1, found
            assert found["errorOutputs"] == 0 and found["stderrOutputs"] == 0, found
            assert shot.exists() and shot.stat().st_size > 0
