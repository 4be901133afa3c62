//! Timers: each carries a value of the node's own type, fires in time order, can be cancelled and
//! reset, dies with a crash, and is labelled with its value in the trace.

use distsim::prelude::*;
use distsim::trace::EventKind;

fn t(ms: u64) -> Time {
    Time::ZERO + millis(ms)
}

/// The two kinds of timer of a Raft-style member.
#[derive(Clone, Debug, PartialEq)]
enum Tick {
    Heartbeat,
    Election,
}

/// Node 0 leads: it sends a heartbeat every 40 ms, `beats` times. Node 1 follows: every heartbeat
/// resets its 100 ms election timeout. Both record every timer that fires, by value.
struct Member {
    beats: u32,
    election: Option<TimerId>,
    fired: Vec<(Time, Tick)>,
}

impl Member {
    fn new(beats: u32) -> Self {
        Member { beats, election: None, fired: Vec::new() }
    }
}

impl Node for Member {
    type Msg = ();
    type Timer = Tick;
    fn on_start(&mut self, ctx: &mut Context<(), Tick>) {
        if ctx.id() == 0 {
            ctx.set_timer(millis(40), Tick::Heartbeat);
        } else {
            ctx.reset_timer(&mut self.election, millis(100), Tick::Election);
        }
    }
    fn on_message(&mut self, ctx: &mut Context<(), Tick>, _from: NodeId, _msg: ()) {
        ctx.reset_timer(&mut self.election, millis(100), Tick::Election);
    }
    fn on_timer(&mut self, ctx: &mut Context<(), Tick>, timer: Tick) {
        self.fired.push((ctx.now(), timer.clone()));
        match timer {
            Tick::Heartbeat => {
                ctx.broadcast(());
                self.beats -= 1;
                if self.beats > 0 {
                    ctx.set_timer(millis(40), Tick::Heartbeat);
                }
            }
            Tick::Election => self.election = None,
        }
    }
}

#[test]
fn two_kinds_of_timer_fire_with_their_values_and_a_reset_pushes_the_timeout_back() {
    let mut sim = Simulation::new(1, vec![Member::new(3), Member::new(0)]).unwrap();
    sim.run_until_quiet().unwrap();
    assert_eq!(sim.node(0).fired, [(t(40), Tick::Heartbeat), (t(80), Tick::Heartbeat), (t(120), Tick::Heartbeat)]);
    // Heartbeats arrive at 41, 81 and 121 ms; each reset cancels the pending timeout, so only the
    // last one fires, 100 ms after the last heartbeat.
    assert_eq!(sim.node(1).fired, [(t(221), Tick::Election)]);
    assert_eq!(sim.node(1).election, None);
    assert_eq!(sim.metrics().counter("timers"), 4);
    assert_eq!(sim.pending_events(), 0, "the three replaced timeouts left the queue too");
}

#[test]
fn without_heartbeats_the_first_election_timeout_fires() {
    let mut sim = Simulation::new(1, vec![Member::new(1), Member::new(0)]).unwrap();
    sim.schedule(Time::ZERO, Fault::Crash(0)).unwrap();
    sim.run_until_quiet().unwrap();
    assert_eq!(sim.node(0).fired, []);
    assert_eq!(sim.node(1).fired, [(t(100), Tick::Election)]);
}

