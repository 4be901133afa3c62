"""Runs fresh kernel sessions the way a student opens notebook 00: issue 18 item 4's reproduction.

Each session starts the installed ``distsim`` kernel through jupyter_client, runs the first cells
of notebook 00 (a run with ``?``, then a ``Sweep``), then ``1 + 1``, and shuts the kernel down. A
session fails when any cell does not end ``ok`` with the expected result; the failure's ename and
evalue are printed (the bug showed as ``LOAD_AND_RUN ...libcode_N.so run_user_code_M ... dlsym
failed`` and then ``KernelRestarted``).

Usage (from the repository root, with the kernelspec installed in ``.venv``)::

    .venv/bin/python kernel/tests/python/fresh_sessions.py --runs 20 --parallel 1
    .venv/bin/python kernel/tests/python/fresh_sessions.py --runs 20 --parallel 4   # under load

Prints one JSON line per session and a summary line ``{"runs": .., "failed": ..}``.
``test_fresh_sessions.py`` runs a few sessions of it as a test.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from conftest import execute, start_kernel, stop_kernel  # noqa: E402

# The first cells of notebook 00 (a run with `?`, the sweep), then two that need the sweep's state.
CELLS = [
    ("use concepts::two_generals;\ntwo_generals::Config::default().run(42)?", None),
    (
        "let captures = vec![0.1, 0.2, 0.3, 0.4, 0.5];\n"
        "let sweep = Sweep::new(captures).seeds(0..20).run(|&capture, seed| {\n"
        "    let cfg = two_generals::Config { capture, trials: 2_000, ..Default::default() };\n"
        "    Ok(cfg.run(seed)?.coordinated.mean)\n"
        "})?;\n"
        'sweep.table("capture")',
        None,
    ),
    ("sweep.points.len()", "5"),
    ("1 + 1", "2"),
]


def run_session(index: int, cells=CELLS) -> dict:
    """One fresh session; returns {"session", "ok", "failures": [{"cell", "ename", "evalue"}]}."""
    km, kc = start_kernel()
    failures = []
    try:
        for number, (code, expected) in enumerate(cells, start=1):
            reply, outputs = execute(kc, code)
            content = reply["content"]
            results = [m["content"]["data"].get("text/plain") for m in outputs if m["msg_type"] == "execute_result"]
            if content["status"] != "ok":
                failures.append({"cell": number, "ename": content.get("ename"), "evalue": content.get("evalue")})
            elif expected is not None and results != [expected]:
                failures.append({"cell": number, "ename": "WrongResult", "evalue": f"{results!r} != [{expected!r}]"})
    finally:
        stop_kernel(km, kc)
    return {"session": index, "ok": not failures, "failures": failures}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="number of fresh sessions")
    parser.add_argument("--parallel", type=int, default=1, help="sessions at once (load)")
    args = parser.parse_args()
    failed = 0
    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        for outcome in pool.map(run_session, range(args.runs)):
            failed += not outcome["ok"]
            print(json.dumps(outcome), flush=True)
    print(json.dumps({"runs": args.runs, "parallel": args.parallel, "failed": failed}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
