//! Scaling: the coordination simulator, Amdahl/USL fits and their recovery of known parameters.

use distsim::concepts::scaling::*;
use distsim::stats::mean_ci95;

fn small() -> ScalingConfig {
    ScalingConfig { node_counts: vec![1, 2, 4, 8, 16, 24, 32, 40], jobs: 2_000, ..Default::default() }
}

#[test]
fn pinned_seed_golden() {
    let r = small().run(11).unwrap();
    let got: Vec<String> = r.points.iter().map(|p| format!("{:.1}", p.throughput)).collect();
    assert_eq!(got.join(" "), GOLDEN);
}
const GOLDEN: &str = "104.2 205.4 384.2 738.5 1070.8 1137.7 1063.1 985.1";

#[test]
fn same_seed_same_result() {
    assert_eq!(small().run(2).unwrap(), small().run(2).unwrap());
    assert_ne!(small().run(2).unwrap(), small().run(3).unwrap());
    let a = small().sweep(0..4).unwrap();
    let b = small().sweep(0..4).unwrap();
    assert_eq!(a.table().to_text(), b.table().to_text());
}

#[test]
fn coordination_makes_scaling_retrograde() {
    let r = small().sweep(0..10).unwrap().fitted;
    assert!(r.retrograde(), "{}", r.summary());
    let peak = r.usl.peak_nodes().unwrap();
    assert!((8.0..40.0).contains(&peak), "peak {peak}");
    // Without coordination messages there is no retrograde region.
    let flat = ScalingConfig { coordination_ms: 0.0, ..small() }.sweep(0..10).unwrap().fitted;
    assert!(!flat.retrograde(), "{}", flat.summary());
}

/// USL fit recovery on synthetic data: across 30 fixed seeds of ±5% noise, the 95% CIs of the
/// fitted σ and κ cover the true values.
#[test]
fn usl_fit_recovers_known_parameters() {
    let nodes: Vec<usize> = (1..=32).collect();
    let (sigma, kappa) = (0.04, 0.0015);
    let mut s = Vec::new();
    let mut k = Vec::new();
    for seed in 0..30 {
        let pts = synthetic_usl(&nodes, 100.0, sigma, kappa, 0.05, seed).unwrap();
        let f = fit_usl(&pts).unwrap();
        s.push(f.sigma);
        k.push(f.kappa);
    }
    let (es, ek) = (mean_ci95(&s).unwrap(), mean_ci95(&k).unwrap());
    assert!(es.lo <= sigma && sigma <= es.hi, "sigma CI [{}, {}]", es.lo, es.hi);
    assert!(ek.lo <= kappa && kappa <= ek.hi, "kappa CI [{}, {}]", ek.lo, ek.hi);
}

#[test]
fn amdahl_fit_recovers_serial_fraction() {
    let pts: Vec<(f64, f64)> = (1..=20).map(|n| (n as f64, amdahl_throughput(n as f64, 50.0, 0.1))).collect();
    let f = fit_amdahl(&pts).unwrap();
    assert!((f.sigma - 0.1).abs() < 1e-9 && (f.lambda - 50.0).abs() < 1e-6);
}

#[test]
fn bad_parameters_are_refused_with_names() {
    for (cfg, name) in [
        (ScalingConfig { node_counts: vec![], ..small() }, "node_counts"),
        (ScalingConfig { node_counts: vec![0], ..small() }, "node_counts"),
        (ScalingConfig { serial_fraction: 1.5, ..small() }, "serial_fraction"),
        (ScalingConfig { coordination_ms: -1.0, ..small() }, "coordination_ms"),
        (ScalingConfig { job_ms: 0.0, ..small() }, "job_ms"),
    ] {
        let e = cfg.run(1).unwrap_err().to_string();
        assert!(e.contains(name), "{e}");
    }
    assert!(fit_usl(&[(1.0, 1.0), (2.0, 2.0)]).unwrap_err().to_string().contains("points"));
    assert!(synthetic_usl(&[1], 1.0, 2.0, 0.0, 0.0, 1).unwrap_err().to_string().contains("sigma"));
}
