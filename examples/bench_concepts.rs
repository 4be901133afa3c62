//! Times the heavy concept-model workloads (each should stay under 1 s). Prints one JSON line per workload:
//! `{"workload": .., "seconds": <median of 3 runs>, "runs": [..], ..sizes}`.
//!
//! Run with `cargo run --release --locked --example bench_concepts`.

use distsim::concepts::{architectures as arch, cap, datacenter, queueing, scaling};
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

    // A 20-point × 100-seed scaling sweep (2,000 cluster runs on the engine).
    let sc = scaling::ScalingConfig::default();
    let (median, runs) = median_of_3(|| sc.scaling_curve(&scaling::NODE_COUNTS, 0..100).map(|_| ()))?;
    println!(
        "{}",
        serde_json::json!({"workload": "scaling_sweep", "seconds": median, "runs": runs,
            "points": scaling::NODE_COUNTS.len(), "seeds": 100, "jobs_per_run": sc.jobs})
    );

    // The five designs of notebook 8, one seed each (50,000 requests per design, on the engine).
    let designs = arch::ArchitectureConfig::default();
    let (median, runs) = median_of_3(|| designs.compare(&arch::Architecture::ALL, [1]).map(|_| ()))?;
    println!(
        "{}",
        serde_json::json!({"workload": "architectures_compare", "seconds": median, "runs": runs,
            "designs": 5, "requests": designs.requests})
    );

    // The invalidation race under both schemes (10 s of 10,000 reads/s, on the engine).
    let race = arch::StaleReadConfig::default();
    let (median, runs) = median_of_3(|| race.compare([1]).map(|_| ()))?;
    println!(
        "{}",
        serde_json::json!({"workload": "stale_compare", "seconds": median, "runs": runs,
            "schemes": 2, "read_rate": race.read_rate})
    );

    // The LRU hit-ratio curve: six sizes of 120,000 reads.
    let cache = arch::CacheConfig::default();
    let (median, runs) = median_of_3(|| cache.hit_ratio_curve(&arch::CACHE_SIZES, [1]).map(|_| ()))?;
    println!(
        "{}",
        serde_json::json!({"workload": "cache_curve", "seconds": median, "runs": runs,
            "sizes": arch::CACHE_SIZES.len(), "reads": cache.requests + cache.warmup})
    );

    // The hockey stick of notebook 12: ten loads of 100,000 requests.
    let loads = [0.1, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97];
    let queue = queueing::QueueConfig::default();
    let (median, runs) = median_of_3(|| queueing::hockey_stick(&queue, &loads, [1]).map(|_| ()))?;
    println!(
        "{}",
        serde_json::json!({"workload": "hockey_stick", "seconds": median, "runs": runs,
            "loads": loads.len(), "requests": queue.requests})
    );

    // Fan-out widths 1 to 100, 20,000 requests each.
    let fanout = queueing::fanout::FanoutConfig::default();
    let (median, runs) = median_of_3(|| fanout.vs_fanout(&queueing::fanout::FANOUTS, [1]).map(|_| ()))?;
    println!(
        "{}",
        serde_json::json!({"workload": "fanout_curve", "seconds": median, "runs": runs,
            "widths": queueing::fanout::FANOUTS.len(), "requests": fanout.requests})
    );

    // Six batch limits under 800 requests/s, 50,000 requests each.
    let batching = queueing::batching::BatchingConfig::default();
    let (median, runs) = median_of_3(|| batching.sweep_batch_sizes(&[1, 2, 4, 8, 16, 32], [1]).map(|_| ()))?;
    println!(
        "{}",
        serde_json::json!({"workload": "batching_sweep", "seconds": median, "runs": runs,
            "limits": 6, "requests": batching.requests})
    );
    Ok(())
}
