#!/usr/bin/env python3
"""Compiles and runs the notebooks' Rust cells as one ordinary program, without a kernel.

Why: the kernel is slow to build and evcxr reports one cell at a time; this catches API
mistakes in every notebook with a single `cargo run`. Each notebook becomes a module whose
`run()` holds the notebook's cells in order (variables persist from cell to cell, as in the
kernel). A cell's final expression is displayed the way the kernel would: through `Render`
when the value has it, `Debug` otherwise, and the rendered bundle must not be empty.
Failures name the notebook and cell (cell ids come from scripts/make_notebooks.py).

What it cannot see: evcxr's own limits, such as a value of an unnameable type (a closure, an
`impl Iterator`) kept in a variable across cells. Keep those inside one cell.

Usage:
    scripts/check_notebook_code.py                 # every notebook
    scripts/check_notebook_code.py 03 07           # notebooks whose name starts with 03 or 07
    scripts/check_notebook_code.py --no-run        # compile only
    scripts/check_notebook_code.py --show 06       # also print every displayed value as text
    scripts/check_notebook_code.py --debug         # unoptimised build, to estimate kernel run times
The scratch crate lives in $CARGO_TARGET_DIR/nbcheck (default /work/tgt/course).
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", "/work/tgt/course"))
CRATE = TARGET / "nbcheck"


def strip_code(code: str) -> list[tuple[int, str]]:
    """Yields (index, char) of code outside comments and string/char literals, with depth info
    computed by the caller. Literal contents are replaced by spaces so brackets inside them
    do not count."""
    out = []
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if code.startswith("//", i):
            j = code.find("\n", i)
            i = n if j < 0 else j
            continue
        if code.startswith("/*", i):
            depth, i = 1, i + 2
            while i < n and depth:
                if code.startswith("/*", i):
                    depth, i = depth + 1, i + 2
                elif code.startswith("*/", i):
                    depth, i = depth - 1, i + 2
                else:
                    i += 1
            continue
        m = re.match(r'b?r(#*)"', code[i:])
        if m and (i == 0 or not (code[i - 1].isalnum() or code[i - 1] == "_")):
            end = code.find('"' + m.group(1), i + m.end())
            i = n if end < 0 else end + 1 + len(m.group(1))
            out.append((i - 1, '"'))
            continue
        if c == '"':
            i += 1
            while i < n and code[i] != '"':
                i += 2 if code[i] == "\\" else 1
            out.append((i, '"'))
            i += 1
            continue
        if c == "'":
            m = re.match(r"'(\\.[^']*|[^\\'])'", code[i:])
            if m:  # a char literal; otherwise a lifetime
                i += m.end()
                out.append((i - 1, "'"))
                continue
        out.append((i, c))
        i += 1
    return out


def split_tail(code: str) -> tuple[str, str]:
    """Splits a cell into (statements, final expression). The final expression is whatever
    follows the last `;` or block-closing `}` at bracket depth zero."""
    depth, cut = 0, 0
    for idx, c in strip_code(code):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth == 0 and c == "}":
                cut = idx + 1
        elif c == ";" and depth == 0:
            cut = idx + 1
    tail = code[cut:]
    visible = "".join(c for _, c in strip_code(tail)).strip()
    return (code, "") if not visible else (code[:cut], tail.strip())


PRELUDE = """#![allow(warnings)]
use std::fmt::Debug;

