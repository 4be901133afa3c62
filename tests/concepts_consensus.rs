//! A small Raft: one leader per term (checked), the "at least half" bug, liveness after a heal.

use distsim::concepts::consensus::{self, one_leader_per_term, Config, Quorum};
use distsim::experiment::{Experiment, Parameters, Report};
use distsim::prelude::*;

#[test]
fn a_majority_never_elects_two_leaders_in_one_term() {
    // Exact state counts of this implementation (3 nodes, no entries, no heartbeats); a change
    // means the protocol or the checker's state space changed.
    let one_term = consensus::checker(3, Quorum::Majority, 1).run().unwrap();
    assert!(one_term.passed());
    assert_eq!(one_term.stats.unique_states, 95);
    let two_terms = consensus::checker(3, Quorum::Majority, 2).run().unwrap();
    assert!(two_terms.passed());
    assert_eq!(two_terms.stats.unique_states, 12_198);
    assert_eq!(two_terms.stats.max_depth, 13);
    // With 3 nodes "at least half" is 2 of 3, a majority: the same states, no violation.
    let half_of_three = consensus::checker(3, Quorum::AtLeastHalf, 1).run().unwrap();
    assert!(half_of_three.passed());
    assert_eq!(half_of_three.stats.unique_states, 95);
    assert!(consensus::checker(4, Quorum::Majority, 1).run().unwrap().passed());
}

#[test]
fn at_least_half_of_four_elects_two_leaders_in_six_steps() {
    let checked = consensus::checker(4, Quorum::AtLeastHalf, 1).run().unwrap();
    assert_eq!(checked.stats.unique_states, 836);
    let cex = checked.violation.expect("two leaders in term 1");
    assert_eq!(cex.property, "at most one leader per term");
    assert_eq!(cex.steps.len(), 6); // breadth-first: a shortest counterexample
    let leaders: Vec<(usize, u64)> =
        cex.last.iter().enumerate().filter(|(_, n)| n.is_leader()).map(|(i, n)| (i, n.term)).collect();
    assert_eq!(leaders.len(), 2, "{leaders:?}");
    assert!(leaders.iter().all(|&(_, t)| t == 1));
    // The replay is the same node code: its trace logs both elections.
    let replay = cex.replay().unwrap();
    let elected = replay
        .trace()
        .events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::Log { text, .. } if text == "leader of term 1"))
        .count();
    assert_eq!(elected, 2);
    assert!(cex.spacetime().unwrap().to_html().contains("leader of term 1"));
}

#[test]
fn one_leader_per_term_tells_stale_leaders_from_twins() {
    let sim = Config { unstable: Duration::ZERO, ..Default::default() }.build(1).unwrap();
    let mut nodes = sim.nodes().to_vec();
    assert!(one_leader_per_term(&nodes)); // nobody leads
    for (i, term) in [(0, 1), (1, 2)] {
        nodes[i].term = term;
        nodes[i].role = consensus::Role::Leader { next: vec![0; 5], matched: vec![0; 5] };
    }
    assert!(one_leader_per_term(&nodes)); // a stale leader of term 1 beside the leader of term 2
    nodes[1].term = 1;
    assert!(!one_leader_per_term(&nodes));
}

#[test]
fn golden_run_for_a_pinned_seed() {
    // Computed once from this implementation (seed 1, defaults); a change means the protocol, the
    // network's streams or the node streams changed.
    let r = Config::default().run(1).unwrap();
    assert_eq!(r.time_to_leader.map(Duration::as_nanos), Some(82_240_255));
    assert_eq!((r.elections, r.committed()), (1, 98));
    let leaders = r.nodes.iter().filter(|n| n.is_leader()).count();
    assert_eq!(leaders, 1);
    // Every node holds the committed prefix of the leader's log (log matching).
    let leader = r.nodes.iter().find(|n| n.is_leader()).unwrap();
    for n in &r.nodes {
        assert_eq!(n.log[..n.commit], leader.log[..n.commit]);
    }
}

