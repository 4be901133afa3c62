//! Times the heavy concept-model workloads. Prints one JSON line per workload:
//! `{"workload": .., "seconds": <median of 3 runs>, "runs": [..], ..sizes}`.
//!
//! Run with `cargo run --release --locked --example bench_concepts`.

use distsim::concepts::{cap, datacenter, scaling};
use distsim::experiment::Experiment;
use std::time::Instant;

/// Runs `f` three times and returns (median seconds, all three).
fn median_of_3(mut f: impl FnMut() -> distsim::Result<()>) -> distsim::Result<(f64, Vec<f64>)> {
    let mut runs = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        f()?;
        runs.push(t.elapsed().as_secs_f64());
    }
    let mut sorted = runs.clone();
    sorted.sort_by(f64::total_cmp);
    Ok((sorted[1], runs))
}

fn main() -> distsim::Result<()> {
    // One year of data-center Monte Carlo for 10,000 machines × 1,000 trials (model by conceptsA).
    let dc =
        datacenter::Config { pdus: 10, racks_per_pdu: 25, machines_per_rack: 40, trials: 1_000, ..Default::default() };
    let (median, runs) = median_of_3(|| dc.run(1).map(|_| ()))?;
    println!(
        "{}",
        serde_json::json!({"workload": "datacenter_year", "seconds": median, "runs": runs, "machines": dc.machines(), "trials": dc.trials})
    );

    // A CAP run of 100,000 operations, including the linearizability check of its history.
    let cfg = cap::CapConfig { operations: 100_000, ..Default::default() };
    for mode in [cap::Mode::Cp, cap::Mode::Ap] {
        let c = cap::CapConfig { mode, ..cfg.clone() };
        let (median, runs) = median_of_3(|| c.run(1).map(|_| ()))?;
        println!(
            "{}",
            serde_json::json!({"workload": format!("cap_{mode:?}").to_lowercase(), "seconds": median, "runs": runs,
                "operations": c.operations, "replicas": c.replicas})
        );
    }

    // A 20-point × 100-seed scaling sweep.
    let sc = scaling::ScalingConfig::default();
    let (median, runs) = median_of_3(|| sc.sweep(0..100).map(|_| ()))?;
    println!(
        "{}",
        serde_json::json!({"workload": "scaling_sweep", "seconds": median, "runs": runs,
            "points": sc.node_counts.len(), "seeds": 100, "jobs_per_run": sc.jobs})
    );
    Ok(())
}
