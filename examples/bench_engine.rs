//! Engine speed and memory benchmark. Prints one JSON object per line.
//!
//! ```text
//! cargo run --release --locked --example bench_engine                 # all workloads
//! cargo run --release --locked --example bench_engine -- --workload pingpong --round-trips 1000000
//! ```
//!
//! Workloads:
//! - `pingpong`: 2 nodes, constant 1 ms per hop, `--round-trips` round trips (2 messages each);
//! - `fanout`: 1,000 nodes each start 10 messages to random peers; every receiver forwards to a
//!   random peer until each message has made `--hops` hops (exponential latency, mean 1 ms);
//! - `memory`: 1,000 nodes each send 1,000 messages at time zero (exponential latency, mean 1 s),
//!   so 1,000,000 are in flight at once; reports resident memory at that moment;
//! - `letters`: the same with messages that own heap memory (a list of 3 numbers, as a protocol's
//!   message with a value or a log entry does), which the engine keeps beside its queue rather than
//!   in the queue entry (`src/engine/messages.rs`);
//! - `timers`: 1,000 nodes each fire a heartbeat timer every 1 ms, `--ticks` times, and every
//!   heartbeat resets the node's 10 ms election timeout (a cancel and a set), so that only the last
//!   one fires; `messages` counts the timers fired.
//!
//! With `--workload all` each workload runs in its own child process, so that one workload's
//! peak memory cannot show up in another's figures.

use clap::Parser;
use distsim::prelude::*;
use distsim::trace::TraceMode;
use serde_json::json;
use std::time::Instant;

#[derive(Parser)]
struct Args {
    /// pingpong, fanout, memory, letters, timers or all.
    #[arg(long, default_value = "all")]
    workload: String,
    /// Round trips for pingpong.
    #[arg(long, default_value_t = 1_000_000)]
    round_trips: u64,
    /// Hops per message for fanout (10,000 messages x (hops + 1) deliveries).
    #[arg(long, default_value_t = 500)]
    hops: u32,
    /// Messages in flight for memory (spread over 1,000 nodes).
    #[arg(long, default_value_t = 1_000_000)]
    in_flight: u64,
    /// Heartbeats per node for timers.
    #[arg(long, default_value_t = 1_000)]
    ticks: u32,
    /// Seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

struct PingPong {
    rounds_left: u64,
}

impl Node for PingPong {
    type Msg = u64;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<u64>) {
        if ctx.id() == 0 {
            ctx.send(1, 0);
        }
    }
    fn on_message(&mut self, ctx: &mut Context<u64>, from: NodeId, k: u64) {
        if ctx.id() == 1 {
            ctx.send(from, k);
        } else if self.rounds_left > 1 {
            self.rounds_left -= 1;
            ctx.send(from, k + 1);
        }
    }
}

struct Gossip {
    first: u32,
    ttl: u32,
}

impl Node for Gossip {
    type Msg = u32;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<u32>) {
        for _ in 0..self.first {
            let to = ctx.random_peer();
            ctx.send(to, self.ttl);
        }
    }
    fn on_message(&mut self, ctx: &mut Context<u32>, _from: NodeId, ttl: u32) {
        if ttl > 0 {
            let to = ctx.random_peer();
            ctx.send(to, ttl - 1);
        }
    }
}

/// The `letters` workload's node: sends its share of messages at the start, each owning a list.
struct Letters {
    first: u32,
}

impl Node for Letters {
    type Msg = Vec<u64>;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<Vec<u64>>) {
        for i in 0..self.first {
            let to = ctx.random_peer();
            ctx.send(to, vec![u64::from(i); 3]);
        }
    }
}

/// The two timers of the `timers` workload.
#[derive(Clone, Debug)]
enum Beat {
    Heartbeat,
    Election,
}

struct Ticker {
    left: u32,
    election: Option<TimerId>,
}

impl Node for Ticker {
    type Msg = ();
    type Timer = Beat;
    fn on_start(&mut self, ctx: &mut Context<(), Beat>) {
        // Staggered by id (not drawn), so that every engine version runs exactly this schedule.
        ctx.set_timer(micros(ctx.id() as u64), Beat::Heartbeat);
    }
    fn on_timer(&mut self, ctx: &mut Context<(), Beat>, timer: Beat) {
        if let Beat::Heartbeat = timer {
            ctx.reset_timer(&mut self.election, millis(10), Beat::Election);
            self.left -= 1;
            if self.left > 0 {
                ctx.set_timer(millis(1), Beat::Heartbeat);
            }
        }
    }
}

fn proc_status_mb(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU time this process has run, in seconds (first field of /proc/self/schedstat, in ns). The
/// machine is shared, so wall time alone mixes in other people's work; both are printed.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|ns| ns.parse::<f64>().ok()))
        .map_or(f64::NAN, |ns| ns / 1e9)
}

/// Wall-clock and CPU stopwatch.
struct Watch(Instant, f64);

