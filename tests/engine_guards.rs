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

/// A timer that re-arms itself with 0 ms: virtual time never moves past its first firing.
struct Spinner;

#[derive(Clone, Debug)]
enum Spin {
    Poll { round: u32 },
}

impl Node for Spinner {
    type Msg = ();
    type Timer = Spin;
    fn on_start(&mut self, ctx: &mut Context<(), Spin>) {
        if ctx.id() == 1 {
            ctx.set_timer(millis(3), Spin::Poll { round: 7 });
        }
    }
    fn on_timer(&mut self, ctx: &mut Context<(), Spin>, timer: Spin) {
        let Spin::Poll { round } = timer;
        ctx.set_timer(Duration::ZERO, Spin::Poll { round });
    }
}

#[test]
fn a_timer_rearmed_with_zero_delay_stops_the_run_naming_the_node_and_the_timer() {
    // The default limit: a million events at one instant, bounded memory, about a second.
    let mut sim = Simulation::new(1, vec![Spinner, Spinner]).unwrap();
    assert_eq!(sim.limits(), distsim::engine::RunLimits::default());
    let err = sim.run_until_quiet().unwrap_err();
    let Error::TimeStuck { time, events, node, handler, trace_position } = &err else {
        panic!("expected TimeStuck, got {err:?}");
    };
    assert_eq!(*time, Time::ZERO + millis(3));
    assert_eq!(*events, distsim::engine::DEFAULT_MAX_EVENTS_AT_ONE_INSTANT + 1);
    assert_eq!(*node, Some(1));
    // The millionth-and-first firing at 3 ms is timer 1,000,000 (timers count from 0).
    assert_eq!(handler, "n1's on_timer, timer 1000000: Poll { round: 7 }");
    assert_eq!(*trace_position, sim.trace().event_count - 1);
    assert!(err.to_string().contains("virtual time is stuck at t=3ms"), "{err}");
    // The simulation is still there, stopped where it stuck: one timer pending.
    assert_eq!(sim.now(), Time::ZERO + millis(3));
    assert_eq!(sim.pending_events(), 1);
}

#[test]
fn a_stuck_run_in_a_digest_only_trace_names_the_timer_by_number() {
    let limits = distsim::engine::RunLimits { max_events_at_one_instant: 50, ..Default::default() };
    let mut sim = Simulation::new(1, vec![Spinner, Spinner])
        .unwrap()
        .with_trace_mode(TraceMode::DigestOnly)
        .with_limits(limits)
        .unwrap();
    let err = sim.run_until_quiet().unwrap_err();
    let Error::TimeStuck { events, handler, .. } = &err else { panic!("expected TimeStuck, got {err:?}") };
    assert_eq!(*events, 51);
    assert_eq!(handler, "n1's on_timer, timer 50: (its debug text is kept only in a full trace)");
}

/// Every message is answered with two: the queue doubles every hop.
struct Storm;

impl Node for Storm {
    type Msg = String;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<String>) {
        if ctx.id() == 0 {
            ctx.send(1, "x".repeat(300));
        }
    }
    fn on_message(&mut self, ctx: &mut Context<String>, from: NodeId, msg: String) {
        ctx.send(from, msg.clone());
        ctx.send(from, msg);
    }
}

#[test]
fn a_message_storm_stops_the_run_naming_the_node_and_a_truncated_message() {
    let limits = distsim::engine::RunLimits { max_pending_events: 10_000, ..Default::default() };
    let mut sim = Simulation::new(2, vec![Storm, Storm]).unwrap().with_limits(limits).unwrap();
    let err = sim.run_until_quiet().unwrap_err();
    let Error::QueueOverflow { pending, node, handler, time, .. } = &err else {
        panic!("expected QueueOverflow, got {err:?}");
    };
    assert_eq!(*pending, 10_001, "stopped at the first handler that crossed the limit");
    assert_eq!(sim.pending_events(), 10_001);
    assert_eq!(*time, sim.now());
    // Each delivery adds one event net: 10,000 deliveries at most, time moved on 1 ms per hop.
    assert!(*time > Time::ZERO + millis(10) && *time < Time::ZERO + millis(20), "{time}");
    let node = node.expect("a node's handler was running");
    let quoted = format!("\"{}…", "x".repeat(distsim::engine::MAX_QUOTED_CHARS - 1));
    let expected_start = format!("n{node}'s on_message, message #");
    assert!(handler.starts_with(&expected_start), "{handler}");
    assert!(handler.ends_with(&quoted), "the message's debug text, cut: {handler}");
    assert!(err.to_string().contains("more than `limits.max_pending_events`"), "{err}");
}

