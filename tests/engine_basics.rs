//! The engine's core promises: ordering, run modes, the trace, and refusing bad input (timers have
//! their own file, `engine_timers.rs`).

use distsim::prelude::*;
use distsim::trace::EventKind;

/// Records everything that happens to it; sends the scripted messages at start.
#[derive(Default)]
struct Recorder {
    script: Vec<(NodeId, u32)>,
    got: Vec<(Time, NodeId, u32)>,
}

impl Node for Recorder {
    type Msg = u32;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<u32>) {
        for (to, m) in self.script.clone() {
            ctx.send(to, m);
        }
    }
    fn on_message(&mut self, ctx: &mut Context<u32>, from: NodeId, msg: u32) {
        self.got.push((ctx.now(), from, msg));
    }
}

fn recorders(n: usize) -> Vec<Recorder> {
    (0..n).map(|_| Recorder::default()).collect()
}

#[test]
fn equal_time_events_run_in_scheduling_order() {
    let mut nodes = recorders(3);
    nodes[0].script = vec![(2, 1), (2, 2), (2, 3)];
    nodes[1].script = vec![(2, 10)];
    let mut sim = Simulation::new(1, nodes).unwrap();
    sim.run_until_quiet().unwrap();
    // All four arrive at 1 ms; node 0 started (and sent) first, in its send order.
    let got: Vec<u32> = sim.node(2).got.iter().map(|g| g.2).collect();
    assert_eq!(got, [1, 2, 3, 10]);
    assert!(sim.node(2).got.iter().all(|g| g.0 == Time::ZERO + millis(1)));
}

#[test]
fn run_until_stops_at_the_limit_and_advances_the_clock() {
    let mut nodes = recorders(2);
    nodes[0].script = vec![(1, 7)];
    let mut sim = Simulation::new(1, nodes).unwrap();
    let s = sim.run_until(Time::ZERO + micros(500)).unwrap();
    assert_eq!((s.delivered, s.pending), (0, 1));
    assert_eq!(sim.now(), Time::ZERO + micros(500));
    assert_eq!(sim.next_event_time(), Some(Time::ZERO + millis(1)));
    let s = sim.run_for(millis(5)).unwrap();
    assert_eq!((s.delivered, s.pending), (1, 0));
    assert_eq!(s.now, Time::ZERO + micros(5500));
}

#[test]
fn run_events_counts_events() {
    let mut nodes = recorders(2);
    nodes[0].script = vec![(1, 1), (1, 2)];
    let mut sim = Simulation::new(1, nodes).unwrap();
    assert_eq!(sim.run_events(2).unwrap().events, 2); // the two starts
    assert_eq!(sim.node(1).got.len(), 0);
    assert_eq!(sim.run_events(1).unwrap().delivered, 1);
    assert_eq!(sim.run_until_quiet().unwrap().events, 1);
}

struct Broadcaster;
impl Node for Broadcaster {
    type Msg = String;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<String>) {
        if ctx.id() == 1 {
            ctx.log("hello");
            ctx.broadcast("hi".to_string());
        }
    }
}

#[test]
fn full_trace_records_sends_deliveries_logs_and_lamport_stamps() {
    let mut sim = Simulation::new(1, vec![Broadcaster, Broadcaster, Broadcaster]).unwrap();
    sim.run_until_quiet().unwrap();
    let tr = sim.trace();
    assert_eq!(tr.count(|k| matches!(k, EventKind::Send { from: 1, .. })), 2);
    assert_eq!(tr.count(|k| matches!(k, EventKind::Deliver { .. })), 2);
    assert_eq!(tr.count(|k| matches!(k, EventKind::Log { node: 1, .. })), 1);
    let send =
        tr.events.iter().find(|e| matches!(&e.kind, EventKind::Send { label, .. } if label == "\"hi\"")).unwrap();
    let deliver = tr.events.iter().find(|e| matches!(e.kind, EventKind::Deliver { .. })).unwrap();
    assert!(deliver.lamport.unwrap() > send.lamport.unwrap());
    assert!(tr.events.windows(2).all(|w| w[0].seq < w[1].seq && w[0].time <= w[1].time));
    let table = tr.to_table();
    assert_eq!(table.len(), tr.events.len());
    assert!(tr.to_text().contains("n1 -> n0 send"));
}

#[test]
fn digest_only_mode_keeps_the_same_digest_without_events() {
    let full = {
        let mut s = Simulation::new(3, vec![Broadcaster, Broadcaster, Broadcaster]).unwrap();
        s.run_until_quiet().unwrap();
        s.trace().clone()
    };
    let mut lean =
        Simulation::new(3, vec![Broadcaster, Broadcaster, Broadcaster]).unwrap().with_trace_mode(TraceMode::DigestOnly);
    lean.run_until_quiet().unwrap();
    assert!(lean.trace().events.is_empty());
    assert_eq!(lean.trace().digest, full.digest);
    assert_eq!(lean.trace().event_count, full.events.len() as u64);
}

