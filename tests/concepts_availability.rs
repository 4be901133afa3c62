//! Availability and nines: downtime table, composition, Monte Carlo vs analytic.

use distsim::concepts::availability::{
    composition, downtime_hours_per_year, downtime_table, two_servers_case, Arrangement, Config,
};
use distsim::experiment::{Experiment, Parameters, Report};
use distsim::time::{hours, secs, Duration};

#[test]
fn downtime_table_has_the_chapter_figures() {
    assert!((downtime_hours_per_year(0.999) - 8.76).abs() < 1e-9);
    assert!((downtime_hours_per_year(0.9999) * 60.0 - 52.56).abs() < 1e-6);
    let text = downtime_table().to_text();
    assert!(text.contains("8.76 hours") && text.contains("52.56 minutes"), "{text}");
    assert!(text.contains("90%") && text.contains("99.9999%"), "{text}");
}

#[test]
fn golden_values_for_a_pinned_seed() {
    let r = Config::default().run(7).unwrap();
    let outages: f64 = r.outages_per_year.iter().sum();
    assert_eq!(outages, GOLDEN_OUTAGES);
    assert_eq!(r.outages_per_year[..5], GOLDEN_FIRST_YEARS);
}
const GOLDEN_OUTAGES: f64 = 4871.0;
const GOLDEN_FIRST_YEARS: [f64; 5] = [23.0, 31.0, 24.0, 19.0, 24.0];

#[test]
fn same_seed_same_result() {
    let c = Config { components: 3, arrangement: Arrangement::KOfN(2), years: 50, ..Default::default() };
    let (a, b) = (c.run(3).unwrap(), c.run(3).unwrap());
    assert_eq!(a.downtime_per_year, b.downtime_per_year);
    assert_eq!(a.table().to_text(), b.table().to_text());
    assert_eq!(a.plot().to_svg().unwrap(), b.plot().to_svg().unwrap());
}

/// Counts seeds whose 95% CI of availability holds the analytic value.
fn hits(c: &Config, seeds: std::ops::RangeInclusive<u64>) -> usize {
    let exact = c.analytic_availability();
    seeds.filter(|&s| c.run(s).unwrap().availability.contains(exact)).count()
}

#[test]
fn series_and_parallel_availability_agree_with_the_formulas() {
    // Short MTBF so that each simulated year has many failures and the CI is informative.
    let base = Config { mtbf: hours(100), mttr: hours(10), years: 100, ..Default::default() };
    for (components, arrangement) in
        [(2, Arrangement::Series), (3, Arrangement::Series), (2, Arrangement::Parallel), (3, Arrangement::KOfN(2))]
    {
        let c = Config { components, arrangement, ..base.clone() };
        let h = hits(&c, 1..=20);
        assert!(h >= 17, "{components} {arrangement:?}: analytic inside the CI for {h}/20 seeds");
    }
    let a: f64 = 100.0 / 110.0;
    assert!((Config { components: 2, ..base.clone() }.analytic_availability() - a * a).abs() < 1e-12);
    let par = Config { components: 2, arrangement: Arrangement::Parallel, ..base };
    assert!((par.analytic_availability() - (1.0 - (1.0 - a).powi(2))).abs() < 1e-12);
}

#[test]
fn nines_downtime_agrees_with_simulation() {
    // A 99.9% component with 1-hour repairs: 8.76 hours of downtime a year.
    let c = Config { years: 300, ..Config::with_availability(0.999, hours(1)).unwrap() };
    assert!((c.analytic_downtime_hours() - 8.76).abs() < 1e-9);
    let h = (1..=20).filter(|&s| c.run(s).unwrap().downtime_hours.contains(8.76)).count();
    assert!(h >= 17, "8.76 h inside the CI for {h}/20 seeds");
}

