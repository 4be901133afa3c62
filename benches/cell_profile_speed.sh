#!/bin/sh
# How fast the engine runs inside a notebook cell. distsim-kernel compiles each cell as a crate of
# its own at opt-level 0 against a distsim compiled at opt-level 3, so whatever of the engine is
# generic over the cell's node type runs unoptimised. This builds a binary with that profile (the
# manifest of kernel/benches/cell_compile.py) whose `main` runs 2,000,000 ping-pong messages, for
# each distsim checkout given, and runs the binaries alternately RUNS times (default 3). Each run
# prints one JSON line: messages, seconds, messages_per_sec and the trace digest.
#
#   benches/cell_profile_speed.sh /tmp/before .      # an older checkout (git worktree add) and this one
set -e
RUNS=${RUNS:-3}
WORK=${CARGO_TARGET_DIR:-$(pwd)/target}/cell-profile-speed
LOCK=$(cd "$(dirname "$0")/.." && pwd)/Cargo.lock
i=0
for checkout in "$@"; do
    crate="$WORK/crate-$i"
    mkdir -p "$crate/src"
    cat > "$crate/Cargo.toml" <<TOML
[package]
name = "cell-profile-speed"
version = "0.1.0"
edition = "2024"

[dependencies]
distsim = { path = "$(cd "$checkout" && pwd)" }

[profile.dev]
opt-level = 0
debug = false
debug-assertions = true
codegen-units = 16
incremental = false
overflow-checks = true

[profile.dev.package."*"]
opt-level = 3
debug-assertions = false
overflow-checks = false

[workspace]
TOML
    cat > "$crate/src/main.rs" <<'RUST'
use distsim::prelude::*;
use std::time::Instant;

#[derive(Clone, Debug)]
struct Ball(u32);
struct Player { volleys: u32 }
impl Node for Player {
    type Msg = Ball;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<Ball>) {
        if ctx.id() == 0 { ctx.send(1, Ball(1)); }
    }
    fn on_message(&mut self, ctx: &mut Context<Ball>, from: NodeId, Ball(n): Ball) {
        if n < self.volleys { ctx.send(from, Ball(n + 1)); }
    }
}

fn main() -> Result<(), distsim::Error> {
    let players = vec![Player { volleys: 2_000_000 }, Player { volleys: 2_000_000 }];
    let mut sim = Simulation::new(7, players)?.with_trace_mode(TraceMode::DigestOnly);
    let start = Instant::now();
    sim.run_until_quiet()?;
    let (seconds, messages) = (start.elapsed().as_secs_f64(), sim.metrics().counter("delivered"));
    println!(
        "{{\"checkout\":\"{}\",\"messages\":{messages},\"seconds\":{seconds:.3},\"messages_per_sec\":{:.0},\"digest\":\"{}\"}}",
        env!("CHECKOUT"), messages as f64 / seconds, sim.trace().digest_hex()
    );
    Ok(())
}
RUST
    cp "$LOCK" "$crate/Cargo.lock"
    (cd "$crate" && CHECKOUT="$checkout" CARGO_TARGET_DIR="$crate/target" cargo build --offline -q)
    i=$((i + 1))
done
r=0
while [ $r -lt "$RUNS" ]; do
    j=0
    while [ $j -lt $i ]; do
        "$WORK/crate-$j/target/debug/cell-profile-speed"
        j=$((j + 1))
    done
    r=$((r + 1))
done
