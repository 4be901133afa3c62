"""What a notebook cell costs rustc, for two distsim checkouts in the same run.

The kernel compiles each cell as a small crate at opt-level 0 against a distsim precompiled at
opt-level 3; whatever generic code of distsim the cell reaches is compiled again inside that crate.
This benchmark rebuilds that situation without a kernel: for each checkout it writes a scratch
crate with the kernel's cell profile (``Cargo.toml`` as evcxr writes it, the dependencies' profile
as distsim-kernel's cache writes it) holding one cell of ``latency.py`` as a function, builds the
dependencies once, then times ``--runs`` rebuilds of the cell alone, alternating the checkouts run
by run so that load changes hit both alike. It prints JSON lines: per checkout and cell the median
and p90 wall seconds of ``cargo build`` and the size of the cell's LLVM IR (functions and lines,
what rustc generated), then the ratio of the second checkout to the first.

With ``--engine-speed`` it measures instead how fast the engine runs inside a cell: the same
profile builds, per checkout, a binary whose ``main`` is ``latency.py``'s ping-pong node playing
2,000,000 messages, and the binaries run alternately ``--runs`` times. Each run prints one JSON
line (seconds, messages per second and the trace digest, which must agree), then the ratio of the
median seconds. Whatever of the engine is generic over the cell's node type runs unoptimised there.

Usage (from the repo root; ``git worktree add /tmp/before <commit>`` gives an older checkout):

    .venv/bin/python kernel/benches/cell_compile.py --before /tmp/before [--after .] [--cell check_cell] [--runs 9]
    .venv/bin/python kernel/benches/cell_compile.py --before /tmp/before --engine-speed [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import time
from pathlib import Path

import latency

REPO = Path(__file__).resolve().parents[2]

# The cell crate's manifest: evcxr 0.22's generated [profile.dev] for a cell crate (incremental
# off, as distsim-kernel's cache config sets it) and distsim-kernel's profile for dependencies.
MANIFEST = """[package]
name = "cell"
version = "0.1.0"
edition = "2024"
{kind}
[dependencies]
distsim = {{ path = "{distsim}" }}

[profile.dev]
opt-level = 0
debug = false
strip = "debuginfo"
lto = false
debug-assertions = true
codegen-units = 16
incremental = false
overflow-checks = true

[profile.dev.package."*"]
opt-level = 3
debug-assertions = false
overflow-checks = false
"""


# How a cell is built: evcxr's dynamic library, or (for --engine-speed) a program.
LIBRARY = '\n[lib]\ncrate-type = ["cdylib"]\n'
PROGRAM = ""

# The program of --engine-speed: the ping-pong node of a cell, playing long enough to time.
ENGINE_SPEED = (
    "use distsim::prelude::*;\nuse std::time::Instant;\n\n" + latency.NODE_TYPE + """
