//! Queueing: M/M/1 and M/M/c against their formulas, Little's law, fan-out, batching.

use distsim::concepts::queueing::batching::BatchingConfig;
use distsim::concepts::queueing::fanout::FanoutConfig;
use distsim::concepts::queueing::*;
use distsim::stats::mean_ci95;

fn small() -> QueueConfig {
    QueueConfig { requests: 40_000, warmup: 2_000, ..Default::default() }
}

#[test]
fn pinned_seed_golden() {
    let r = small().run(7).unwrap();
    // Pinned from a reviewed run; any change to the generator or the recursion shows up here.
    assert_eq!(format!("{:.6}", r.mean_latency.mean), GOLDEN_MEAN);
    assert_eq!(format!("{:.6}", r.p99), GOLDEN_P99);
}
const GOLDEN_MEAN: &str = "0.005003";
const GOLDEN_P99: &str = "0.021311";

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
    let h = hockey_stick(&small(), &[0.5, 0.9], 1).unwrap();
    let (lo, hi) = (&h.points[0].result, &h.points[1].result);
    assert!(hi.p99 > 4.0 * lo.p99);
    assert!(h.table().to_text().contains("p99"));
}

#[test]
fn fanout_slow_fraction_matches_closed_form() {
    let r = FanoutConfig { fanouts: vec![1, 10, 50], requests: 20_000, ..Default::default() }.run(5).unwrap();
    for p in &r.points {
        // Wilson CI of a 20,000-sample proportion; allow the CI to be widened slightly.
        let e = &p.slow_fraction;
        assert!(
            e.lo - 0.005 <= p.slow_theory && p.slow_theory <= e.hi + 0.005,
            "n={} {:?} vs {}",
            p.fanout,
            e,
            p.slow_theory
        );
    }
}

#[test]
fn batching_raises_capacity() {
    let one = BatchingConfig { max_batch: 1, arrival_rate: 700.0, ..Default::default() }.run(1).unwrap();
    let many = BatchingConfig { max_batch: 16, arrival_rate: 700.0, ..Default::default() }.run(1).unwrap();
    assert!(many.capacity > 3.0 * one.capacity);
    assert!(many.p99_ms < one.p99_ms, "batching should cut the tail near saturation");
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
        assert!(e.contains(name), "{e}");
    }
    assert!(FanoutConfig { quantile: 1.0, ..Default::default() }.run(1).unwrap_err().to_string().contains("quantile"));
    assert!(BatchingConfig { max_batch: 0, ..Default::default() }
        .run(1)
        .unwrap_err()
        .to_string()
        .contains("max_batch"));
    assert!(hockey_stick(&small(), &[1.2], 1).unwrap_err().to_string().contains("utilisations"));
}
