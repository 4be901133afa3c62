//! Symmetry reduction on a protocol small enough to count by hand.

use distsim::check::{Checker, Symmetric};
use distsim::prelude::*;

/// Nodes 0, 1 and 2 each send a vote to node 3, which keeps the set of voters as a bit mask.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Ballot {
    Voter,
    Collector { voters: u8 },
}

impl Node for Ballot {
    type Msg = ();
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<()>) {
        if let Ballot::Voter = self {
            ctx.send(3, ());
        }
    }
    fn on_message(&mut self, _ctx: &mut Context<()>, from: NodeId, _m: ()) {
        if let Ballot::Collector { voters } = self {
            *voters |= 1 << from;
        }
    }
}

/// The collector's mask names voters by id, so a renaming moves its bits.
impl Symmetric for Ballot {
    fn permute(&self, perm: &[NodeId]) -> Self {
        match self {
            Ballot::Voter => Ballot::Voter,
            Ballot::Collector { voters } => {
                Ballot::Collector { voters: (0..3).filter(|&i| voters >> i & 1 == 1).fold(0, |m, i| m | 1 << perm[i]) }
            }
        }
    }
}

fn ballot() -> Checker<Ballot> {
    Checker::new(vec![Ballot::Voter, Ballot::Voter, Ballot::Voter, Ballot::Collector { voters: 0 }])
}

fn votes(s: &distsim::check::State<Ballot>) -> u32 {
    match s.node(3) {
        Ballot::Collector { voters } => voters.count_ones(),
        Ballot::Voter => unreachable!(),
    }
}

#[test]
fn renamings_of_interchangeable_voters_count_once() {
    // Without symmetry a state is the set of votes received (the rest are in flight): 2^3 = 8
    // states; a state with k votes has 3 - k steps: 1 + 3·1 + 2·3 + 1·3 = 13 explored.
    let plain = ballot().always("true", |_| true).run().unwrap();
    assert_eq!((plain.stats.unique_states, plain.stats.states_explored), (8, 13));
    // With voters 0..3 interchangeable only the number of votes matters: 4 states, and each
    // representative with k votes still has 3 - k steps: 1 + 3 + 2 + 1 = 7 explored.
    let reduced = ballot().symmetric(0..3).always("true", |_| true).run().unwrap();
    assert_eq!((reduced.stats.unique_states, reduced.stats.states_explored), (4, 7));
    // Two interchangeable voters (0 and 1): the states are (votes among {0, 1}: 0, 1 or 2) × (2
    // voted or not) = 6.
    let pair = ballot().symmetric(0..2).always("true", |_| true).run().unwrap();
    assert_eq!(pair.stats.unique_states, 6);
}

#[test]
fn a_violation_is_still_found_with_symmetry_and_replays_as_a_real_execution() {
    let r = ballot().symmetric(0..3).always("not unanimous", |s| votes(s) < 3).run().unwrap();
    let cex = r.violation.expect("all three votes arrive");
    assert_eq!(cex.steps.len(), 3);
    assert_eq!(cex.last[3], Ballot::Collector { voters: 0b111 });
    assert_eq!(cex.replay().unwrap().nodes(), &cex.last[..]);
    let r = ballot().symmetric(0..3).depth_first().always("at most one vote", |s| votes(s) < 2).run().unwrap();
    assert_eq!(r.violation.expect("two votes arrive").steps.len(), 2);
}

#[test]
fn a_range_outside_the_system_is_refused() {
    let err = ballot().symmetric(2..6).run().err().expect("only 4 nodes");
    assert!(err.to_string().contains("symmetric"), "{err}");
    assert!(ballot().symmetric(1..1).run().is_err(), "an empty range");
}
