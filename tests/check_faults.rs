//! Lost, duplicated and partitioned messages, counted by hand: each fault is its own kind of step,
//! and a state's fingerprint follows every one of them.

use distsim::check::{Checker, PartitionState};
use distsim::prelude::*;

/// Node 0 sends one message to node 1, which notes that it got it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
struct Once {
    got: bool,
}

impl Node for Once {
    type Msg = char;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<char>) {
        if ctx.id() == 0 {
            ctx.send(1, 'A');
        }
    }
    fn on_message(&mut self, _ctx: &mut Context<char>, _from: NodeId, _m: char) {
        self.got = true;
    }
}

fn once() -> Checker<Once> {
    Checker::new(vec![Once::default(), Once::default()])
}

#[test]
fn a_lossy_duplicating_network_has_four_states_worked_out_by_hand() {
    // (A in flight, not got): lose A, deliver A, deliver a copy: 3 steps to 3 new states.
    // (A in flight, got): lose A (delivering again changes nothing, so it is no step): 1 step.
    // (nothing in flight, got) and (nothing, not got): no step. 4 states, 1 + 3 + 1 = 5 explored.
    let r = once().lossy().duplicating().always("true", |_| true).run().unwrap();
    assert_eq!((r.stats.unique_states, r.stats.states_explored), (4, 5));
    let r = once().always("true", |_| true).run().unwrap();
    assert_eq!((r.stats.unique_states, r.stats.states_explored), (2, 2));
}

#[test]
fn a_partition_that_opens_and_heals_triples_the_states() {
    // Two nodes have one split. The partition is never / open / healed independently of the
    // message (it was sent before), so 4 × 3 = 12 states. Explored: the 4 message steps in each
    // of the 3 phases, one opening from each of the 4 states of the first phase, one healing from
    // each of the 4 of the second: 1 + 12 + 4 + 4 = 21.
    let r = once().lossy().duplicating().partition().always("true", |_| true).run().unwrap();
    assert_eq!((r.stats.unique_states, r.stats.states_explored), (12, 21));
    // The shortest way to an open partition with the message lost: 2 steps, in either order.
    let r = once()
        .lossy()
        .partition()
        .always("open with nothing in flight", |s| {
            !(matches!(s.partition(), PartitionState::Open(_)) && s.in_flight().is_empty() && !s.node(1).got)
        })
        .run()
        .unwrap();
    assert_eq!(r.violation.expect("reachable").steps.len(), 2);
}