#[test]
fn same_seed_same_result() {
    let c = Config { latency: millis(20), ..Default::default() };
    let (a, b) = (c.run(4).unwrap(), c.run(4).unwrap());
    assert_eq!(a.measures(), b.measures());
    assert_eq!(a.table().to_text(), b.table().to_text());
    assert_eq!(a.plot().to_svg().unwrap(), b.plot().to_svg().unwrap());
    assert_ne!(a.time_to_leader, c.run(5).unwrap().time_to_leader);
}

#[test]
fn randomised_timeouts_elect_a_leader_and_fixed_ones_never_do() {
    for seed in 0..10 {
        let r = Config::default().run(seed).unwrap();
        let t = r.time_to_leader.unwrap_or_else(|| panic!("seed {seed}: no leader"));
        assert!(t < millis(1000), "seed {seed}: {t}");
        assert!(r.committed() > 50, "seed {seed}");
        // Fixed timeouts: every node times out at the same instant, every vote splits, forever.
        let fixed = Config { randomized: false, ..Default::default() }.run(seed).unwrap();
        assert_eq!((fixed.time_to_leader, fixed.committed()), (None, 0), "seed {seed}");
        assert!(fixed.elections >= 30, "seed {seed}: {}", fixed.elections);
    }
}

#[test]
fn no_leader_once_a_round_trip_outlasts_the_timeout() {
    // 150-300 ms one way: a vote comes back after 300-600 ms, when every timeout (150-300 ms) has
    // already fired and the candidate has moved on to a newer term.
    let sweep = Config::default().sweep("latency", &[millis(1), millis(30), millis(150)], 0..4).unwrap();
    let elected = sweep.means("elected").unwrap();
    assert_eq!(elected, [1.0, 1.0, 0.0]);
    let time = sweep.means("time_to_leader_ms").unwrap();
    assert!(time[0] < time[1] && time[1] < time[2], "{time:?}");
}

#[test]
fn the_generic_sweep_varies_every_named_parameter() {
    let c = Config::default();
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(names, ["nodes", "randomized", "election", "heartbeat", "latency", "unstable"]);
    let cases: [(&str, [ParamValue; 2]); 6] = [
        ("nodes", [3.into(), 7.into()]),
        ("randomized", [true.into(), false.into()]),
        ("election", [millis(100).into(), millis(300).into()]),
        ("heartbeat", [millis(20).into(), millis(80).into()]),
        ("latency", [millis(2).into(), millis(40).into()]),
        ("unstable", [Duration::ZERO.into(), secs(2).into()]),
    ];
    for (name, values) in cases {
        let sweep = c.sweep(name, &values, 0..2).unwrap();
        assert_eq!(sweep.measures(), ["elected", "time_to_leader_ms", "elections", "committed"]);
        // Each seed's run at a value is the experiment's own run with that value set.
        let direct = c.with(name, values[1].clone()).unwrap().run(1).unwrap().measures();
        assert_eq!(sweep.result.points[1].samples[1][1], direct[1].1, "{name}");
    }
    let err = c.sweep("node", &[3], 0..2).unwrap_err().to_string();
    assert!(err.contains("`node`") && err.contains("nodes, randomized, election"), "{err}");
    let err = c.sweep("nodes", &[1], 0..2).unwrap_err().to_string();
    assert!(err.contains("`nodes`") && err.contains("[2, 9]"), "{err}");
}

#[test]
fn bad_parameters_are_refused_with_their_range() {
    let bad = |c: Config, name: &str| {
        let err = c.run(1).unwrap_err().to_string();
        assert!(err.contains(&format!("`{name}`")), "{err}");
    };
    bad(Config { nodes: 10, ..Default::default() }, "nodes");
    bad(Config { election: Duration::ZERO, ..Default::default() }, "election");
    bad(Config { unstable: secs(61), ..Default::default() }, "unstable");
    // A heartbeat slower than the election timeout would let followers depose a healthy leader.
    bad(Config { heartbeat: millis(150), ..Default::default() }, "heartbeat");
}
