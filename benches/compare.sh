#!/bin/sh
# Runs the Rust ping-pong and the SimPy ping-pong back to back, RUNS times each (default 3),
# and prints the medians and their ratio as one JSON line. Also runs the fan-out and memory
# workloads RUNS times and prints their medians.
#
#   benches/compare.sh                 # 1,000,000 round trips for Rust, 100,000 for SimPy
#   RUNS=5 SIMPY_ROUND_TRIPS=1000000 benches/compare.sh
#
# SimPy is run with fewer round trips by default because it needs minutes for a million; the
# rate (messages per second) is what is compared, and it does not depend on the run length.
set -e
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
PY=${PYTHON:-.venv/bin/python}
# SKIP_BUILD=1 uses an already built binary (e.g. when another crate in the tree does not compile).
[ -n "$SKIP_BUILD" ] || cargo build --release --locked --example bench_engine >&2
BIN=${CARGO_TARGET_DIR:-target}/release/examples/bench_engine
OUT=$(mktemp)
i=0
while [ $i -lt "$RUNS" ]; do
    "$BIN" --workload pingpong --round-trips "${ROUND_TRIPS:-1000000}" | tee -a "$OUT" >&2
    "$PY" benches/simpy_pingpong.py --round-trips "${SIMPY_ROUND_TRIPS:-100000}" | tee -a "$OUT" >&2
    "$BIN" --workload fanout | tee -a "$OUT" >&2
    "$BIN" --workload memory | tee -a "$OUT" >&2
    i=$((i + 1))
done
"$PY" - "$OUT" <<'PYEOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(workload, engine, key):
    vals = [r[key] for r in rows if r["workload"] == workload and r.get("engine", "distsim") == engine]
    return statistics.median(vals) if vals else float("nan")
rust, simpy = med("pingpong", "distsim", "messages_per_sec"), med("pingpong", "simpy", "messages_per_sec")
rust_cpu, simpy_cpu = med("pingpong", "distsim", "messages_per_cpu_sec"), med("pingpong", "simpy", "messages_per_cpu_sec")
print(json.dumps({
    "runs": sum(1 for r in rows if r["workload"] == "pingpong" and r.get("engine") == "simpy"),
    "pingpong_distsim_msgs_per_sec": round(rust), "pingpong_simpy_msgs_per_sec": round(simpy),
    "pingpong_ratio": round(rust / simpy, 1),
    "pingpong_ratio_cpu_time": round(rust_cpu / simpy_cpu, 1),
    "fanout_msgs_per_sec": round(med("fanout", "distsim", "messages_per_sec")),
    "fanout_msgs_per_cpu_sec": round(med("fanout", "distsim", "messages_per_cpu_sec")),
    "memory_rss_mb_in_flight": med("memory", "distsim", "rss_mb_in_flight"),
    "memory_hwm_mb": med("memory", "distsim", "hwm_mb"),
}))
PYEOF
rm -f "$OUT"
