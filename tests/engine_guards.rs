//! Guards on a run: invariants checked after every event, hangs stopped with a named culprit,
//! and panics that say where they happened.

use distsim::prelude::*;
use distsim::trace::EventKind;

/// A Raft-flavoured toy: on its election timer a node declares itself leader of term 1 and tells
/// the others, who step down. Two nodes whose timers fire before either hears of the other both
/// lead term 1, which the invariant must catch.
#[derive(Default)]
struct Candidate {
    term: u64,
    leader: bool,
    after: u64,
}

impl Node for Candidate {
    type Msg = u64;
    type Timer = &'static str;
    fn on_start(&mut self, ctx: &mut Context<u64, &'static str>) {
        ctx.set_timer(millis(self.after), "election");
    }
    fn on_message(&mut self, _ctx: &mut Context<u64, &'static str>, _from: NodeId, term: u64) {
        if term >= self.term {
            self.term = term;
            self.leader = false;
        }
    }
    fn on_timer(&mut self, ctx: &mut Context<u64, &'static str>, _timer: &'static str) {
        if self.term == 0 {
            self.term = 1;
            self.leader = true;
            ctx.broadcast(1);
        }
    }
}

fn one_leader_per_term(nodes: &[Candidate], _now: Time) -> Result<(), String> {
    let leaders: Vec<usize> = (0..nodes.len()).filter(|&i| nodes[i].leader).collect();
    for (a, &i) in leaders.iter().enumerate() {
        for &j in &leaders[a + 1..] {
            if nodes[i].term == nodes[j].term {
                return Err(format!("n{i} and n{j} both lead term {}", nodes[i].term));
            }
        }
    }
    Ok(())
}

fn candidates(afters: &[u64]) -> Vec<Candidate> {
    afters.iter().map(|&after| Candidate { after, ..Default::default() }).collect()
}

#[test]
fn an_invariant_stops_the_run_at_the_first_violation_with_time_and_trace_position() {
    // n0 and n2 both time out at 10 ms: n2 cannot have heard n0 (1 ms per hop) yet.
    let mut sim = Simulation::new(3, candidates(&[10, 30, 10])).unwrap();
    sim.invariant("at most one leader per term", one_leader_per_term);
    let err = sim.run_until_quiet().unwrap_err();
    let Error::InvariantViolated { name, time, trace_position, detail } = &err else {
        panic!("expected an invariant violation, got {err:?}");
    };
    assert_eq!(name, "at most one leader per term");
    assert_eq!(detail, "n0 and n2 both lead term 1");
    assert_eq!(*time, Time::ZERO + millis(10));
    // The run stopped at that event: the clock and the nodes are as it left them.
    assert_eq!(sim.now(), *time);
    assert!(sim.node(0).leader && sim.node(2).leader);
    // The trace position is n2's timer firing, its latest entry (the broadcast comes after).
    let events = &sim.trace().events;
    let at = events.iter().position(|e| e.seq == *trace_position).expect("the position is in the trace");
    let last_timer = events.iter().rposition(|e| matches!(e.kind, EventKind::Timer { node: 2, .. })).unwrap();
    assert!(at > last_timer, "the violation is at or after n2's timer");
    assert_eq!(*trace_position, sim.trace().event_count - 1);
    assert!(err.to_string().contains("invariant `at most one leader per term` violated at t=10ms"), "{err}");
    // The diagram marks the event with the invariant's name.
    let diagram = sim.violation_diagram(&err).expect("an invariant violation has a diagram");
    assert!(diagram.to_svg().contains("at most one leader per term"));
    assert!(sim.violation_diagram(&Error::Interrupted).is_none());
}

#[test]
fn a_run_that_keeps_the_invariant_is_unchanged_by_it() {
    // 10 ms apart, n2 hears n0 before its own timer: one leader.
    let mut with = Simulation::new(3, candidates(&[10, 30, 20])).unwrap();
    let mut checks = 0u64;
    let counter = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let seen = counter.clone();
    with.invariant("at most one leader per term", one_leader_per_term);
    with.invariant("counts events", move |_: &[Candidate], _| {
        seen.set(seen.get() + 1);
        true
    });
    let summary = with.run_until_quiet().unwrap();
    checks += counter.get();
    let mut without = Simulation::new(3, candidates(&[10, 30, 20])).unwrap();
    without.run_until_quiet().unwrap();
    assert_eq!(with.trace().digest_hex(), without.trace().digest_hex());
    assert_eq!(checks, summary.events, "checked once after every event");
    // A check returning false is reported with a generic detail.
    with.clear_invariants();
    with.invariant("never", |_: &[Candidate], _| false);
    with.inject(with.now(), 0, 1, 2).unwrap();
    let err = with.run_until_quiet().unwrap_err();
    assert!(matches!(err, Error::InvariantViolated { ref detail, .. } if detail == "the check returned false"));
}