#[test]
fn node_names_appear_in_the_trace() {
    let names = vec!["alice".to_string(), "bob".to_string(), "carol".to_string()];
    let mut sim =
        Simulation::new(1, vec![Broadcaster, Broadcaster, Broadcaster]).unwrap().with_node_names(names).unwrap();
    sim.run_until_quiet().unwrap();
    assert!(sim.trace().to_text().contains("bob -> alice send"));
    let e = Simulation::new(1, vec![Broadcaster]).unwrap().with_node_names(vec![]).err().unwrap().to_string();
    assert!(e.contains("`node_names`") && e.contains("exactly one name per node (1)"), "{e}");
}

struct Stray;
impl Node for Stray {
    type Msg = ();
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<()>) {
        ctx.send(5, ());
    }
}

#[test]
fn sending_to_an_unknown_node_stops_the_run_with_a_clear_error() {
    let mut sim = Simulation::new(1, vec![Stray, Stray]).unwrap();
    let err = sim.run_until_quiet().unwrap_err();
    assert_eq!(err, Error::UnknownNode { parameter: "send.to".into(), node: 5, node_count: 2 });
    assert!(err.to_string().contains("valid ids are 0..=1"), "{err}");
}

#[test]
fn empty_node_lists_are_refused() {
    let e = Simulation::<Stray>::new(1, vec![]).err().unwrap();
    assert_eq!(e, Error::empty("nodes"));
}

#[test]
fn inject_delivers_at_the_given_time_and_refuses_bad_targets() {
    let mut sim = Simulation::new(1, recorders(2)).unwrap();
    sim.inject(Time::ZERO + millis(7), 0, 1, 42).unwrap();
    sim.run_until_quiet().unwrap();
    assert_eq!(sim.node(1).got, [(Time::ZERO + millis(7), 0, 42)]);

    let e = sim.inject(sim.now(), 0, 9, 1).unwrap_err();
    assert_eq!(e, Error::UnknownNode { parameter: "inject.to".into(), node: 9, node_count: 2 });
    let e = sim.inject(sim.now(), 9, 0, 1).unwrap_err();
    assert!(e.to_string().contains("`inject.from`"), "{e}");
    let e = sim.inject(Time::ZERO, 0, 1, 1).unwrap_err().to_string();
    assert!(e.contains("`inject.at`") && e.contains("at or after now"), "{e}");

    sim.schedule(sim.now(), Fault::Crash(1)).unwrap();
    sim.run_until_quiet().unwrap();
    let e = sim.inject(sim.now(), 0, 1, 1).unwrap_err();
    assert_eq!(e, Error::NodeCrashed { parameter: "inject.to".into(), node: 1 });
    assert!(e.to_string().contains("crashed"), "{e}");
}

#[test]
fn node_rng_streams_are_independent_of_each_other() {
    struct Draw(u64);
    impl Node for Draw {
        type Msg = ();
        type Timer = ();
        fn on_start(&mut self, ctx: &mut Context<()>) {
            self.0 = ctx.rng().random();
        }
    }
    let mut a = Simulation::new(9, vec![Draw(0), Draw(0)]).unwrap();
    let mut b = Simulation::new(9, vec![Draw(0), Draw(0), Draw(0)]).unwrap();
    a.run_until_quiet().unwrap();
    b.run_until_quiet().unwrap();
    assert_ne!(a.node(0).0, a.node(1).0);
    // Adding a node does not change what the others draw.
    assert_eq!(a.node(1).0, b.node(1).0);
}

#[test]
fn user_metrics_live_next_to_engine_counters() {
    struct Count;
    impl Node for Count {
        type Msg = ();
        type Timer = ();
        fn on_start(&mut self, ctx: &mut Context<()>) {
            ctx.metrics().incr("starts");
            ctx.metrics().record("think", millis(2));
        }
    }
    let mut sim = Simulation::new(1, vec![Count, Count]).unwrap();
    sim.run_until_quiet().unwrap();
    assert_eq!(sim.metrics().counter("starts"), 2);
    assert_eq!(sim.metrics().histogram("think").unwrap().count(), 2);
    // Six engine counters, one user counter, two histograms.
    let table = sim.metrics().to_table();
    assert_eq!(table.len(), 9);
    assert!(table.to_text().contains("starts"));
}

#[test]
fn simulations_are_static_values_that_can_be_kept_across_notebook_cells() {
    fn keep<T: 'static>(value: T) -> Box<dyn std::any::Any> {
        Box::new(value)
    }
    let mut sim = Simulation::new(1, recorders(2)).unwrap();
    sim.set_tamper(Box::new(|_p: &mut Packet<u32>| Verdict::Pass));
    let mut kept = keep(sim);
    let sim = kept.downcast_mut::<Simulation<Recorder>>().unwrap();
    sim.inject(Time::ZERO, 0, 1, 3).unwrap();
    sim.run_until_quiet().unwrap();
    assert_eq!(sim.node(1).got.len(), 1);
    let _ = keep((Network::new(), FaultPlan::new(), Metrics::new(), sim.trace().clone(), ClockConfig::quartz()));
}
