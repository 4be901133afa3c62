"""The handout command (scripts/build-handouts) as instructors use it.

- A handout is one self-contained HTML page: the plots are embedded SVG, the tables HTML, and
  nothing in the page would load from the network.
- A failing cell fails the command (exit 1), and the message names the notebook and the cell.

Every course notebook is executed by test_notebooks.py; here the command runs on the start-here
notebook and on a deliberately broken one, which is enough to test the command itself without
executing the whole course twice.

Run: .venv/bin/python -m pytest tests/python/test_handouts.py   (needs the distsim kernel installed)
"""

import os
import subprocess
import sys
import types
from importlib.machinery import SourceFileLoader
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "build-handouts"
# The command's own check for remote references, so the test and the build agree on what counts.
def _load_script():
    loader = SourceFileLoader("build_handouts", str(SCRIPT))
    module = types.ModuleType(loader.name)
    module.__file__ = str(SCRIPT)
    loader.exec_module(module)
    return module


HANDOUTS = _load_script()
REMOTE = HANDOUTS.REMOTE


def build(out: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run([sys.executable, str(SCRIPT), "--out", str(out), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)


def test_a_handout_is_one_self_contained_page_with_inline_svg_and_tables(tmp_path):
    done = build(tmp_path, "00")
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "00-start-here.html").read_text(encoding="utf-8")
    # nbconvert embeds SVG output as a data URI image.
    assert "data:image/svg+xml" in page and "<table" in page
    assert REMOTE.search(page) is None, page[REMOTE.search(page).start():][:120]
    assert "<script src" not in page
    # A partial build into an empty folder still gets an index that links the page.
    assert 'href="00-start-here.html"' in (tmp_path / "index.html").read_text(encoding="utf-8")


def test_a_failing_cell_fails_the_build_and_names_the_notebook_and_the_cell(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "distsim", "display_name": "Rust (distsim)", "language": "rust"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# A broken handout"),
        nbformat.v4.new_code_cell("let fine = 1;"),
        nbformat.v4.new_code_cell('let broken: u32 = "text";'),
    ]
    path = tmp_path / "broken-lesson.ipynb"
    nbformat.write(nb, path)
    out = tmp_path / "out"
    done = build(out, str(path))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "broken-lesson.ipynb" in done.stderr and "cell 2" in done.stderr, done.stderr
    assert "mismatched types" in done.stderr, done.stderr
    assert not (out / "broken-lesson.html").exists()


def test_an_unknown_notebook_is_a_clear_error(tmp_path):
    done = build(tmp_path, str(tmp_path / "missing.ipynb"))
    assert done.returncode == 1
    assert "no such notebook" in done.stderr and "missing.ipynb" in done.stderr


def test_a_partial_index_numbers_each_handout_as_its_notebook(tmp_path):
    """An index of 04 and 06 (what `build-handouts 04 06` writes into an empty folder) reads 4 and 6."""
    from bs4 import BeautifulSoup

    HANDOUTS.write_index(tmp_path, [
        ("04-two-generals.html", "4 · The Two Generals problem", 1.0),
        ("06-availability-and-nines.html", "6 · Availability and nines", 1.0),
        ("extra.html", "An extra notebook", 1.0),
    ])
    page = BeautifulSoup((tmp_path / "index.html").read_text(encoding="utf-8"), "html.parser")
    items = page.find_all("li")
    # An <ol> numbers an item by its `value`, else by the previous item's number plus one.
    assert page.find("ol").get("start") is None
    assert [li.get("value") for li in items] == ["4", "6", None]
    assert [li.get_text() for li in items] == ["The Two Generals problem", "Availability and nines",
                                               "An extra notebook"]
    assert "unnumbered" in items[2].get("class")  # shown without a number, not as 7
