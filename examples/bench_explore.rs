//! Model-checker benchmark: the ABD register of Stateright's `linearizable-register` example
//! (replicas, clients that each put then get, unordered non-duplicating network), checked for
//! linearizability. Prints one JSON object per line; `examples/bench_explore_stateright.sh` prints
//! the same fields for Stateright 0.31 on the same system.
//!
//! ```text
//! cargo run --release --locked --example bench_explore -- --replicas 3 --clients 2 --threads 1,2
//! cargo run --release --locked --example bench_explore -- --replicas 2 --clients 2 --search dfs
//! cargo run --release --locked --example bench_explore -- --threads 2 --symmetric
//! ```
//!
//! `--interchangeable` checks [`Abd::interchangeable`] (writes tagged by client: the replicas are
//! interchangeable, and the state count differs from Stateright's); `--symmetric` checks that
//! system with symmetry reduction over the replicas.

use clap::Parser;
use distsim::check::examples::abd::{self, Abd};
use serde_json::json;

#[derive(Parser)]
struct Args {
    /// Replicas (servers).
    #[arg(long, default_value_t = 3)]
    replicas: usize,
    /// Clients, each doing one put then one get.
    #[arg(long, default_value_t = 2)]
    clients: usize,
    /// Thread counts to run with, comma-separated (breadth-first only; depth-first uses one).
    #[arg(long, default_value = "1,2", value_delimiter = ',')]
    threads: Vec<usize>,
    /// bfs or dfs.
    #[arg(long, default_value = "bfs")]
    search: String,
    /// Stop (with an error) beyond this many unique states.
    #[arg(long, default_value_t = 100_000_000)]
    max_states: usize,
    /// Stop (with an error) when the search would hold more than this many MiB.
    #[arg(long, default_value_t = 4096)]
    max_memory_mib: usize,
    /// Check the system with interchangeable replicas (writes tagged by client).
    #[arg(long)]
    interchangeable: bool,
    /// Check the interchangeable system with symmetry reduction over the replicas.
    #[arg(long)]
    symmetric: bool,
}

fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
}

/// User plus system CPU seconds of this process so far (from /proc/self/stat, 100 ticks a second).
fn cpu_secs() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit(") ").next()?.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

fn main() -> Result<(), distsim::Error> {
    let args = Args::parse();
    for &threads in &args.threads {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a thread pool");
        let mut nodes = Abd::system(args.replicas, args.clients, abd::put_then_get(args.replicas, args.clients));
        if args.interchangeable || args.symmetric {
            nodes = Abd::interchangeable(nodes);
        }
        let mut checker = abd::checker(nodes).max_states(args.max_states).max_memory(args.max_memory_mib << 20);
        if args.symmetric {
            checker = checker.symmetric(0..args.replicas);
        }
        if args.search == "dfs" {
            checker = checker.depth_first();
        }
        let cpu0 = cpu_secs();
        let r = pool.install(|| checker.run())?;
        let cpu = cpu_secs().zip(cpu0).map(|(b, a)| ((b - a) * 100.0).round() / 100.0);
        let s = &r.stats;
        let variant = match (args.symmetric, args.interchangeable) {
            (true, _) => " interchangeable symmetric",
            (false, true) => " interchangeable",
            _ => "",
        };
        let line = json!({
            "checker": "distsim",
            "model": format!("abd-register replicas={} clients={} put-then-get unordered{variant}", args.replicas, args.clients),
            "search": s.search,
            "threads": s.threads,
            "unique_states": s.unique_states,
            "states": s.states_explored,
            "max_depth": s.max_depth,
            "states_per_sec": s.states_per_sec().round(),
            "unique_per_sec": (s.unique_states as f64 / s.secs).round(),
            "secs": (s.secs * 1000.0).round() / 1000.0,
            "cpu_secs": cpu,
            "bytes_per_state": (s.bytes_per_state * 10.0).round() / 10.0,
            "peak_bytes_per_state": (s.peak_bytes_per_state * 10.0).round() / 10.0,
            "peak_rss_bytes_per_state": peak_rss_bytes().map(|b| (b as f64 / s.unique_states as f64 * 10.0).round() / 10.0),
            "linearizable": r.passed(),
        });
        println!("{line}");
    }
    Ok(())
}