#[test]
fn two_servers_are_offline_about_twice_as_often() {
    let c = Config { years: 400, ..Default::default() };
    let one = Config { components: 1, ..c.clone() };
    let ratio = c.analytic_outages_per_year() / one.analytic_outages_per_year();
    assert!((ratio - 2.0).abs() < 0.02, "{ratio}");
    let t = two_servers_case(&c, 11).unwrap().to_text();
    assert!(t.contains("ratio two / one"), "{t}");
}

#[test]
fn composition_orders_the_arrangements() {
    let curve = composition(&Config::default(), 5).unwrap();
    for &(n, s, p, m) in &curve.rows {
        assert!(s <= m && m <= p, "n={n}: {s} {m} {p}");
    }
    curve.plot().to_svg().unwrap();
}

#[test]
fn bad_parameters_are_refused_with_their_range() {
    let bad = |c: Config, name: &str| {
        let err = c.run(1).unwrap_err().to_string();
        assert!(err.contains(&format!("`{name}`")), "{err}");
    };
    bad(Config { mtbf: Duration::ZERO, ..Default::default() }, "mtbf");
    bad(Config { mttr: hours(200_000), ..Default::default() }, "mttr");
    bad(Config { components: 0, ..Default::default() }, "components");
    bad(Config { arrangement: Arrangement::KOfN(3), ..Default::default() }, "arrangement k");
    bad(Config { years: 0, ..Default::default() }, "years");
    assert!(Config::with_availability(1.0, hours(1)).unwrap_err().to_string().contains("`availability`"));
    // An availability so high that the derived MTBF leaves its range is refused, naming it.
    let err = Config::with_availability(0.999_999_9, hours(1)).unwrap_err().to_string();
    assert!(err.contains("`mtbf`"), "{err}");
    assert!(composition(&Config::default(), 0).is_err());
}

#[test]
fn the_generic_sweep_varies_every_named_parameter() {
    let c = Config { mtbf: hours(100), mttr: hours(10), years: 20, ..Default::default() };
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(names, ["mtbf", "mttr", "components", "years"]);
    let values: [(&str, [distsim::experiment::ParamValue; 2]); 4] = [
        ("mtbf", [hours(50).into(), hours(200).into()]),
        ("mttr", [hours(1).into(), hours(30).into()]),
        ("components", [1.into(), 4.into()]),
        ("years", [5.into(), 30.into()]),
    ];
    for (name, values) in values {
        let sweep = c.sweep(name, &values, 0..3).unwrap();
        assert_eq!(sweep.measures(), ["availability", "downtime_hours", "outages"]);
        assert_eq!(sweep.values(), values, "{name}");
        // Each seed's run at a value is the experiment's own run with that value set.
        let direct = c.with(name, values[1].clone()).unwrap().run(2).unwrap().measures();
        for (m, (_, v)) in direct.iter().enumerate() {
            assert_eq!(sweep.result.points[1].samples[m][2], *v, "{name}, measure {m}");
        }
    }
    // More components in series: less available.
    let series = c.sweep("components", &[1, 4], 0..4).unwrap().means("availability").unwrap();
    assert!(series[1] < series[0], "{series:?}");
    // Unknown names and out-of-range values name both the parameter and what is valid.
    let err = c.sweep("mtbf_hours", &[100.0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`mtbf_hours`") && err.contains("mtbf, mttr, components, years"), "{err}");
    let err = c.sweep("mttr", &[secs(0)], 0..2).unwrap_err().to_string();
    assert!(err.contains("`mttr`") && err.contains("a duration in [1s,"), "{err}");
    let err = c.sweep("components", &[0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`components`") && err.contains("[1, 1000]"), "{err}");
    // A time knob refuses a bare number: the unit must be said.
    let err = c.sweep("mttr", &[6.0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`mttr`") && err.contains("duration"), "{err}");
    // A k-of-n needs k components: the cross-field rule holds inside a sweep too.
    let quorum = Config { components: 3, arrangement: Arrangement::KOfN(2), ..c };
    let err = quorum.sweep("components", &[1], 0..2).unwrap_err().to_string();
    assert!(err.contains("`arrangement k`") && err.contains("[1, 1]"), "{err}");
}