#[test]
fn a_zero_limit_is_refused_naming_it() {
    let sim = Simulation::new(1, vec![Storm]).unwrap();
    let limits = distsim::engine::RunLimits { max_pending_events: 0, ..Default::default() };
    let err = sim.with_limits(limits).err().expect("refused");
    assert!(matches!(err, Error::InvalidParameter { ref parameter, .. } if parameter == "limits.max_pending_events"));
}

/// Node 1 indexes an empty list when its second timer fires.
#[derive(Default)]
struct Faulty {
    log: Vec<u32>,
}

#[derive(Clone, Debug)]
enum Check {
    Entry(usize),
}

impl Node for Faulty {
    type Msg = String;
    type Timer = Check;
    fn on_start(&mut self, ctx: &mut Context<String, Check>) {
        if ctx.id() == 1 {
            ctx.set_timer(millis(2), Check::Entry(0));
        } else {
            ctx.send(1, "hello".into());
        }
    }
    fn on_message(&mut self, ctx: &mut Context<String, Check>, _from: NodeId, msg: String) {
        if msg == "boom" {
            panic!("no entry for {msg}");
        }
        ctx.set_timer(millis(5), Check::Entry(3));
    }
    fn on_timer(&mut self, _ctx: &mut Context<String, Check>, timer: Check) {
        let Check::Entry(i) = timer;
        if i > 0 {
            let _ = self.log[i - 1];
        }
    }
}

fn panic_message(run: impl FnOnce()) -> String {
    let payload = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).expect_err("the run panics");
    payload.downcast_ref::<String>().cloned().expect("the engine re-raises with a String")
}

#[test]
fn a_panic_in_a_timer_handler_names_the_node_the_timer_the_time_and_the_trace_position() {
    let mut sim = Simulation::new(1, vec![Faulty::default(), Faulty::default()]).unwrap();
    let message = panic_message(|| {
        let _ = sim.run_until_quiet();
    });
    let lines: Vec<&str> = message.lines().collect();
    assert_eq!(lines[0], "index out of bounds: the len is 0 but the index is 2");
    assert_eq!(lines[1], "  in n1's on_timer, timer 1: Entry(3)");
    let last = sim.trace().events.last().unwrap();
    assert!(matches!(last.kind, EventKind::Timer { node: 1, timer: 1, .. }));
    assert_eq!(lines[2], format!("  at t=6ms, trace position {}", last.seq));
    assert!(lines[3].starts_with("  panicked at tests/engine_guards.rs:"), "{message}");
    assert_eq!(lines.len(), 4);
    // The simulation is still there to inspect, and a run after the panic reports as usual.
    assert_eq!(sim.now(), Time::ZERO + millis(6));
    assert!(sim.run_until_quiet().is_ok());
}

#[test]
fn a_panic_in_a_message_handler_quotes_the_message() {
    let mut sim = Simulation::new(1, vec![Faulty::default(), Faulty::default()]).unwrap();
    sim.inject(Time::ZERO + millis(1), 0, 1, "boom".into()).unwrap();
    let message = panic_message(|| {
        let _ = sim.run_until(Time::ZERO + millis(1));
    });
    assert!(
        message.starts_with("no entry for boom\n  in n1's on_message, message #0 from n0: \"boom\"\n  at t=1ms"),
        "{message}"
    );
    // A panic outside any run is left alone.
    let plain = panic_message(|| panic!("{}", String::from("plain")));
    assert_eq!(plain, "plain");
}

#[test]
fn a_run_summary_shows_its_time_in_units() {
    let mut sim = Simulation::new(1, vec![Faulty::default(), Faulty::default()]).unwrap();
    let summary = sim.run_until(Time::ZERO + micros(1_500)).unwrap();
    let text = format!("{summary:?}");
    assert!(text.contains("now: t=1.5ms"), "{text}");
    assert_eq!(format!("{:?}", Duration::from_nanos(150)), "150ns", "the tuple field is nanoseconds");
}