fn main() -> Result<(), distsim::Error> {
    let players = vec![Player { volleys: 2_000_000 }, Player { volleys: 2_000_000 }];
    let mut sim = Simulation::new(7, players)?.with_trace_mode(TraceMode::DigestOnly);
    let start = Instant::now();
    sim.run_until_quiet()?;
    let (seconds, messages) = (start.elapsed().as_secs_f64(), sim.metrics().counter("delivered"));
    println!("{seconds:.3} {messages} {}", sim.trace().digest_hex());
    Ok(())
}
""")


def cell_source(code: str) -> str:
    """A cell as evcxr compiles it: its items at the top level, its statements in a function whose
    last expression is kept (through `black_box`) so that its code is generated."""
    items, body = split_items(code)
    return (
        "#![allow(unused)]\nuse distsim::prelude::*;\n" + items
        + "\nfn cell() -> Result<String, distsim::Error> {\n    let value = {\n" + body
        + "\n    };\n    std::hint::black_box(value);\n    Ok(String::new())\n}\n"
        + "#[unsafe(no_mangle)]\npub extern \"C\" fn run_cell() {\n    println!(\"{:?}\", cell().map(|_| ()));\n}\n"
    )


def split_items(code: str) -> tuple[str, str]:
    """The cell's items (lines from a top-level `#[`, `struct`, `impl`, `enum` or `fn` to the next
    top-level `}`) and the rest, its statements."""
    items, body, in_item = [], [], False
    for line in code.splitlines():
        if not in_item and re.match(r"(#\[|struct |enum |impl |fn )", line):
            in_item = True
        (items if in_item else body).append(line)
        if in_item and (line == "}" or (line.startswith("struct ") and line.endswith((";", "}")))):
            in_item = False
    return "\n".join(items), "\n".join(body)


def prepare(label: str, distsim: Path, code: str, target: Path, program: bool = False) -> Path:
    crate = target / f"cell-{'program' if program else 'compile'}-{label}"
    (crate / "src").mkdir(parents=True, exist_ok=True)
    manifest = MANIFEST.format(distsim=distsim.resolve(), kind=PROGRAM if program else LIBRARY)
    (crate / "Cargo.toml").write_text(manifest)
    source = crate / "src" / ("main.rs" if program else "lib.rs")
    source.write_text(code if program else cell_source(code))
    lock = distsim / "Cargo.lock"
    if lock.exists():
        (crate / "Cargo.lock").write_bytes(lock.read_bytes())
    build(crate, target / label, quiet=False, program=program)
    return crate


def build(crate: Path, target: Path, quiet: bool = True, extra: list[str] | None = None, program: bool = False) -> float:
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    command = ["cargo", "rustc", *(["--bin", "cell"] if program else ["--lib"]), "-q", *(["--", *extra] if extra else [])]
    start = time.monotonic()
    done = subprocess.run(command, cwd=crate, env=env, capture_output=quiet, text=True)
    elapsed = time.monotonic() - start
    if done.returncode != 0:
        raise SystemExit(f"cell_compile: the cell crate in {crate} did not build:\n{done.stderr or '(output above)'}")
    return elapsed


def rebuild(crate: Path, target: Path) -> float:
    (crate / "src" / "lib.rs").touch()
    return build(crate, target)


def ir_size(crate: Path, target: Path) -> tuple[int, int]:
    """(functions, lines) of the cell crate's LLVM IR."""
    deps = target / "debug" / "deps"
    for old in deps.glob("cell*.ll"):
        old.unlink()
    (crate / "src" / "lib.rs").touch()
    build(crate, target, extra=["--emit=llvm-ir"])
    functions = lines = 0
    for ll in deps.glob("cell*.ll"):
        inside = False
        for line in ll.read_text().splitlines():
            if line.startswith("define "):
                functions, inside = functions + 1, True
            elif inside:
                lines += 1
                inside = line != "}"
    return functions, lines


def engine_speed(checkouts: dict[str, Path], target: Path, runs: int) -> None:
    """The ping-pong program built with the cell profile against each checkout, run alternately."""
    programs = {label: prepare(label, path, ENGINE_SPEED, target, program=True) for label, path in checkouts.items()}
    seconds: dict[str, list[float]] = {label: [] for label in checkouts}
    for _ in range(runs):
        for label in checkouts:
            binary = target / label / "debug" / "cell"
            done = subprocess.run([binary], capture_output=True, text=True, check=True, cwd=programs[label])
            elapsed, messages, digest = done.stdout.split()
            seconds[label].append(float(elapsed))
            print(json.dumps({"checkout": label, "messages": int(messages), "seconds": float(elapsed),
                              "messages_per_sec": round(int(messages) / float(elapsed)), "digest": digest}), flush=True)
    medians = {label: statistics.median(s) for label, s in seconds.items()}
    print(json.dumps({"engine_speed": True, "median_s": medians,
                      "ratio_after_to_before": round(medians["after"] / medians["before"], 3)}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="a distsim checkout to compare against")
    parser.add_argument("--after", type=Path, default=REPO)
    parser.add_argument("--cell", choices=["check_cell", "define_run_draw"], default="check_cell")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--engine-speed", action="store_true", help="time the engine inside a cell instead")
    args = parser.parse_args()
    code = {"check_cell": latency.CHECK_CELL, "define_run_draw": latency.DEFINE_RUN_DRAW}[args.cell]
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target")).resolve() / "cell-compile"
    checkouts = {"before": args.before, "after": args.after}
    if args.engine_speed:
        engine_speed(checkouts, target, args.runs)
        return
    crates = {label: prepare(label, path, code, target) for label, path in checkouts.items()}
    samples: dict[str, list[float]] = {label: [] for label in checkouts}
    for _ in range(args.runs + 1):  # the first round is not counted: it warms the file cache
        for label, crate in crates.items():
            samples[label].append(rebuild(crate, target / label))
    medians = {}
    for label, crate in crates.items():
        counted = sorted(samples[label][1:])
        functions, lines = ir_size(crate, target / label)
        medians[label] = statistics.median(counted)
        p90 = counted[min(len(counted) - 1, round(0.9 * (len(counted) - 1)))]
        print(json.dumps({"checkout": label, "distsim": str(checkouts[label].resolve()), "cell": args.cell,
                          "median_s": round(medians[label], 3), "p90_s": round(p90, 3), "n": len(counted),
                          "ir_functions": functions, "ir_lines": lines}), flush=True)
    print(json.dumps({"cell": args.cell, "ratio_after_to_before": round(medians["after"] / medians["before"], 3)}),
          flush=True)


if __name__ == "__main__":
    main()
