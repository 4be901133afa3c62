//! Failure is normal: P(at least one of N down) and failures per year, simulated vs exact.

use distsim::concepts::failure_normal::{analytic_any_down, Config};
use distsim::experiment::{Experiment, ParamValue, Parameters, Report};
use distsim::time::{hours, Duration};

#[test]
fn golden_values_for_a_pinned_seed() {
    let r = Config::default().run(7).unwrap();
    assert_eq!(r.failures_per_year[..4], GOLDEN_FAILURES);
    assert_eq!(r.max_down_per_year[..4], GOLDEN_MAX_DOWN);
}
const GOLDEN_FAILURES: [f64; 4] = [986.0, 1043.0, 981.0, 947.0];
const GOLDEN_MAX_DOWN: [usize; 4] = [10, 9, 9, 9];

#[test]
fn same_seed_same_result() {
    let c = Config { machines: 300, years: 5, ..Default::default() };
    let (a, b) = (c.run(4).unwrap(), c.run(4).unwrap());
    assert_eq!(a.timeline, b.timeline);
    assert_eq!(a.table().to_text(), b.table().to_text());
    assert_eq!(a.plot().to_svg().unwrap(), b.plot().to_svg().unwrap());
}

#[test]
fn any_down_formula() {
    assert_eq!(analytic_any_down(0.0, 1000), 0.0);
    assert!((analytic_any_down(0.5, 2) - 0.75).abs() < 1e-12);
    assert!((analytic_any_down(0.01, 100) - (1.0 - 0.99f64.powi(100))).abs() < 1e-12);
    let c = Config::default();
    assert!((c.analytic_any_down() - 0.935).abs() < 0.01, "{}", c.analytic_any_down());
}

#[test]
fn expected_machine_failures_per_year_agree_with_simulation() {
    let c = Config { machines: 500, years: 30, ..Default::default() };
    let exact = c.analytic_failures_per_year();
    let hits = (1..=20).filter(|&s| c.run(s).unwrap().failures.contains(exact)).count();
    assert!(hits >= 17, "expected {exact} failures/year inside the CI for {hits}/20 seeds");
}

#[test]
fn p_at_least_one_down_agrees_with_simulation() {
    // Small fleets, where the probability is far from 0 and 1, and frequent failures.
    let c = Config { mtbf: hours(240), mttr: hours(12), years: 20, ..Default::default() };
    for n in [1, 5, 20] {
        let cn = Config { machines: n, ..c.clone() };
        let exact = cn.analytic_any_down();
        let hits = (1..=20).filter(|&s| cn.run(s).unwrap().any_down.contains(exact)).count();
        assert!(hits >= 17, "N={n}: exact {exact} inside the CI for {hits}/20 seeds");
    }
    let curve = c.vs_machines(&[1, 10, 100], 0..5).unwrap();
    assert_eq!(curve.points.len(), 3);
    for (n, exact, est) in &curve.points {
        // 5 seeds x 20 years: the mean is within a few standard errors (~0.001) of the formula.
        assert!((est.mean - exact).abs() < 0.01, "N={n}: exact {exact}, mean over 5 seeds {est:?}");
    }
    curve.plot().to_svg().unwrap();
}

#[test]
fn bad_parameters_are_refused_with_their_range() {
    let bad = |c: Config, name: &str| {
        let err = c.run(1).unwrap_err().to_string();
        assert!(err.contains(&format!("`{name}`")), "{err}");
    };
    bad(Config { machines: 0, ..Default::default() }, "machines");
    bad(Config { mtbf: Duration::ZERO, ..Default::default() }, "mtbf");
    bad(Config { mttr: hours(1_000_000), ..Default::default() }, "mttr");
    bad(Config { years: 0, ..Default::default() }, "years");
    assert!(Config::default().vs_machines(&[], 0..1).is_err());
    assert!(Config::default().vs_machines(&[10], 0..0).is_err());
}

#[test]
fn the_generic_sweep_varies_every_named_parameter() {
    let c = Config { machines: 50, mtbf: hours(240), mttr: hours(12), years: 4 };
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(names, ["machines", "mtbf", "mttr", "years"]);
    let values: [(&str, [ParamValue; 2]); 4] = [
        ("machines", [5.into(), 80.into()]),
        ("mtbf", [hours(100).into(), hours(1000).into()]),
        ("mttr", [hours(2).into(), hours(48).into()]),
        ("years", [2.into(), 6.into()]),
    ];
    for (name, values) in values {
        let sweep = c.sweep(name, &values, 0..3).unwrap();
        assert_eq!(sweep.measures(), ["failures", "any_down", "mean_down", "max_down"]);
        assert_eq!(sweep.values(), values, "{name}");
        let direct = c.with(name, values[1].clone()).unwrap().run(1).unwrap().measures();
        for (m, (_, v)) in direct.iter().enumerate() {
            assert_eq!(sweep.result.points[1].samples[m][1], *v, "{name}, measure {m}");
        }
    }
    let slower = c.sweep("mttr", &[hours(2), hours(48)], 0..4).unwrap().means("mean_down").unwrap();
    assert!(slower[1] > slower[0], "{slower:?}");
    let err = c.sweep("mtbf_days", &[10.0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`mtbf_days`") && err.contains("machines, mtbf, mttr, years"), "{err}");
    let err = c.sweep("machines", &[0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`machines`") && err.contains("[1, 1000000]"), "{err}");
    let err = c.sweep("years", &[20_000], 0..2).unwrap_err().to_string();
    assert!(err.contains("`years`") && err.contains("[1, 10000]"), "{err}");
}
