"""Every course notebook runs headless with the distsim kernel and shows what it promises.

- The course is exactly notebooks 00..18 in the issue's order, generated from notebooks/source/.
- Notebooks are stored without outputs or execution counts, with the distsim kernelspec.
- Executing a notebook (nbclient) raises no error output.
- Every concept notebook (01..15) draws at least one SVG plot and one HTML table.
- No cell shows a distsim table or plot as its debug text (the rich display was lost).

Run: .venv/bin/python -m pytest tests/python/test_notebooks.py   (needs the distsim kernel installed)
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import nbrun  # noqa: E402

# The course order from the issue: each number's topic, as a word its file name must contain.
COURSE = {
    "00": "start", "01": "why", "02": "failure", "03": "network", "04": "two-generals",
    "05": "fallacies", "06": "availability", "07": "data-center", "08": "tiers",
    "09": "geography", "10": "scaling", "11": "consistency", "12": "latency", "13": "time",
    "14": "correctness", "15": "trade-offs", "16": "replication", "17": "consensus", "18": "ladder",
}
NOTEBOOKS = nbrun.notebook_paths()


def test_course_has_every_notebook_in_order():
    found = {p.name[:2]: p.name for p in NOTEBOOKS}
    assert sorted(found) == sorted(COURSE), f"notebooks present: {sorted(found)}"
    for number, word in COURSE.items():
        assert word in found[number], f"notebook {number} should be about {word!r}: {found[number]}"


def test_notebooks_match_their_sources():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_notebooks.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_clean(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "distsim"
    assert nb["metadata"]["language_info"]["name"] == "rust"
    assert "widgets" not in nb["metadata"]
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"cell {i} has stored outputs"
            assert cell["execution_count"] is None, f"cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes_and_draws(path):
    try:
        run = nbrun.execute(path)
    except nbrun.NotebookFailed as err:
        pytest.fail(str(err))
    counts = nbrun.mime_counts(run.nb)
    assert counts["error"] == 0, f"{path.name}: error outputs"
    lost = [nbrun.describe(run.nb, i) for i, cell in enumerate(run.nb.cells) if shows_debug_of_renderable(cell)]
    assert not lost, f"{path.name}: a table or plot shown as debug text instead of rendered: {lost}"
    if path.name.startswith("00"):
        return
    assert counts["svg"] >= 1, f"{path.name}: no image/svg+xml output"
    assert counts["table"] >= 1, f"{path.name}: no HTML table output"


# How distsim's renderable values start when printed with `{:?}`.
RENDERABLE_DEBUG = ("Plot {", "Table {", "SpaceTime {")


def shows_debug_of_renderable(cell) -> bool:
    """A result with only text/plain that is a renderable's debug text: its rich display was lost
    (for example a final expression that moved a variable of the same cell; see kernel/README.md)."""
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if out.get("output_type") == "execute_result" and set(data) == {"text/plain"}:
            if data["text/plain"].lstrip().startswith(RENDERABLE_DEBUG):
                return True
    return False