pub struct Shown<'a, T>(pub &'a T);
pub trait ViaRender { fn show(&self); }
impl<T: distsim::render::Render> ViaRender for Shown<'_, T> {
    fn show(&self) {
        let bundle = self.0.mime_bundle();
        assert!(!bundle.0.is_empty(), "empty MIME bundle");
        // A plot that cannot be drawn degrades to its text summary; in a notebook that is a bug.
        let plain = bundle.0.get("text/plain").map(String::as_str).unwrap_or("");
        if plain.starts_with("Plot \\"") && !bundle.0.contains_key("image/svg+xml") {
            panic!("plot not drawn: {plain}");
        }
        for (mime, body) in &bundle.0 {
            assert!(!body.trim().is_empty(), "empty {mime} output");
        }
        crate::SHOWN.with(|s| s.borrow_mut().extend(bundle.0.keys().cloned()));
        if std::env::var_os("NBCHECK_SHOW").is_some() {
            println!("{}\n", bundle.0.get("text/plain").map(String::as_str).unwrap_or(""));
        }
    }
}
pub trait ViaDebug { fn show(&self); }
impl<T: Debug> ViaDebug for &Shown<'_, T> {
    fn show(&self) {
        let text = format!("{:?}", self.0);
        if std::env::var_os("NBCHECK_SHOW").is_some() { println!("{text}\n"); }
    }
}
"""


def module_source(nb_path: Path) -> tuple[str, dict[int, str]]:
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    lines = [
        "use crate::{ViaDebug, ViaRender, Shown};",
        "pub fn run() -> std::result::Result<(), Box<dyn std::error::Error>> {",
        "use distsim::prelude::*;",
    ]
    line_cell: dict[int, str] = {}
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        src = "".join(cell["source"])
        cid = cell.get("id", "?")
        body, tail = split_tail(src)
        chunk = [f'crate::enter("{cid}");']
        chunk += body.splitlines()
        if tail:
            chunk.append(f"let __out = {tail};")
            chunk.append("(&Shown(&__out)).show();")
        for text in chunk:
            lines.append(text)
            line_cell[len(lines)] = cid
    lines += ["Ok(())", "}"]
    return "\n".join(lines) + "\n", line_cell


def write_crate(notebooks: list[Path]) -> dict[str, dict[int, str]]:
    src = CRATE / "src"
    src.mkdir(parents=True, exist_ok=True)
    (CRATE / "Cargo.toml").write_text(
        '[package]\nname = "nbcheck"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
        f'[dependencies]\ndistsim = {{ path = "{ROOT}" }}\n\n[workspace]\n',
        encoding="utf-8",
    )
    # Same dependency versions as the project: start from its lock file.
    lock = (ROOT / "Cargo.lock").read_text(encoding="utf-8")
    (CRATE / "Cargo.lock").write_text(lock, encoding="utf-8")
    maps, mods, calls = {}, [], []
    for nb in notebooks:
        mod = "nb" + re.sub(r"\W", "_", nb.stem)
        code, line_cell = module_source(nb)
        (src / f"{mod}.rs").write_text(code, encoding="utf-8")
        maps[f"src/{mod}.rs"] = {k: f"{nb.name} cell {v}" for k, v in line_cell.items()}
        mods.append(f"mod {mod};")
        calls.append(f'    ("{nb.name}", {mod}::run),')
    main = PRELUDE + "\n".join(mods) + "\n" + MAIN.replace("@CALLS@", "\n".join(calls))
    (src / "main.rs").write_text(main, encoding="utf-8")
    return maps


MAIN = """
thread_local! { pub static SHOWN: std::cell::RefCell<Vec<String>> = Default::default(); }
static CELL: std::sync::Mutex<&'static str> = std::sync::Mutex::new("");
pub fn enter(cell: &'static str) { *CELL.lock().unwrap() = cell; }
type Run = fn() -> std::result::Result<(), Box<dyn std::error::Error>>;
const NOTEBOOKS: &[(&str, Run)] = &[
@CALLS@
];
fn main() {
    let mut failed = 0;
    for (name, run) in NOTEBOOKS {
        SHOWN.with(|s| s.borrow_mut().clear());
        let started = std::time::Instant::now();
        let outcome = std::panic::catch_unwind(run);
        let cell = *CELL.lock().unwrap_or_else(|e| e.into_inner());
        let shown = SHOWN.with(|s| s.borrow().clone());
        let svg = shown.iter().filter(|m| *m == "image/svg+xml").count();
        let html = shown.iter().filter(|m| *m == "text/html").count();
        match outcome {
            Ok(Ok(())) => eprintln!("ok   {name} ({:.2}s, final values: {svg} svg, {html} html)", started.elapsed().as_secs_f64()),
            Ok(Err(e)) => { failed += 1; eprintln!("FAIL {name} cell {cell}: error: {e}"); }
            Err(_) => { failed += 1; eprintln!("FAIL {name} cell {cell}: panicked"); }
        }
    }
    if failed > 0 { std::process::exit(1); }
}
"""


def annotate(output: str, maps: dict[str, dict[int, str]]) -> str:
    def repl(m: re.Match) -> str:
        where = maps.get(m.group(1), {}).get(int(m.group(2)))
        return m.group(0) + (f"  [{where}]" if where else "")

    return re.sub(r"(src/nb\w+\.rs):(\d+):\d+", repl, output)


def main(argv: list[str]) -> int:
    run = "--no-run" not in argv
    show = "--show" in argv
    prefixes = [a for a in argv if not a.startswith("--")]
    notebooks = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    if prefixes:
        notebooks = [nb for nb in notebooks if any(nb.name.startswith(p) for p in prefixes)]
    if not notebooks:
        print("no notebooks matched", file=sys.stderr)
        return 1
    maps = write_crate(notebooks)
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET))
    if show:
        env["NBCHECK_SHOW"] = "1"

    profile = [] if "--debug" in argv else ["--release"]
    cmd = ["cargo", "run" if run else "build", *profile, "--offline", "--quiet",
           "--manifest-path", str(CRATE / "Cargo.toml")]
    proc = subprocess.run(cmd, env=env, stdout=None if show else subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    sys.stderr.write(annotate(proc.stderr, maps))
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
