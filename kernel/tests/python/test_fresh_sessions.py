"""Issue 18 item 4: fresh sessions whose first cells failed with `dlsym failed`, and never recovered.

The cause: every kernel directory shared one `deps/ctx.d` (rustc's dependency list of the cell
crate) with the template and all other running kernels, through a hard link. rustc rewrites it in
place at every cell, so a build in one kernel could read it truncated by another, and cargo then
believed the cell crate depended on no source: it kept handing evcxr the previous cell's library
(`kernel/src/interpreter/cell_builds.rs` tells the whole story).

- ``test_a_cell_in_one_kernel_changes_no_file_of_another`` checks the cause is gone, without
  depending on winning a race: a cell compiled in one kernel must leave every file of another
  kernel's directory as it was.
- ``test_a_stale_cell_build_is_survived_and_the_next_cell_works`` puts one kernel in the state the
  race left (cargo's record of the cell crate newer than any source, so it rebuilds nothing) and
  checks that the kernel comes back by itself.
- ``test_fresh_sessions_run_the_first_cells_of_notebook_00`` runs a few sessions at once, as the
  reproduction script ``fresh_sessions.py`` does many times.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import execute, result_plain, start_kernel, stop_kernel
from fresh_sessions import run_session


def kernel_directory(kc) -> Path:
    """The kernel's private directory, as `:distsim` names it."""
    _, outputs = execute(kc, ":distsim")
    for line in result_plain(outputs).splitlines():
        if line.startswith("kernel directory: "):
            return Path(line.removeprefix("kernel directory: "))
    raise AssertionError(f"no kernel directory in {outputs}")


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under `root/crate/target`: modification time (ns) and content."""
    files = {}
    for path in (root / "crate" / "target").rglob("*"):
        if path.is_file():
            files[str(path.relative_to(root))] = (path.stat().st_mtime_ns, path.read_bytes())
    return files


def test_a_cell_in_one_kernel_changes_no_file_of_another():
    km_a, kc_a = start_kernel()
    km_b, kc_b = start_kernel()
    try:
        # Both have compiled their preamble; B is idle from here on.
        before = snapshot(kernel_directory(kc_b))
        reply, outputs = execute(kc_a, "let in_a = 40;\nin_a + 2")
        assert reply["content"]["status"] == "ok" and result_plain(outputs) == "42"
        after = snapshot(kernel_directory(kc_b))
        changed = sorted(name for name in before if after.get(name) != before[name])
        assert changed == [], f"a cell in kernel A changed kernel B's files: {changed}"
    finally:
        stop_kernel(km_a, kc_a)
        stop_kernel(km_b, kc_b)


def test_a_stale_cell_build_is_survived_and_the_next_cell_works():
    km, kc = start_kernel()
    try:
        directory = kernel_directory(kc)
        _, outputs = execute(kc, "let kept = 1;\nkept")
        assert result_plain(outputs) == "1"
        # Cargo's record of the cell crate, dated a day ahead: every source looks older than the
        # last build, so cargo rebuilds nothing and hands over the previous cell's library.
        records = list(directory.glob("crate/target/*/debug/.fingerprint/ctx-*/*"))
        assert records, "no fingerprint of the cell crate"
        ahead = time.time() + 86_400
        for record in records:
            os.utime(record, (ahead, ahead))
        reply, _ = execute(kc, "let fresh = 2;\nfresh")
        # Whatever this cell met (the stale library cannot be loaded), the kernel comes back.
        for code, expected in [("let again = 3;\nagain", "3"), ("again + 1", "4"), ("1 + 1", "2")]:
            reply, outputs = execute(kc, code)
            assert reply["content"]["status"] == "ok", reply["content"]
            assert result_plain(outputs) == expected
    finally:
        stop_kernel(km, kc)


def test_fresh_sessions_run_the_first_cells_of_notebook_00():
    sessions = int(os.environ.get("DISTSIM_FRESH_SESSIONS", "2"))
    with ThreadPoolExecutor(max_workers=sessions) as pool:
        outcomes = list(pool.map(run_session, range(sessions)))
    assert [o["failures"] for o in outcomes] == [[]] * sessions
