//! CAP: CP vs AP under a partition, and the linearizability checker.

use distsim::concepts::cap::*;
use distsim::experiment::{Experiment, Parameters, Report};
use distsim::time::{millis, secs, Duration};

fn small(mode: Mode) -> CapConfig {
    CapConfig { operations: 3_000, mode, partition_at: secs(1), partition_for: secs(2), ..Default::default() }
}

#[test]
fn pinned_seed_golden() {
    let r = small(Mode::Ap).run(4).unwrap();
    assert_eq!((r.stale_reads, r.lost_updates, r.succeeded), GOLDEN_AP);
    let r = small(Mode::Cp).run(4).unwrap();
    assert_eq!((r.stale_reads, r.lost_updates, r.succeeded), GOLDEN_CP);
}
const GOLDEN_AP: (u64, u64, u64) = (660, 305, 3000);
const GOLDEN_CP: (u64, u64, u64) = (0, 0, 2964);

#[test]
fn same_seed_same_result() {
    let (a, b) = (small(Mode::Cp).run(8).unwrap(), small(Mode::Cp).run(8).unwrap());
    assert_eq!(a, b);
    assert_eq!(a.trace_digest, b.trace_digest);
    assert_ne!(a.trace_digest, small(Mode::Cp).run(9).unwrap().trace_digest);
}

#[test]
fn cp_is_consistent_but_refuses_the_minority() {
    for seed in 0..3 {
        let r = small(Mode::Cp).run(seed).unwrap();
        assert!(r.linearizability.linearizable(), "{:?}", r.linearizability);
        assert_eq!(r.linearizability.unchecked_segments, 0);
        assert_eq!((r.stale_reads, r.lost_updates), (0, 0));
        assert!(
            r.availability_during_partition.hi < 0.99,
            "minority must refuse: {:?}",
            r.availability_during_partition
        );
    }
}

#[test]
fn ap_is_available_but_inconsistent() {
    let r = small(Mode::Ap).run(1).unwrap();
    assert_eq!(r.succeeded, r.operations);
    assert!(r.stale_reads > 0 && !r.linearizability.linearizable());
    // Skewed clocks make last-writer-wins drop writes that came later in real time.
    assert!(r.lost_updates > 0);
    let perfect =
        CapConfig { clock_offset: Duration::ZERO, partition_for: Duration::ZERO, ..small(Mode::Ap) }.run(1).unwrap();
    assert_eq!(perfect.lost_updates, 0);
}

#[test]
fn checker_handles_hand_made_histories() {
    let op = |op, invoke, complete| Operation { op, invoke, complete };
    let ok = [op(RegisterOp::Write(1), 0, 10), op(RegisterOp::Read(1), 5, 12), op(RegisterOp::Read(0), 1, 3)];
    assert!(check_register(&ok, 0, 128).unwrap().linearizable());
    let bad = [op(RegisterOp::Write(1), 0, 10), op(RegisterOp::Read(1), 11, 12), op(RegisterOp::Read(0), 13, 14)];
    assert!(!check_register(&bad, 0, 128).unwrap().linearizable());
    // A window past the checker's limit is refused, not silently narrowed.
    let err = check_register(&ok, 0, 129).unwrap_err().to_string();
    assert!(err.contains("`max_window`") && err.contains("[1, 128]"), "{err}");
}

#[test]
fn bad_parameters_are_refused_with_names() {
    for (cfg, name) in [
        (CapConfig { replicas: 2, ..Default::default() }, "replicas"),
        (CapConfig { write_fraction: 2.0, ..Default::default() }, "write_fraction"),
        (CapConfig { timeout: Duration::ZERO, ..Default::default() }, "timeout"),
        (CapConfig { max_window: 500, ..Default::default() }, "max_window"),
        (CapConfig { max_window: 0, ..Default::default() }, "max_window"),
        (CapConfig { think: secs(20_000), ..Default::default() }, "think"),
    ] {
        let e = cfg.run(1).unwrap_err().to_string();
        assert!(e.contains(&format!("`{name}`")), "{e}");
    }
}

#[test]
fn the_generic_sweep_varies_every_named_parameter() {
    let c = CapConfig { operations: 300, partition_at: millis(200), partition_for: millis(300), ..Default::default() };
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        [
            "replicas",
            "mode",
            "operations",
            "think",
            "write_fraction",
            "latency",
            "timeout",
            "anti_entropy",
            "partition_at",
            "partition_for",
            "clock_offset",
            "max_window"
        ]
    );
    let values: [(&str, [distsim::experiment::ParamValue; 2]); 12] = [
        ("replicas", [3.into(), 5.into()]),
        ("mode", ["cp".into(), "ap".into()]),
        ("operations", [200.into(), 400.into()]),
        ("think", [millis(2).into(), millis(8).into()]),
        ("write_fraction", [0.2.into(), 0.8.into()]),
        ("latency", [millis(1).into(), millis(3).into()]),
        ("timeout", [millis(20).into(), millis(80).into()]),
        ("anti_entropy", [millis(50).into(), millis(200).into()]),
        ("partition_at", [millis(100).into(), millis(400).into()]),
        ("partition_for", [Duration::ZERO.into(), millis(600).into()]),
        ("clock_offset", [Duration::ZERO.into(), millis(10).into()]),
        ("max_window", [8.into(), 64.into()]),
    ];
    for (name, values) in values {
        let sweep = c.sweep(name, &values, 0..3).unwrap();
        assert_eq!(sweep.measures()[0], "availability", "{name}");
        assert_eq!(sweep.values().len(), 2, "{name}");
        // Each seed's run at a value is the experiment's own run with that value set.
        let direct = c.with(name, values[1].clone()).unwrap().run(2).unwrap().measures();
        for (m, (measure, value)) in direct.iter().enumerate() {
            assert_eq!(sweep.result.points[1].samples[m][2], *value, "{name}: {measure}");
        }
    }
    // A partition costs CP availability: longer cut, fewer successes.
    let cp = c.sweep("partition_for", &[Duration::ZERO, millis(900)], 0..4).unwrap();
    let available = cp.means("availability").unwrap();
    assert!(available[1] < available[0], "{available:?}");
    // Unknown names and out-of-range values name both the parameter and what is valid.
    let err = c.sweep("replica", &[3], 0..2).unwrap_err().to_string();
    assert!(err.contains("`replica`") && err.contains("replicas, mode, operations"), "{err}");
    let err = c.sweep("replicas", &[2], 0..2).unwrap_err().to_string();
    assert!(err.contains("`replicas`") && err.contains("[3, 9]"), "{err}");
    let err = c.sweep("mode", &["ca"], 0..2).unwrap_err().to_string();
    assert!(err.contains("`mode`") && err.contains("cp, ap"), "{err}");
    let err = c.sweep("max_window", &[129], 0..2).unwrap_err().to_string();
    assert!(err.contains("`max_window`") && err.contains("[1, 128]"), "{err}");
    let err = c.sweep("timeout", &[Duration::ZERO], 0..2).unwrap_err().to_string();
    assert!(err.contains("`timeout`") && err.contains("a duration in"), "{err}");
}
