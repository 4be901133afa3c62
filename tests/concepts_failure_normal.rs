//! Failure is normal: P(at least one of N down) and failures per year, simulated vs exact.

use distsim::concepts::failure_normal::{analytic_any_down, Config};

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
    let c = Config { mtbf_days: 10.0, mttr_hours: 12.0, years: 20, ..Default::default() };
    for n in [1, 5, 20] {
        let cn = Config { machines: n, ..c.clone() };
        let exact = cn.analytic_any_down();
        let hits = (1..=20).filter(|&s| cn.run(s).unwrap().any_down.contains(exact)).count();
        assert!(hits >= 17, "N={n}: exact {exact} inside the CI for {hits}/20 seeds");
    }
    let curve = c.vs_machines(&[1, 10, 100], 3).unwrap();
    assert_eq!(curve.points.len(), 3);
    curve.plot().to_svg().unwrap();
}

#[test]
fn bad_parameters_are_refused_with_their_range() {
    let bad = |c: Config, name: &str| {
        let err = c.run(1).unwrap_err().to_string();
        assert!(err.contains(&format!("`{name}`")), "{err}");
    };
    bad(Config { machines: 0, ..Default::default() }, "machines");
    bad(Config { mtbf_days: -1.0, ..Default::default() }, "mtbf_days");
    bad(Config { mttr_hours: f64::INFINITY, ..Default::default() }, "mttr_hours");
    bad(Config { years: 0, ..Default::default() }, "years");
    assert!(Config::default().vs_machines(&[], 1).is_err());
}
