"""Runs a course notebook headless with the distsim kernel (nbclient), shared by
scripts/build-handouts and tests/python/test_notebooks.py.

A failing cell raises `NotebookFailed`, whose message names the notebook, the cell (its index
among all cells, its id and its first line) and the kernel's error, so a broken handout build
or test points at the exact place to fix.
"""

import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "distsim"
CELL_TIMEOUT_S = 1200  # the first cell of a fresh kernel may compile the library (minutes when cold)


class NotebookFailed(Exception):
    pass


@dataclass
class Run:
    path: Path
    nb: nbformat.NotebookNode
    seconds: float
    cell_seconds: list = field(default_factory=list)  # (cell index, seconds)


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


def describe(nb, index: int) -> str:
    cell = nb.cells[index]
    first = next((line for line in cell.source.splitlines() if line.strip()), "")
    return f"cell {index} (id {cell.get('id', '?')}): {first[:70]!r}"


def error_text(cell) -> str:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename')}: {out.get('evalue')}"
    return ""


def execute(path: Path, timeout: int = CELL_TIMEOUT_S) -> Run:
    nb = nbformat.read(path, as_version=4)
    current = {"index": None, "started": 0.0}
    timings = []

    def on_start(cell, cell_index, **_):
        current["index"], current["started"] = cell_index, time.monotonic()

    def on_done(cell, cell_index, **_):
        timings.append((cell_index, time.monotonic() - current["started"]))

    client = NotebookClient(
        nb, kernel_name=KERNEL, timeout=timeout, startup_timeout=180, allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=on_start, on_cell_executed=on_done)
    started = time.monotonic()
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
        where = describe(nb, current["index"]) if current["index"] is not None else "kernel start"
        detail = error_text(nb.cells[current["index"]]) if current["index"] is not None else ""
        kind = type(err).__name__
        lines = str(err).strip().splitlines()
        msg = detail or (lines[-1] if lines else "")
        raise NotebookFailed(f"{path.name}: {where}: {kind}: {msg}") from err
    return Run(path, nb, time.monotonic() - started, timings)


def mime_counts(nb) -> dict:
    """How many outputs carry an SVG image, an HTML table, or an error."""
    counts = {"svg": 0, "table": 0, "error": 0}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                counts["error"] += 1
            data = out.get("data", {})
            if "image/svg+xml" in data:
                counts["svg"] += 1
            if "<table" in str(data.get("text/html", "")):
                counts["table"] += 1
    return counts
