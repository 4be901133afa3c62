//! The consistency ladder on a replicated store: pinned verdict counts, determinism, validation,
//! and the diagram of a violating run.

use distsim::check::consistency::Consistency;
use distsim::concepts::ladder::Config;
use distsim::experiment::{Experiment, Parameters, Report};
use distsim::trace::EventKind;

fn one_replica_quorums() -> Config {
    Config { read_quorum: 1, write_quorum: 1, write_back: false, sticky: true, ..Config::default() }
}

/// How many of seeds `0..n` each rung accepts, strongest first.
fn accepted(c: &Config, n: u64) -> Vec<usize> {
    let mut counts = vec![0; 5];
    for seed in 0..n {
        for (i, (_, v)) in c.run(seed).unwrap().measures().iter().enumerate() {
            counts[i] += *v as usize;
        }
    }
    counts
}

#[test]
fn abd_is_linearizable_and_quorums_of_one_slide_down_the_ladder() {
    // Majority quorums with write-back: every run linearizable.
    assert_eq!(accepted(&Config::default(), 20), [20; 5]);
    // Quorums of one, sticky clients: measured with this test's seeds (0..40).
    let counts = accepted(&one_replica_quorums(), 40);
    assert_eq!(counts, [32, 35, 35, 37, 40]);
    // Acceptance never rises up the ladder.
    assert!(counts.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn same_seed_same_run() {
    let c = one_replica_quorums();
    let (a, b) = (c.run(7).unwrap(), c.run(7).unwrap());
    assert_eq!(a.trace.digest, b.trace.digest);
    assert_eq!(a.ladder, b.ladder);
    assert_ne!(a.trace.digest, c.run(8).unwrap().trace.digest);
}

#[test]
fn quorums_larger_than_the_replicas_are_refused() {
    let err = Config { read_quorum: 4, ..Config::default() }.run(1).unwrap_err().to_string();
    assert!(err.contains("read_quorum") && err.contains("at most `replicas` (3)"), "{err}");
    let err = Config { clients: 0, ..Config::default() }.run(1).unwrap_err().to_string();
    assert!(err.contains("`clients`"), "{err}");
    let names: Vec<&str> = Config::default().params().iter().map(|p| p.name).collect();
    assert_eq!(names[..3], ["replicas", "read_quorum", "write_quorum"]);
    let sweep = one_replica_quorums().sweep("write_quorum", &[1, 3], 0..4).unwrap();
    assert_eq!(sweep.measures(), ["linearizable", "sequential", "causal", "read-your-writes", "eventual"]);
}

#[test]
fn a_violating_run_rings_the_answers_of_its_operations() {
    let c = one_replica_quorums();
    let run = (0..40).map(|s| c.run(s).unwrap()).find(|r| !r.ladder.verdict(Consistency::ReadYourWrites).accepted());
    let run = run.expect("some seed breaks read-your-writes");
    let violation = run.ladder.verdict(Consistency::ReadYourWrites).violation.clone().unwrap();
    let diagram = run.spacetime(Consistency::ReadYourWrites);
    let expected: Vec<u64> = violation.ops.iter().filter_map(|&i| run.history.ops()[i].event).collect();
    assert_eq!(diagram.highlighted(), expected);
    assert_eq!(expected.len(), violation.ops.len(), "every operation of the violation was answered");
    for (&i, &seq) in violation.ops.iter().zip(&expected) {
        let o = &run.history.ops()[i];
        let e = &run.trace.events[seq as usize];
        // The ring sits where that client got its answer, at the time the history says it returned.
        assert!(matches!(e.kind, EventKind::Deliver { to, .. } if to == c.replicas + o.client), "{e:?}");
        assert_eq!(Some(e.time.as_nanos()), o.ret);
    }
}
