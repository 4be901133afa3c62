"""Ping-pong in SimPy, the same workload as `bench_engine --workload pingpong`.

Two nodes; each message takes a constant 1 ms; node 0 sends, node 1 echoes, node 0 sends again,
for --round-trips round trips. The network is modelled the usual SimPy way: a send schedules a
timeout of one hop whose callback puts the message in the receiver's Store; each node is a
process that waits on its Store. Prints one JSON line like the Rust benchmark.

    /work/main/.venv/bin/python benches/simpy_pingpong.py --round-trips 1000000
"""
import argparse
import json
import time

import simpy

HOP = 0.001  # seconds


def send(env, inbox, msg):
    env.timeout(HOP).callbacks.append(lambda _event: inbox.put(msg))


def pinger(env, inbox, peer, rounds, stats):
    send(env, peer, 0)
    left = rounds
    while True:
        k = yield inbox.get()
        stats["delivered"] += 1
        left -= 1
        if left == 0:
            return
        send(env, peer, k + 1)


def ponger(env, inbox, peer, stats):
    while True:
        k = yield inbox.get()
        stats["delivered"] += 1
        send(env, peer, k)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--round-trips", type=int, default=1_000_000)
    args = parser.parse_args()
    env = simpy.Environment()
    a, b = simpy.Store(env), simpy.Store(env)
    stats = {"delivered": 0}
    done = env.process(pinger(env, a, b, args.round_trips, stats))
    env.process(ponger(env, b, a, stats))
    start, cpu_start = time.perf_counter(), time.process_time()
    env.run(until=done)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    messages = stats["delivered"]
    assert messages == 2 * args.round_trips, messages
    print(json.dumps({
        "workload": "pingpong",
        "messages": messages,
        "seconds": round(seconds, 4),
        "messages_per_sec": round(messages / seconds),
        "cpu_seconds": round(cpu, 4),
        "messages_per_cpu_sec": round(messages / cpu),
        "engine": "simpy",
        "simpy_version": simpy.__version__,
        "virtual_seconds": round(env.now, 6),
    }))


if __name__ == "__main__":
    main()
