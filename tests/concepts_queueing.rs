//! Queueing: M/M/1 and M/M/c against their formulas, Little's law, fan-out, batching.

use distsim::concepts::queueing::batching::BatchingConfig;
use distsim::concepts::queueing::fanout::FanoutConfig;
use distsim::concepts::queueing::*;
use distsim::experiment::{Experiment, ParamValue, Parameters, Report};
use distsim::stats::mean_ci95;
use distsim::time::{micros, millis};

fn small() -> QueueConfig {
    QueueConfig { requests: 40_000, warmup: 2_000, ..Default::default() }
}

#[test]
fn pinned_seed_golden() {
    let r = small().run(7).unwrap();
    // Computed once from this implementation (streams queue/arrivals and queue/service, seed 7);
    // any change to the generator or the recursion shows up here.
    assert_eq!(format!("{:.6}", r.mean_latency.mean), GOLDEN_MEAN);
    assert_eq!(format!("{:.6}", r.p99.as_secs_f64()), GOLDEN_P99);
}
const GOLDEN_MEAN: &str = "0.005004";
const GOLDEN_P99: &str = "0.020096";

#[test]
fn same_seed_same_result() {
    let (a, b) = (small().run(3).unwrap(), small().run(3).unwrap());
    assert_eq!(a, b);
    assert_eq!(a.table().to_text(), b.table().to_text());
    assert_eq!(a.plot().to_svg().unwrap(), b.plot().to_svg().unwrap());
    assert_ne!(a, small().run(4).unwrap());
}

/// M/M/1 mean latency: the mean over 20 fixed seeds has a 95% CI that covers 1/(μ − λ).
#[test]
fn mm1_mean_latency_matches_formula() {
    let means: Vec<f64> = (0..20).map(|s| small().run(s).unwrap().mean_latency.mean).collect();
    let e = mean_ci95(&means).unwrap();
    let exact = mm1_mean_latency(800.0, 1000.0).unwrap();
    assert!(e.lo <= exact && exact <= e.hi, "CI [{}, {}] misses {exact}", e.lo, e.hi);
}

/// Little's law: L and λW measured independently agree; over seeds the CI of L/(λW) covers 1.
#[test]
fn littles_law_holds() {
    let ratios: Vec<f64> = (0..20).map(|s| small().run(100 + s).unwrap().little.ratio()).collect();
    let e = mean_ci95(&ratios).unwrap();
    assert!(e.lo <= 1.0 && 1.0 <= e.hi, "L/(λW) CI [{}, {}]", e.lo, e.hi);
    assert!((e.mean - 1.0).abs() < 0.01);
}

#[test]
fn mmc_mean_latency_matches_erlang_c() {
    let cfg = QueueConfig { servers: 4, arrival_rate: 3_400.0, ..small() };
    let means: Vec<f64> = (0..20).map(|s| cfg.run(s).unwrap().mean_latency.mean).collect();
    let e = mean_ci95(&means).unwrap();
    let exact = cfg.theory().unwrap().mean_latency;
    assert!(e.lo <= exact && exact <= e.hi, "CI [{}, {}] misses {exact}", e.lo, e.hi);
}

#[test]
fn hockey_stick_p99_rises_steeply() {
    let h = hockey_stick(&small(), &[0.5, 0.9], 1..3).unwrap();
    let (lo, hi) = (&h.points[0], &h.points[1]);
    assert!(hi.p99.mean > 4.0 * lo.p99.mean);
    assert!(h.table().to_text().contains("p99"));
    // Each point is the sweep of arrival_rate: the sample of seed 2 is that run's own p99.
    let direct = QueueConfig { arrival_rate: 900.0, ..small() }.run(2).unwrap();
    assert_eq!(h.sweep.result.points[1].samples[2][1], direct.p99.as_millis_f64());
}

