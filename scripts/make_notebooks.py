#!/usr/bin/env python3
"""Writes notebooks/NN-*.ipynb from their readable sources in notebooks/source/NN-*.md.

Why a source format at all: a notebook's JSON is hard to review in a diff, and outputs or
execution counts sneak into commits. The sources are plain Markdown in which every fenced
```rust block becomes one code cell and the prose between blocks becomes a Markdown cell
(a line holding only `<!-- split -->` starts a new Markdown cell without code in between).
The generated notebooks carry no outputs, no execution counts, stable cell ids and the
`distsim` kernelspec, so generating twice gives byte-identical files.

Usage:
    scripts/make_notebooks.py            # (re)write every notebook
    scripts/make_notebooks.py --check    # exit 1 if a notebook differs from its source
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "notebooks" / "source"
OUT = ROOT / "notebooks"

KERNELSPEC = {"name": "distsim", "display_name": "Rust (distsim)", "language": "rust"}
LANGUAGE_INFO = {
    "name": "rust",
    "file_extension": ".rs",
    "mimetype": "text/rust",
    "codemirror_mode": "rust",
    "pygments_lexer": "rust",
}
FENCE_OPEN = re.compile(r"^```rust\s*$")
FENCE_CLOSE = re.compile(r"^```\s*$")
SPLIT = "<!-- split -->"


def parse(text: str) -> list[tuple[str, str]]:
    """Splits a source into (kind, text) cells, kind being "markdown" or "code"."""
    cells: list[tuple[str, str]] = []
    prose: list[str] = []
    code: list[str] | None = None

    def flush_prose() -> None:
        body = "\n".join(prose).strip("\n")
        if body.strip():
            cells.append(("markdown", body))
        prose.clear()

    for lineno, line in enumerate(text.splitlines(), start=1):
        if code is not None:
            if FENCE_CLOSE.match(line):
                body = "\n".join(code).strip("\n")
                if not body.strip():
                    raise ValueError(f"line {lineno}: empty code cell")
                cells.append(("code", body))
                code = None
            else:
                code.append(line)
        elif FENCE_OPEN.match(line):
            flush_prose()
            code = []
        elif line.strip() == SPLIT:
            flush_prose()
        else:
            prose.append(line)
    if code is not None:
        raise ValueError("unterminated ```rust block at end of file")
    flush_prose()
    return cells


def notebook(stem: str, cells: list[tuple[str, str]]) -> dict:
    prefix = stem.split("-", 1)[0]
    out = []
    for i, (kind, body) in enumerate(cells):
        cell = {"cell_type": kind, "id": f"nb{prefix}-{i:02d}", "metadata": {}, "source": body}
        if kind == "code":
            cell["execution_count"] = None
            cell["outputs"] = []
        out.append(cell)
    return {
        "cells": out,
        "metadata": {"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def render(nb: dict) -> str:
    # One-string sources would be legal nbformat, but Jupyter itself writes lists of lines;
    # writing the same shape keeps diffs small when someone saves from JupyterLab.
    for cell in nb["cells"]:
        cell["source"] = cell["source"].splitlines(keepends=True)
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    sources = sorted(SOURCES.glob("[0-9][0-9]-*.md"))
    if not sources:
        print(f"no sources in {SOURCES}", file=sys.stderr)
        return 1
    stale = []
    for src in sources:
        try:
            cells = parse(src.read_text(encoding="utf-8"))
        except ValueError as err:
            print(f"{src.relative_to(ROOT)}: {err}", file=sys.stderr)
            return 1
        text = render(notebook(src.stem, cells))
        target = OUT / f"{src.stem}.ipynb"
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        if check:
            stale.append(target.relative_to(ROOT))
        else:
            target.write_text(text, encoding="utf-8")
            print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        print("out of date (run scripts/make_notebooks.py):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
