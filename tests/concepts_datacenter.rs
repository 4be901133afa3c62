//! A year in a data center: failure table, machines down, replica placement.

use distsim::concepts::datacenter::{chapter_failures, Blast, Config, FailureKind, Placement, Rate};

fn small() -> Config {
    Config { machines: 2000, trials: 40, chunks: 200, ..Default::default() }
}

#[test]
fn golden_values_for_a_pinned_seed() {
    let r = small().run(7).unwrap();
    let events: Vec<f64> = r.kinds.iter().map(|k| k.events.mean).collect();
    assert_eq!(events, GOLDEN_EVENTS);
    assert_eq!(r.peak_per_year[..4], GOLDEN_PEAKS);
}
const GOLDEN_EVENTS: [f64; 8] = [0.425, 1.05, 1.075, 21.2, 0.8, 19.875, 197.475, 600.575];
const GOLDEN_PEAKS: [u32; 4] = [801, 1200, 1800, 802];

#[test]
fn same_seed_same_result_whatever_the_thread_count() {
    let c = small();
    let a = c.run(5).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let b = pool.install(|| c.run(5).unwrap());
    assert_eq!(a.peak_per_year, b.peak_per_year);
    assert_eq!(a.timeline, b.timeline);
    assert_eq!(a.table().to_text(), b.table().to_text());
    assert_eq!(a.placement_table().to_text(), b.placement_table().to_text());
    assert_eq!(a.plot().to_svg().unwrap(), b.plot().to_svg().unwrap());
    assert_ne!(a.peak_per_year, c.run(6).unwrap().peak_per_year);
}

#[test]
fn expected_machine_failures_per_year_agree_with_simulation() {
    let c = Config { chunks: 0, trials: 30, ..small() };
    let machine = c.failures.iter().position(|k| k.name == "machine failure").unwrap();
    let (mut hits_machine, mut hits_all) = (0, 0);
    for seed in 1..=20 {
        let r = c.run(seed).unwrap();
        hits_machine += r.kinds[machine].events.contains(c.analytic_events(&c.failures[machine])) as usize;
        hits_all += r.machine_outages.contains(c.analytic_total_machine_outages()) as usize;
    }
    assert!(hits_machine >= 17, "machine failures: {hits_machine}/20");
    assert!(hits_all >= 17, "machine outages from all causes: {hits_all}/20");
    // The chapter's ~1000 machine failures a year at 10,000 machines.
    let full = Config::default();
    assert_eq!(full.analytic_events(&full.failures[machine]), 1000.0);
}

#[test]
fn replicas_across_racks_are_far_safer_than_in_one_rack() {
    let r = Config { trials: 30, ..small() }.run(2).unwrap();
    let p = |pl| r.placements.iter().find(|s| s.placement == pl).unwrap().unavailable_in_year.mean;
    let (same, across) = (p(Placement::SameRack), p(Placement::AcrossRacks));
    assert!(same > 0.2, "same rack {same}");
    assert!(across < same / 2.0, "across {across} vs same {same}");
    let text = r.distribution_table().to_text();
    assert!(text.contains("machines down at once"), "{text}");
    r.distribution_plot().to_svg().unwrap();
    r.placement_plot().to_svg().unwrap();
    let fractions: f64 = r.down_distribution.iter().map(|d| d.1).sum();
    assert!((fractions - 1.0).abs() < 1e-9);
}

#[test]
fn the_failure_table_is_editable() {
    let only_racks = vec![FailureKind::new("rack failure", Rate::PerYear(50.0), Blast::Rack, (2.0, 2.0))];
    let c = Config { failures: only_racks, ..small() };
    let r = c.run(3).unwrap();
    // Every outage is a whole rack of 40 machines.
    assert!(r.peak_per_year.iter().all(|p| p % 40 == 0));
    assert_eq!(c.analytic_total_machine_outages(), 50.0 * 40.0);
    assert_eq!(chapter_failures().len(), 8);
    assert!(Config::default().failure_table().to_text().contains("5% at a time, rolling"));
}

#[test]
fn bad_parameters_are_refused_with_their_range() {
    let bad = |c: Config, name: &str| {
        let err = c.run(1).unwrap_err().to_string();
        assert!(err.contains(&format!("`{name}`")), "{err}");
    };
    bad(Config { machines: 0, ..small() }, "machines");
    bad(Config { machines_per_rack: 0, ..small() }, "machines_per_rack");
    bad(Config { trials: 0, ..small() }, "trials");
    bad(Config { replicas: 41, ..small() }, "replicas");
    let mut c = small();
    c.failures[0].rate = Rate::PerYear(-1.0);
    bad(c, "failures[0].rate");
    let mut c = small();
    c.failures[3].repair_hours = (5.0, 1.0);
    bad(c, "failures[3].repair_hours.1");
    let mut c = small();
    c.failures[0].blast = Blast::Fraction(1.5);
    bad(c, "failures[0].blast");
}
