//! CAP: CP vs AP under a partition, and the linearizability checker.

use distsim::concepts::cap::*;

fn small(mode: Mode) -> CapConfig {
    CapConfig { operations: 3_000, mode, partition_at_ms: 1_000.0, partition_for_ms: 2_000.0, ..Default::default() }
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
    let perfect = CapConfig { clock_offset_ms: 0.0, partition_for_ms: 0.0, ..small(Mode::Ap) }.run(1).unwrap();
    assert_eq!(perfect.lost_updates, 0);
}

#[test]
fn checker_handles_hand_made_histories() {
    let op = |op, invoke, complete| Operation { op, invoke, complete };
    let ok = [op(RegisterOp::Write(1), 0, 10), op(RegisterOp::Read(1), 5, 12), op(RegisterOp::Read(0), 1, 3)];
    assert!(check_register(&ok, 0, 128).linearizable());
    let bad = [op(RegisterOp::Write(1), 0, 10), op(RegisterOp::Read(1), 11, 12), op(RegisterOp::Read(0), 13, 14)];
    assert!(!check_register(&bad, 0, 128).linearizable());
}

#[test]
fn bad_parameters_are_refused_with_names() {
    for (cfg, name) in [
        (CapConfig { replicas: 2, ..Default::default() }, "replicas"),
        (CapConfig { write_fraction: 2.0, ..Default::default() }, "write_fraction"),
        (CapConfig { timeout_ms: 0.0, ..Default::default() }, "timeout_ms"),
        (CapConfig { max_window: 500, ..Default::default() }, "max_window"),
        (CapConfig { think_ms: -1.0, ..Default::default() }, "think_ms"),
    ] {
        let e = cfg.run(1).unwrap_err().to_string();
        assert!(e.contains(name), "{e}");
    }
}