#[test]
fn the_generic_sweep_varies_every_queue_parameter() {
    let c = QueueConfig { requests: 5_000, warmup: 500, ..Default::default() };
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(names, ["arrival_rate", "service_rate", "servers", "requests", "warmup"]);
    for (name, values) in [
        ("arrival_rate", [400.0, 700.0]),
        ("service_rate", [900.0, 2000.0]),
        ("servers", [1.0, 3.0]),
        ("requests", [2_000.0, 8_000.0]),
        ("warmup", [0.0, 900.0]),
    ] {
        let sweep = c.sweep(name, &values, 0..3).unwrap();
        assert_eq!(sweep.measures(), ["mean_ms", "p50_ms", "p99_ms", "in_system", "little_ratio"]);
        let direct = c.with(name, values[1]).unwrap().run(2).unwrap().measures()[2].1;
        assert_eq!(sweep.result.points[1].samples[2][2], direct, "{name}"); // [measure][seed]
    }
    let err = c.sweep("arrivals", &[500.0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`arrivals`") && err.contains("arrival_rate, service_rate"), "{err}");
    let err = c.sweep("servers", &[0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`servers`") && err.contains("[1, 10000]"), "{err}");
    let err = c.sweep("arrival_rate", &[1_000.0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`arrival_rate`") && err.contains("servers × service_rate"), "{err}");
}

#[test]
fn fanout_slow_fraction_matches_closed_form() {
    let c = FanoutConfig::default();
    for n in [1, 10, 50] {
        let r = FanoutConfig { fanout: n, ..c.clone() }.run(5).unwrap();
        // Wilson CI of a 20,000-sample proportion; allow the CI to be widened slightly.
        let e = &r.slow_fraction;
        assert!(e.lo - 0.005 <= r.slow_theory && r.slow_theory <= e.hi + 0.005, "n={n} {e:?} vs {}", r.slow_theory);
    }
    let curve = c.vs_fanout(&[1, 100], 0..3).unwrap();
    assert!(curve.points[1].slow_fraction.mean > 0.5 && curve.points[0].slow_fraction.mean < 0.03);
    assert!(curve.points[1].tail > curve.points[0].tail);
}

#[test]
fn the_generic_sweep_varies_every_fanout_parameter() {
    let c = FanoutConfig { requests: 2_000, ..Default::default() };
    let cases: Vec<(&str, [ParamValue; 2])> = vec![
        ("fanout", [1.into(), 20.into()]),
        ("server_mean", [millis(1).into(), micros(2_500).into()]),
        ("quantile", [0.9.into(), 0.999.into()]),
        ("requests", [500.into(), 1_000.into()]),
    ];
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(names, cases.iter().map(|c| c.0).collect::<Vec<_>>());
    for (name, values) in cases {
        let sweep = c.sweep(name, &values, 0..2).unwrap();
        assert_eq!(sweep.measures(), ["slow_fraction", "slow_theory", "tail_ms", "tail_theory_ms"]);
        let direct = c.with(name, values[1].clone()).unwrap().run(1).unwrap().measures()[2].1;
        assert_eq!(sweep.result.points[1].samples[2][1], direct, "{name}"); // [measure][seed]
    }
    let err = c.sweep("fanouts", &[2], 0..2).unwrap_err().to_string();
    assert!(err.contains("`fanouts`") && err.contains("fanout"), "{err}");
    let err = c.sweep("quantile", &[1.0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`quantile`") && err.contains("0.999999"), "{err}");
}

#[test]
fn batching_raises_capacity() {
    let one = BatchingConfig { max_batch: 1, arrival_rate: 700.0, ..Default::default() }.run(1).unwrap();
    let many = BatchingConfig { max_batch: 16, arrival_rate: 700.0, ..Default::default() }.run(1).unwrap();
    assert!(many.capacity > 3.0 * one.capacity);
    assert!(many.p99 < one.p99, "batching should cut the tail near saturation");
    let sizes = BatchingConfig::default().sweep_batch_sizes(&[4, 16], 0..2).unwrap();
    assert!(sizes.means("mean_batch").unwrap()[1] > 1.0);
}

#[test]
fn the_generic_sweep_varies_every_batching_parameter() {
    let c = BatchingConfig { requests: 2_000, ..Default::default() };
    let cases: Vec<(&str, [ParamValue; 2])> = vec![
        ("arrival_rate", [300.0.into(), 600.0.into()]),
        ("batch_overhead", [micros(500).into(), millis(2).into()]),
        ("per_item", [micros(100).into(), micros(300).into()]),
        ("max_batch", [8.into(), 32.into()]),
        ("requests", [500.into(), 1_000.into()]),
    ];
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(names, cases.iter().map(|c| c.0).collect::<Vec<_>>());
    for (name, values) in cases {
        let sweep = c.sweep(name, &values, 0..2).unwrap();
        assert_eq!(sweep.measures(), ["mean_ms", "p50_ms", "p99_ms", "mean_batch", "capacity"]);
        let direct = c.with(name, values[1].clone()).unwrap().run(1).unwrap().measures()[0].1;
        assert_eq!(sweep.result.points[1].samples[0][1], direct, "{name}"); // [measure][seed]
    }
    let err = c.sweep("batch_overhead_ms", &[1.0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`batch_overhead_ms`") && err.contains("batch_overhead"), "{err}");
    let busy = BatchingConfig { arrival_rate: 900.0, ..c.clone() }; // one item per call serves 833/s
    let err = busy.sweep("max_batch", &[1], 0..2).unwrap_err().to_string();
    assert!(err.contains("`arrival_rate`") && err.contains("capacity"), "{err}");
    let err = c.sweep("max_batch", &[0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`max_batch`") && err.contains("[1, 100000]"), "{err}");
}

#[test]
fn bad_parameters_are_refused_with_names() {
    let cases: Vec<(QueueConfig, &str)> = vec![
        (QueueConfig { arrival_rate: -1.0, ..small() }, "arrival_rate"),
        (QueueConfig { arrival_rate: 1000.0, ..small() }, "arrival_rate"),
        (QueueConfig { service_rate: f64::NAN, ..small() }, "service_rate"),
        (QueueConfig { servers: 0, ..small() }, "servers"),
        (QueueConfig { warmup: 30_000, ..small() }, "warmup"),
    ];
    for (cfg, name) in cases {
        let e = cfg.run(1).unwrap_err().to_string();
        assert!(e.contains(&format!("`{name}`")), "{e}");
    }
    let e = FanoutConfig { quantile: 1.0, ..Default::default() }.run(1).unwrap_err().to_string();
    assert!(e.contains("`quantile`"), "{e}");
    let e = BatchingConfig { max_batch: 0, ..Default::default() }.run(1).unwrap_err().to_string();
    assert!(e.contains("`max_batch`"), "{e}");
    assert!(hockey_stick(&small(), &[1.2], 0..2).unwrap_err().to_string().contains("utilisations"));
}
