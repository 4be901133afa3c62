//! Scaling: the coordination simulator on the engine, Amdahl/USL fits and their recovery of known parameters.

use distsim::concepts::scaling::*;
use distsim::experiment::{Experiment, Parameters, Report};
use distsim::stats::mean_ci95;
use distsim::time::{micros, millis, Duration};

const SMALL_COUNTS: [usize; 8] = [1, 2, 4, 8, 16, 24, 32, 40];

fn small() -> ScalingConfig {
    ScalingConfig { jobs: 2_000, ..Default::default() }
}

#[test]
fn pinned_seed_golden() {
    // Computed once from this implementation (streams scaling/work and scaling/critical_section,
    // seed 11); a change means the model, the engine's event order or a stream changed.
    let got: Vec<String> = SMALL_COUNTS
        .iter()
        .map(|&nodes| format!("{:.1}", ScalingConfig { nodes, ..small() }.run(11).unwrap().throughput))
        .collect();
    assert_eq!(got.join(" "), GOLDEN);
}
const GOLDEN: &str = "98.9 206.6 410.1 732.5 1074.6 1143.5 1085.3 983.4";

#[test]
fn same_seed_same_result() {
    assert_eq!(small().run(2).unwrap(), small().run(2).unwrap());
    assert_ne!(small().run(2).unwrap(), small().run(3).unwrap());
    let a = small().scaling_curve(&SMALL_COUNTS, 0..4).unwrap();
    let b = small().scaling_curve(&SMALL_COUNTS, 0..4).unwrap();
    assert_eq!(a.table().to_text(), b.table().to_text());
    assert_eq!(a.plot().to_svg().unwrap(), b.plot().to_svg().unwrap());
}

#[test]
fn coordination_makes_scaling_retrograde() {
    let r = small().scaling_curve(&SMALL_COUNTS, 0..10).unwrap();
    assert!(r.retrograde(), "{}", r.summary());
    let peak = r.usl.peak_nodes().unwrap();
    assert!((8.0..40.0).contains(&peak), "peak {peak}");
    // Without coordination messages there is no retrograde region.
    let flat = ScalingConfig { coordination: Duration::ZERO, ..small() }.scaling_curve(&SMALL_COUNTS, 0..10).unwrap();
    assert!(!flat.retrograde(), "{}", flat.summary());
}

#[test]
fn one_node_runs_at_the_rate_of_its_jobs() {
    // One node, no coordination: a job every `job` on average (10 ms: 100 jobs/s), over 20 seeds.
    let c = ScalingConfig { nodes: 1, ..small() };
    let rates: Vec<f64> = (0..20).map(|s| c.run(s).unwrap().throughput).collect();
    let e = mean_ci95(&rates).unwrap();
    assert!(e.lo - 0.5 <= 100.0 && 100.0 <= e.hi + 0.5, "{e:?}");
    // Vertical: a node 4x faster does four times the work.
    let fast = ScalingConfig { speed: 4.0, ..c };
    let rates: Vec<f64> = (0..20).map(|s| fast.run(s).unwrap().throughput).collect();
    assert!((mean_ci95(&rates).unwrap().mean - 400.0).abs() < 10.0);
    let t = small().vertical_vs_horizontal(&[1, 4], 0..3).unwrap();
    assert!(t.to_text().contains("vertical"));
}

#[test]
fn the_generic_sweep_varies_every_named_parameter() {
    let c = ScalingConfig { nodes: 8, jobs: 200, ..Default::default() };
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(names, ["nodes", "speed", "job", "serial_fraction", "coordination", "jobs"]);
    let cases: Vec<(&str, [distsim::experiment::ParamValue; 2])> = vec![
        ("nodes", [2.into(), 16.into()]),
        ("speed", [1.0.into(), 2.5.into()]),
        ("job", [millis(5).into(), millis(20).into()]),
        ("serial_fraction", [0.0.into(), 0.2.into()]),
        ("coordination", [Duration::ZERO.into(), micros(50).into()]),
        ("jobs", [100.into(), 300.into()]),
    ];
    for (name, values) in cases {
        let sweep = c.sweep(name, &values, 0..3).unwrap();
        assert_eq!(sweep.measures(), ["throughput", "messages_per_job"]);
        let direct = c.with(name, values[1].clone()).unwrap().run(2).unwrap().measures()[0].1;
        assert_eq!(sweep.result.points[1].samples[0][2], direct, "{name}"); // [measure][seed]
    }
    let more = c.sweep("speed", &[1.0, 2.0], 0..3).unwrap().means("throughput").unwrap();
    assert!(more[1] > 1.8 * more[0], "{more:?}");
    let err = c.sweep("node", &[2], 0..2).unwrap_err().to_string();
    assert!(err.contains("`node`") && err.contains("nodes, speed, job"), "{err}");
    let err = c.sweep("nodes", &[0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`nodes`") && err.contains("[1, 4096]"), "{err}");
    let err = c.sweep("serial_fraction", &[1.5], 0..2).unwrap_err().to_string();
    assert!(err.contains("`serial_fraction`") && err.contains("[0, 1]"), "{err}");
    let err = c.sweep("job", &[10.0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`job`") && err.contains("a duration"), "{err}");
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
        (ScalingConfig { nodes: 0, ..small() }, "nodes"),
        (ScalingConfig { serial_fraction: 1.5, ..small() }, "serial_fraction"),
        (ScalingConfig { coordination: distsim::time::secs(5), ..small() }, "coordination"),
        (ScalingConfig { job: Duration::ZERO, ..small() }, "job"),
        (ScalingConfig { speed: 0.0, ..small() }, "speed"),
    ] {
        let e = cfg.run(1).unwrap_err().to_string();
        assert!(e.contains(&format!("`{name}`")), "{e}");
    }
    assert!(small().scaling_curve(&[], 0..2).is_err());
    assert!(fit_usl(&[(1.0, 1.0), (2.0, 2.0)]).unwrap_err().to_string().contains("points"));
    assert!(synthetic_usl(&[1], 1.0, 2.0, 0.0, 0.0, 1).unwrap_err().to_string().contains("sigma"));
}
