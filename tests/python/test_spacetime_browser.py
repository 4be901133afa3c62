"""The interactive space-time diagram in a real browser, without JupyterLab.

`examples/spacetime_html.rs` writes three pages (a small run shown twice plus another diagram,
10,000 events, 100,000 events) into a scratch folder; tests/browser/spacetime.js opens them in
headless Debian chromium (Playwright): steps through a run, hovers a message and reads the
tooltip, filters a lane, zooms, moves the scrubber, times scrub steps on 10,000 events, checks
the aggregated view, and checks that with scripts off the static SVG shows. Takes seconds once
the example is built.

Needs: scripts/setup-browser (chromium + npm ci).
Run: .venv/bin/python -m pytest tests/python/test_spacetime_browser.py
"""

import json
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROWSER_DIR = ROOT / "tests" / "browser"


def test_interactive_diagram_in_chromium():
    if not Path("/usr/bin/chromium").exists() or not (BROWSER_DIR / "node_modules" / "playwright-core").exists():
        pytest.fail("missing chromium or playwright-core: run scripts/setup-browser first")
    with tempfile.TemporaryDirectory(prefix="distsim-spacetime-") as tmp:
        made = subprocess.run(
            ["cargo", "run", "--quiet", "--locked", "--release", "-p", "distsim", "--example", "spacetime_html", "--", tmp],
            cwd=ROOT, capture_output=True, text=True, timeout=1800)
        assert made.returncode == 0, made.stderr
        sizes = json.loads(made.stdout.strip().splitlines()[-1])
        assert sizes["large.html"]["bytes"] < 2_000_000, sizes
        result = subprocess.run(["node", "spacetime.js", tmp], cwd=BROWSER_DIR,
                                capture_output=True, text=True, timeout=180)
        assert result.returncode == 0, f"{result.stderr}\n{result.stdout}"
        found = json.loads(result.stdout.strip().splitlines()[-1])
        print(json.dumps({"sizes": sizes, "browser": found}, indent=1))
        assert found["largeEvents"] == 10_000 and found["hugeEvents"] == 100_000, found
        assert "Lamport: send 1, delivery 2" in found["tooltip"], found
        assert found["noScriptStaticVisible"], found
        assert len(set(found["ids"])) == 3, found
        # Scrub and repaint times are measured and printed (run with -s to see them), not
        # asserted: a test must not depend on the machine's load.
        assert found["scrub"]["steps"] == 200 and found["scrub"]["drawMeanMs"] > 0, found["scrub"]
