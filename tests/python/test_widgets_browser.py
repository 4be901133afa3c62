"""Widgets in a real browser (issue 12), and the interactive space-time diagram made in the
session (issue 11's remaining browser item).

JupyterLab (started as in test_browser.py) opens a scratch notebook with two cells: a slider with
``interact`` and a space-time diagram. tests/browser/widgets.js runs them in headless chromium,
drags the slider and waits until the widget's Output shows the closure's output for the new
value; moves the diagram's scrubber and hovers until a message's tooltip (`client -> server`) shows; saves, reloads
the page and checks that the same widget comes back at the dragged value (the front end rebuilds
it from the kernel's state: jupyter.widget.control's request_states).

Needs: scripts/setup-browser (chromium + npm ci) and the distsim kernel installed in the venv.
Run: .venv/bin/python -m pytest tests/python/test_widgets_browser.py
"""

import json
import subprocess
import tempfile
from pathlib import Path

import nbformat
from test_browser import BROWSER_DIR, ROOT, jupyterlab, require_tools

NOTEBOOK = "widgets.ipynb"
SLIDER_CELL = """let loss = FloatSlider::new("loss", 0.0..=0.5).step(0.01);
loss.interact(|v| println!("loss is {v:.2}"))?;"""
DIAGRAM_CELL = """let mut sim = concepts::delivery::Config { requests: 5, loss: 0.3, ..Default::default() }.build(33)?;
sim.run_until_quiet()?;
SpaceTime::new(sim.trace())"""


def write_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "distsim", "display_name": "Rust (distsim)", "language": "rust"}
    nb.cells = [nbformat.v4.new_code_cell(SLIDER_CELL), nbformat.v4.new_code_cell(DIAGRAM_CELL)]
    nbformat.write(nb, path)


def test_slider_drag_reruns_the_closure_and_survives_a_reload():
    require_tools()
    shots = ROOT / "build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="distsim-widgets-") as tmp:
        tmp = Path(tmp)
        served = tmp / "served"
        served.mkdir()
        write_notebook(served / NOTEBOOK)
        with jupyterlab(tmp, served) as (url, token, log):
            shot = shots / "widgets.png"
            result = subprocess.run(
                ["node", "widgets.js", "--url", url, "--token", token, "--notebook", NOTEBOOK,
                 "--screenshot", str(shot), "--timeout-ms", "600000"],
                cwd=BROWSER_DIR, capture_output=True, text=True, timeout=900)
            assert result.returncode == 0, (
                f"{result.stderr}\n{result.stdout}\n--- server log ---\n{log.read_text()[-3000:]}")
            found = json.loads(result.stdout.strip().splitlines()[-1])
            print(json.dumps(found, indent=1))
            assert found["before"] == {"readout": "0.00", "output": "loss is 0.00"}, found
            dragged = found["dragged"]["readout"]
            assert dragged != "0.00" and found["dragged"]["output"] == f"loss is {dragged}", found
            assert found["reloaded"] == found["dragged"], "the reloaded page shows the same widget"
            assert found["diagram"]["scrubbed"].startswith("event 3/"), found
            assert " -> " in found["diagram"]["tooltip"], "hovering shows a message (sender -> receiver)"
