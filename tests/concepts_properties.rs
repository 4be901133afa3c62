//! The six properties: the framework, the scorecard, and fault tolerance drawn apart from availability.

use distsim::concepts::properties::repair_or_failover::{Config, Design};
use distsim::concepts::properties::{measure, Property, Scorecard};
use distsim::experiment::{Experiment, Parameters, Report};
use distsim::time::{millis, Duration};

#[test]
fn golden_year_for_a_pinned_seed() {
    // Computed once from this implementation (streams "properties/failures", "properties/repairs",
    // "properties/lag_writes", seed 7); a change means the model or a stream changed.
    let r = Config::default().run(7).unwrap();
    assert!((r.failures - 1.975).abs() < 1e-9, "{}", r.failures);
    let repair = r.design(Design::WaitForRepair);
    assert!((repair.down_hours - 15.500_492_917_368_33).abs() < 1e-9, "{}", repair.down_hours);
    assert!((r.design(Design::AsyncFailover).lost_writes - 198.29).abs() < 1e-9);
    // Failover time is fixed: 1.975 failures × 30 s.
    assert!((r.design(Design::SyncFailover).down_hours - 1.975 * 30.0 / 3600.0).abs() < 1e-12);
}

#[test]
fn fault_tolerant_and_highly_available_come_apart() {
    let r = Config::default().run(11).unwrap();
    let (repair, lossy, sync) =
        (r.design(Design::WaitForRepair), r.design(Design::AsyncFailover), r.design(Design::SyncFailover));
    // Waiting for repair loses nothing and is down for hours; async failover is up and loses writes.
    assert_eq!(repair.lost_writes, 0.0);
    assert!(repair.down_hours > 10.0, "{}", repair.down_hours);
    assert!(lossy.lost_writes > 100.0, "{}", lossy.lost_writes);
    assert!(lossy.availability() > 0.99999 && repair.availability() < 0.999);
    // The sync backup has both, and pays the round trip on every write.
    assert_eq!(sync.lost_writes, 0.0);
    assert_eq!(sync.down_hours, lossy.down_hours);
    assert_eq!(sync.added_write_latency, millis(1));
    assert!(r.table().to_text().contains("fail over to an async backup  no"));
    assert_eq!(r.plot().series().len(), 3);
}

#[test]
fn means_agree_with_the_closed_form() {
    // Down hours per year = failures × mean repair; lost writes = failures × writes in the lag.
    let c = Config { years: 20_000, ..Default::default() };
    let r = c.run(3).unwrap();
    let expected_down = 2.0 * 8.0;
    let expected_lost = 2.0 * 500.0 * 0.2;
    let down = r.design(Design::WaitForRepair).down_hours;
    let lost = r.design(Design::AsyncFailover).lost_writes;
    // Standard errors: repair sd ≈ sqrt(2 × 2 × 64) / sqrt(20000) ≈ 0.11 h; lost ≈ 1.4 writes.
    assert!((down - expected_down).abs() < 0.5, "{down}");
    assert!((lost - expected_lost).abs() < 6.0, "{lost}");
}

#[test]
fn same_seed_same_result() {
    let c = Config { years: 200, ..Default::default() };
    let (a, b) = (c.run(5).unwrap(), c.run(5).unwrap());
    assert_eq!(a, b);
    assert_eq!(a.plot().to_svg().unwrap(), b.plot().to_svg().unwrap());
    assert_ne!(a.measures(), c.run(6).unwrap().measures());
}

#[test]
fn the_generic_sweep_varies_every_named_parameter() {
    let c = Config { years: 200, ..Default::default() };
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        ["failures_per_year", "repair", "failover", "replication_lag", "writes_per_sec", "backup_rtt", "years"]
    );
    let values = |name: &str| -> [distsim::experiment::ParamValue; 2] {
        match name {
            "repair" => [Duration::from_hours(1).into(), Duration::from_hours(24).into()],
            "failover" | "replication_lag" | "backup_rtt" => [millis(10).into(), millis(500).into()],
            "years" => [100.into(), 300.into()],
            _ => [1.0.into(), 4.0.into()],
        }
    };
    for name in names {
        let vs = values(name);
        let sweep = c.sweep(name, &vs, 0..3).unwrap();
        assert_eq!(sweep.values().len(), 2, "{name}");
        let direct = c.with(name, vs[1].clone()).unwrap().run(2).unwrap().measures();
        let means = sweep.means(&direct[0].0).unwrap();
        assert!(means[1].is_finite(), "{name}");
        assert_eq!(sweep.result.points[1].samples[0][2], direct[0].1, "{name}");
    }
    let longer = c.sweep("repair", &[Duration::from_hours(1), Duration::from_hours(24)], 0..4).unwrap();
    let down = longer.means("repair_down_hours").unwrap();
    assert!(down[1] > 10.0 * down[0], "{down:?}");
    let err = c.sweep("failures", &[1.0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`failures`") && err.contains("failures_per_year"), "{err}");
}

#[test]
fn bad_parameters_are_refused_with_their_range() {
    let err = Config { failures_per_year: -1.0, ..Default::default() }.run(1).unwrap_err().to_string();
    assert!(err.contains("`failures_per_year`") && err.contains("[0, 50]"), "{err}");
    let err = Config { repair: Duration::ZERO, ..Default::default() }.run(1).unwrap_err().to_string();
    assert!(err.contains("`repair`"), "{err}");
    let err = Config { years: 0, ..Default::default() }.run(1).unwrap_err().to_string();
    assert!(err.contains("`years`"), "{err}");
}

#[test]
fn the_six_properties_are_one_framework() {
    let names: Vec<&str> = Property::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(names, ["fault-tolerant", "highly available", "consistent", "scalable", "predictable", "secure"]);
    let t = Property::table();
    assert_eq!(t.len(), 6);
    assert!(t.to_text().contains("does twice the hardware carry twice the load?"));
}

#[test]
fn the_scorecard_reads_its_values_from_the_measures() {
    let r = Config::default().run(7).unwrap();
    let mut card = Scorecard::new("review");
    let v = card.row(Property::HighlyAvailable, "async failover", &r, "async_nines", "a backup").unwrap();
    assert_eq!(v, measure(&r, "async_nines").unwrap());
    assert!((v - 5.726).abs() < 0.001, "{v}");
    assert_eq!(card.row(Property::FaultTolerant, "sync", &r, "sync_lost_writes", "1 ms").unwrap(), 0.0);
    assert_eq!(card.missing(), [Property::Consistent, Property::Scalable, Property::Predictable, Property::Secure]);
    let err = card.row(Property::Secure, "x", &r, "nope", "").unwrap_err().to_string();
    assert!(err.contains("nope") && err.contains("async_nines"), "{err}");
    assert!(card.add(Property::Secure, "x", "y", f64::NAN, "").is_err());
    assert_eq!(card.table().len(), 2);
}
