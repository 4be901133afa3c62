//! Confidence intervals: known values, coverage over fixed seeds, errors.

use distsim::prelude::*;
use distsim::stats::t_critical_95;

#[test]
fn student_t_matches_tables_and_tends_to_normal() {
    assert!((t_critical_95(1) - 12.706).abs() < 1e-3);
    assert!((t_critical_95(4) - 2.776).abs() < 1e-3);
    assert!((t_critical_95(30) - 2.042).abs() < 1e-3);
    assert!((t_critical_95(40) - 2.021).abs() < 1e-3);
    assert!((t_critical_95(120) - 1.980).abs() < 1e-3);
    assert!((t_critical_95(100_000) - 1.960).abs() < 1e-3);
    // Monotone decreasing across the table/expansion boundary.
    for df in 1..200 {
        assert!(t_critical_95(df) > t_critical_95(df + 1), "df {df}");
    }
}

#[test]
fn mean_ci_of_known_sample() {
    let e = mean_ci95(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
    assert_eq!(e.mean, 5.0);
    assert_eq!(e.n, 8);
    // sample sd = sqrt(32/7); se = sd/sqrt(8); t(7) = 2.364624
    let se = (32.0f64 / 7.0).sqrt() / 8f64.sqrt();
    assert!((e.std_err - se).abs() < 1e-12);
    assert!((e.hi - (5.0 + 2.364624 * se)).abs() < 1e-6);
    assert!((e.lo - (5.0 - 2.364624 * se)).abs() < 1e-6);
}

#[test]
fn bad_input_is_refused() {
    assert!(matches!(mean_ci95(&[]), Err(Error::Empty { .. })));
    let err = mean_ci95(&[1.0, f64::NAN]).unwrap_err().to_string();
    assert!(err.contains("samples[1]"), "{err}");
    assert!(matches!(proportion_ci95(0, 0), Err(Error::Empty { .. })));
    let err = proportion_ci95(5, 3).unwrap_err().to_string();
    assert!(err.contains("`successes`") && err.contains("n = 3"), "{err}");
}

#[test]
fn one_sample_collapses_and_says_so() {
    let e = mean_ci95(&[3.0]).unwrap();
    assert_eq!((e.lo, e.hi, e.std_err), (3.0, 3.0, 0.0));
    assert_eq!(e.to_string(), "3.000 (n=1, no CI)");
}

#[test]
fn wilson_interval_known_values_and_edges() {
    let p = proportion_ci95(25, 100).unwrap();
    assert!((p.lo - 0.17545).abs() < 1e-4 && (p.hi - 0.34305).abs() < 1e-4, "{p:?}");
    let zero = proportion_ci95(0, 20).unwrap();
    assert_eq!(zero.lo, 0.0);
    assert!(zero.hi > 0.1 && zero.hi < 0.2, "Wilson gives a real upper bound when nothing was seen: {zero:?}");
    let all = proportion_ci95(20, 20).unwrap();
    assert_eq!(all.hi, 1.0);
    assert!(all.lo < 1.0);
}

#[test]
fn display_formats() {
    let e = Estimate { mean: 0.25, lo: 0.238, hi: 0.262, n: 100, std_err: 0.006 };
    assert_eq!(e.to_string(), "0.250 ± 0.012 (95% CI, n=100)");
    let p = proportion_ci95(25, 100).unwrap();
    assert_eq!(p.to_string(), "0.250 [0.175, 0.343] (95% CI, n=100)");
    let big = Estimate { mean: 1520.0, lo: 1420.0, hi: 1620.0, n: 10, std_err: 44.0 };
    assert_eq!(big.to_string(), "1520 ± 100 (95% CI, n=10)");
    assert_eq!(Value::from(p), Value::Text(p.to_string()));
    let b = p.mime_bundle();
    assert!(b.get("text/html").unwrap().contains("0.250"));
}

#[test]
fn mean_interval_covers_the_true_mean_about_95_percent_of_the_time() {
    // 400 experiments of 10 uniform(0,1) samples each, from fixed seeds.
    let mut covered = 0;
    for seed in 0..400u64 {
        let mut rng = stream(seed, Stream::Workload);
        let samples: Vec<f64> = (0..10).map(|_| rng.random::<f64>()).collect();
        if mean_ci95(&samples).unwrap().contains(0.5) {
            covered += 1;
        }
    }
    // Binomial(400, 0.95): mean 380, sd 4.4. Allow about 4 sd.
    assert!((362..=398).contains(&covered), "covered {covered}/400");
}

#[test]
fn wilson_interval_coverage_over_fixed_seeds() {
    let mut covered = 0;
    for seed in 0..400u64 {
        let mut rng = stream(seed, Stream::Workload);
        let successes = (0..50).filter(|_| rng.random::<f64>() < 0.1).count() as u64;
        if proportion_ci95(successes, 50).unwrap().contains(0.1) {
            covered += 1;
        }
    }
    assert!((360..=400).contains(&covered), "covered {covered}/400");
}

#[test]
fn wilson_interval_contains_the_proportion_at_the_edges() {
    for n in [1u64, 7, 100, 1000, 12345] {
        for successes in [0, n] {
            let e = distsim::stats::proportion_ci95(successes, n).unwrap();
            assert!(e.lo <= e.mean && e.mean <= e.hi, "{successes}/{n}: {e:?}");
            assert!(e.lo >= 0.0 && e.hi <= 1.0, "{successes}/{n}: {e:?}");
        }
    }
}
