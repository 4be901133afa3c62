#!/usr/bin/env bash
# Stateright 0.31's `linearizable-register` example (`check`: ABD with 3 servers, CLIENTS clients
# that each put then get, unordered non-duplicating network, depth-first on num_cpus threads),
# printed as the JSON lines of examples/bench_explore.rs.
#
#   examples/bench_explore_stateright.sh [CLIENTS=2] [THREADS="1 2"] [SERVERS=3]
#
# SERVERS other than 3 (the example's fixed count) edits one line of the scratch copy so that it
# reads the count from the environment, for comparisons on models that fit a busy machine
# (e.g. 2 servers and 4 clients); with 3 the example runs unmodified.
#
# It works in a scratch directory under $CARGO_TARGET_DIR (nothing is copied into this
# repository): a throw-away cargo project depends on stateright = "=0.31.0", cargo fetches the
# crate from crates.io, and the example shipped in that crate is built and run unmodified. The
# thread count is set with `taskset` (the example uses num_cpus::get(), which honours the CPU
# affinity mask). Peak memory comes from /usr/bin/time.
set -euo pipefail
clients=${1:-2}
threads_list=${2:-"1 2"}
servers=${3:-3}
scratch=${CARGO_TARGET_DIR:-/tmp}/stateright-bench
mkdir -p "$scratch/fetch/src"
cd "$scratch/fetch"
cat > Cargo.toml <<'TOML'
[package]
name = "fetch-stateright"
version = "0.0.0"
edition = "2021"
[dependencies]
stateright = "=0.31.0"
TOML
echo 'fn main() {}' > src/main.rs
cargo fetch --quiet
src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/stateright-0.31.0 | head -1)
rm -rf "$scratch/stateright-0.31.0" && cp -r "$src" "$scratch/stateright-0.31.0"
cd "$scratch/stateright-0.31.0"
if [ "$servers" != 3 ]; then
  sed -i 's/^                server_count: 3,$/                server_count: std::env::var("SERVERS").unwrap().parse().unwrap(),/' \
    examples/linearizable-register.rs
fi
export SERVERS=$servers
CARGO_TARGET_DIR="$scratch/target" cargo build --quiet --release --example linearizable-register
bin="$scratch/target/release/examples/linearizable-register"
for threads in $threads_list; do
  cpus=$(seq -s, 0 $((threads - 1)))
  out=$( { /usr/bin/time -v taskset -c "$cpus" "$bin" check "$clients" ; } 2>&1 )
  done_line=$(grep -E '^Done\.' <<<"$out" | tail -1)
  num() { grep -oE "$1=[0-9,]+" <<<"$done_line" | cut -d= -f2 | tr -d ,; }
  states=$(num states); unique=$(num unique); depth=$(num depth); secs=$(num sec)
  rss_kb=$(grep 'Maximum resident' <<<"$out" | grep -oE '[0-9]+$')
  cpu=$(awk '/User time|System time/ { s += $NF } END { print s }' <<<"$out")
  wall=$(grep 'Elapsed (wall clock)' <<<"$out" | grep -oE '[0-9:.]+$' | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
  python3 - "$servers" "$clients" "$threads" "$states" "$unique" "$depth" "$wall" "$rss_kb" "$cpu" <<'PY'
import json, sys
servers, clients, threads, states, unique, depth, wall, rss_kb, cpu = sys.argv[1:]
wall = float(wall)
print(json.dumps({
    "checker": "stateright", "model": f"abd-register replicas={servers} clients={clients} put-then-get unordered",
    "search": "depth-first", "threads": int(threads), "unique_states": int(unique), "states": int(states),
    "max_depth": int(depth), "states_per_sec": round(int(states) / wall), "unique_per_sec": round(int(unique) / wall),
    "secs": wall, "cpu_secs": float(cpu), "peak_rss_bytes_per_state": round(int(rss_kb) * 1024 / int(unique), 1),
}))
PY
done