#[test]
fn the_trace_labels_each_timer_with_its_value_and_the_digest_ignores_the_label() {
    let mut sim = Simulation::new(1, vec![Member::new(1), Member::new(0)]).unwrap();
    sim.run_until_quiet().unwrap();
    let text = sim.trace().to_text();
    assert!(text.contains("n0 timer 0 Heartbeat"), "{text}");
    assert!(text.contains("n1 timer 2 Election"), "{text}");
    let labels: Vec<&str> = sim
        .trace()
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Timer { label, .. } => Some(label.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(labels, ["Heartbeat", "Election"]);

    let mut lean =
        Simulation::new(1, vec![Member::new(1), Member::new(0)]).unwrap().with_trace_mode(TraceMode::DigestOnly);
    lean.run_until_quiet().unwrap();
    assert_eq!(lean.trace().digest, sim.trace().digest);
}

/// Sets the timers `plan` lists at start (delay in ms, value), cancels those `cancel_at_start`
/// names (by position), and on every firing cancels the ids `cancel_on_fire` names; records
/// what fires.
struct Script {
    plan: Vec<(u64, &'static str)>,
    cancel_at_start: Vec<usize>,
    cancel_on_fire: Vec<usize>,
    then_set: Option<(u64, &'static str)>,
    ids: Vec<TimerId>,
    fired: Vec<(Time, &'static str)>,
}

impl Script {
    fn new(plan: Vec<(u64, &'static str)>) -> Self {
        Script { plan, cancel_at_start: vec![], cancel_on_fire: vec![], then_set: None, ids: vec![], fired: vec![] }
    }
}

impl Node for Script {
    type Msg = ();
    type Timer = &'static str;
    fn on_start(&mut self, ctx: &mut Context<(), &'static str>) {
        for &(ms, value) in &self.plan {
            self.ids.push(ctx.set_timer(millis(ms), value));
        }
        for &i in &self.cancel_at_start {
            ctx.cancel_timer(self.ids[i]);
        }
    }
    fn on_timer(&mut self, ctx: &mut Context<(), &'static str>, value: &'static str) {
        self.fired.push((ctx.now(), value));
        for &i in &self.cancel_on_fire {
            ctx.cancel_timer(self.ids[i]);
        }
        if let Some((ms, value)) = self.then_set.take() {
            self.ids.push(ctx.set_timer(millis(ms), value));
        }
    }
}

#[test]
fn timers_fire_in_time_order_and_one_cancelled_before_firing_does_not() {
    let mut script = Script::new(vec![(30, "third"), (20, "cancelled"), (10, "first")]);
    script.cancel_at_start = vec![1, 1]; // cancelling twice is harmless
    let mut sim = Simulation::new(1, vec![script]).unwrap();
    sim.run_until_quiet().unwrap();
    assert_eq!(sim.node(0).fired, [(t(10), "first"), (t(30), "third")]);
    assert_eq!(sim.metrics().counter("timers"), 2);
    assert_eq!(sim.node(0).ids.iter().map(|id| id.seq()).collect::<Vec<_>>(), [0, 1, 2]);
}

#[test]
fn cancelling_a_timer_that_already_fired_changes_nothing_later() {
    // "first" fires at 10 ms; from then on every firing cancels its stale id. The timer set in
    // that handler takes the slot "first" freed, and must still fire; so must "last".
    let mut script = Script::new(vec![(10, "first"), (50, "last")]);
    script.cancel_on_fire = vec![0];
    script.then_set = Some((15, "after"));
    let mut sim = Simulation::new(1, vec![script]).unwrap();
    sim.run_until_quiet().unwrap();
    assert_eq!(sim.node(0).fired, [(t(10), "first"), (t(25), "after"), (t(50), "last")]);
}

#[test]
fn a_crash_discards_pending_timers_and_recovery_can_set_new_ones() {
    struct Sleeper {
        fired: Vec<(Time, Tick)>,
    }
    impl Node for Sleeper {
        type Msg = ();
        type Timer = Tick;
        fn on_start(&mut self, ctx: &mut Context<(), Tick>) {
            ctx.set_timer(millis(10), Tick::Heartbeat);
        }
        fn on_timer(&mut self, ctx: &mut Context<(), Tick>, timer: Tick) {
            self.fired.push((ctx.now(), timer));
        }
        fn on_recover(&mut self, ctx: &mut Context<(), Tick>) {
            ctx.set_timer(millis(10), Tick::Election);
        }
    }
    let mut sim = Simulation::new(1, vec![Sleeper { fired: vec![] }]).unwrap();
    sim.apply_plan(&FaultPlan::new().crash_for(0, t(5), millis(2))).unwrap();
    sim.run_until_quiet().unwrap();
    // The heartbeat due at 10 ms was set before the crash: it died with it, although the node
    // was up again at 10 ms.
    assert_eq!(sim.node(0).fired, [(t(17), Tick::Election)]);
    assert_eq!(sim.metrics().counter("timers"), 1);
}

/// Draws five randomised timeouts at start and keeps them, then arms the first.
struct Jitter {
    drawn: Vec<Duration>,
    armed: Option<TimerId>,
}

impl Node for Jitter {
    type Msg = ();
    type Timer = Tick;
    fn on_start(&mut self, ctx: &mut Context<(), Tick>) {
        for _ in 0..5 {
            let d = ctx.random_duration(millis(150)..millis(300));
            self.drawn.push(d);
        }
        // The draw can be an argument of the call that uses it (no second mutable borrow).
        ctx.reset_timer(&mut self.armed, ctx.random_duration(millis(150)..millis(300)), Tick::Election);
        ctx.set_timer(ctx.random_duration(millis(1)..millis(2)), Tick::Heartbeat);
    }
}

fn jitter(seed: u64, nodes: usize) -> Vec<Vec<Duration>> {
    let mut sim = Simulation::new(seed, (0..nodes).map(|_| Jitter { drawn: vec![], armed: None }).collect()).unwrap();
    sim.run_until_quiet().unwrap();
    sim.nodes().iter().map(|n| n.drawn.clone()).collect()
}

#[test]
fn random_duration_draws_from_the_node_stream_the_same_for_the_same_seed() {
    let a = jitter(5, 2);
    assert_eq!(a, jitter(5, 2), "same seed, same durations");
    assert_ne!(a, jitter(6, 2), "another seed, other durations");
    assert_ne!(a[0], a[1], "each node has its own stream");
    assert_eq!(jitter(5, 3)[..2], a[..], "adding a node does not change what the others draw");
    for d in a.iter().flatten() {
        assert!(*d >= millis(150) && *d < millis(300), "{d}");
    }
    assert_eq!(a[0].iter().collect::<std::collections::BTreeSet<_>>().len(), 5, "{a:?}");
}

#[test]
fn random_duration_of_an_empty_range_ends_the_run_with_a_clear_error() {
    struct Backwards;
    impl Node for Backwards {
        type Msg = ();
        type Timer = ();
        fn on_start(&mut self, ctx: &mut Context<()>) {
            ctx.set_timer(ctx.random_duration(millis(300)..millis(150)), ());
        }
    }
    let err = Simulation::new(1, vec![Backwards]).unwrap().run_until_quiet().unwrap_err();
    let text = err.to_string();
    assert!(text.contains("`random_duration.range`") && text.contains("lo < hi"), "{text}");
}

#[test]
fn a_timer_value_can_own_data() {
    struct Retry {
        got: Vec<Vec<u8>>,
    }
    impl Node for Retry {
        type Msg = ();
        type Timer = Vec<u8>;
        fn on_start(&mut self, ctx: &mut Context<(), Vec<u8>>) {
            ctx.set_timer(millis(2), b"second".to_vec());
            ctx.set_timer(millis(1), b"first".to_vec());
        }
        fn on_timer(&mut self, _ctx: &mut Context<(), Vec<u8>>, payload: Vec<u8>) {
            self.got.push(payload);
        }
    }
    let mut sim = Simulation::new(1, vec![Retry { got: vec![] }]).unwrap();
    sim.run_until_quiet().unwrap();
    assert_eq!(sim.node(0).got, [b"first".to_vec(), b"second".to_vec()]);
}