impl Watch {
    fn start() -> Self {
        Watch(Instant::now(), cpu_seconds())
    }
    /// Prints one JSON line: the common fields, then `extra`'s. A rate over a time too short to
    /// measure is `null` (JSON has no infinity).
    fn line(&self, workload: &str, messages: u64, extra: serde_json::Value) {
        let seconds = self.0.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - self.1;
        let per = |time: f64| (time > 0.0 && time.is_finite()).then(|| (messages as f64 / time).round());
        let mut line = json!({
            "workload": workload,
            "messages": messages,
            "seconds": round4(seconds),
            "messages_per_sec": per(seconds),
            "cpu_seconds": round4(cpu),
            "messages_per_cpu_sec": per(cpu),
        });
        if let (Some(line), serde_json::Value::Object(extra)) = (line.as_object_mut(), extra) {
            line.extend(extra);
        }
        println!("{line}");
    }
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn pingpong(a: &Args) -> Result<()> {
    let nodes = vec![PingPong { rounds_left: a.round_trips }, PingPong { rounds_left: 0 }];
    let mut sim = Simulation::new(a.seed, nodes)?.with_trace_mode(TraceMode::DigestOnly);
    let watch = Watch::start();
    sim.run_until_quiet()?;
    let delivered = sim.metrics().counter("delivered");
    assert_eq!(delivered, 2 * a.round_trips);
    watch.line("pingpong", delivered, json!({"engine": "distsim", "digest": sim.trace().digest_hex()}));
    Ok(())
}

fn fanout(a: &Args) -> Result<()> {
    let nodes = (0..1000).map(|_| Gossip { first: 10, ttl: a.hops }).collect();
    let net = Network::new().latency(Latency::Exponential { mean: millis(1) });
    let mut sim = Simulation::new(a.seed, nodes)?.with_network(net)?.with_trace_mode(TraceMode::DigestOnly);
    let watch = Watch::start();
    sim.run_until_quiet()?;
    let delivered = sim.metrics().counter("delivered");
    watch.line("fanout", delivered, json!({"nodes": 1000, "digest": sim.trace().digest_hex()}));
    Ok(())
}

fn memory(a: &Args) -> Result<()> {
    let per_node = (a.in_flight / 1000) as u32;
    all_in_flight(a, "memory", (0..1000).map(|_| Gossip { first: per_node, ttl: 0 }).collect())
}

fn letters(a: &Args) -> Result<()> {
    all_in_flight(a, "letters", (0..1000).map(|_| Letters { first: (a.in_flight / 1000) as u32 }).collect())
}

/// The `memory` and `letters` workloads, which differ only in their node: every node sends its
/// share at time zero (exponential latency, mean 1 s), and the line reports resident memory with
/// them all in flight.
fn all_in_flight<N: Node>(a: &Args, workload: &str, nodes: Vec<N>) -> Result<()> {
    let net = Network::new().latency(Latency::Exponential { mean: secs(1) });
    let mut sim = Simulation::new(a.seed, nodes)?.with_network(net)?.with_trace_mode(TraceMode::DigestOnly);
    let rss_before = proc_status_mb("VmRSS:");
    let watch = Watch::start();
    sim.run_events(1000)?; // every on_start: all messages now in flight
    let in_flight = sim.pending_events();
    let rss = proc_status_mb("VmRSS:");
    sim.run_until_quiet()?;
    let delivered = sim.metrics().counter("delivered");
    let extra = json!({
        "in_flight": in_flight,
        "rss_mb_before": rss_before,
        "rss_mb_in_flight": rss,
        "hwm_mb": proc_status_mb("VmHWM:"),
        "digest": sim.trace().digest_hex(),
    });
    watch.line(workload, delivered, extra);
    Ok(())
}

fn timers(a: &Args) -> Result<()> {
    let nodes = (0..1000).map(|_| Ticker { left: a.ticks, election: None }).collect();
    let mut sim = Simulation::new(a.seed, nodes)?.with_trace_mode(TraceMode::DigestOnly);
    let watch = Watch::start();
    sim.run_until_quiet()?;
    let fired = sim.metrics().counter("timers");
    assert_eq!(fired, 1000 * (u64::from(a.ticks) + 1), "every heartbeat and one election per node");
    watch.line("timers", fired, json!({"nodes": 1000, "digest": sim.trace().digest_hex()}));
    Ok(())
}

fn main() -> Result<()> {
    let a = Args::parse();
    match a.workload.as_str() {
        "pingpong" => pingpong(&a),
        "fanout" => fanout(&a),
        "memory" => memory(&a),
        "timers" => timers(&a),
        "letters" => letters(&a),
        "all" => {
            let exe = std::env::current_exe().expect("own path");
            for w in ["pingpong", "fanout", "memory", "letters", "timers"] {
                let status = std::process::Command::new(&exe)
                    .args(["--workload", w, "--round-trips", &a.round_trips.to_string()])
                    .args(["--hops", &a.hops.to_string(), "--in-flight", &a.in_flight.to_string()])
                    .args(["--ticks", &a.ticks.to_string(), "--seed", &a.seed.to_string()])
                    .status()
                    .expect("run child");
                assert!(status.success(), "workload {w} failed");
            }
            Ok(())
        }
        other => Err(Error::invalid("--workload", other, "one of pingpong, fanout, memory, letters, timers, all")),
    }
}
