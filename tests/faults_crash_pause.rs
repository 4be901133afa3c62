//! Crash-stop, crash-recover, pause, slow nodes, fault plans and failure domains.

use distsim::prelude::*;
use distsim::trace::{DropReason, EventKind};

/// A node with a volatile counter (lost on crash) and a durable one (kept), and a heartbeat timer.
#[derive(Default)]
struct Server {
    volatile: u32,
    durable: u32,
    beats: Vec<Time>,
    recovered: u32,
    crashed: u32,
}

impl Node for Server {
    type Msg = u32;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<u32>) {
        ctx.set_timer(millis(10), ());
    }
    fn on_message(&mut self, _ctx: &mut Context<u32>, _from: NodeId, m: u32) {
        self.volatile += m;
        self.durable += m;
    }
    fn on_timer(&mut self, ctx: &mut Context<u32>, _: ()) {
        self.beats.push(ctx.now());
        ctx.set_timer(millis(10), ());
    }
    fn on_crash(&mut self) {
        self.crashed += 1;
        self.volatile = 0;
    }
    fn on_recover(&mut self, ctx: &mut Context<u32>) {
        self.recovered += 1;
        ctx.set_timer(millis(10), ());
    }
}

fn t(ms: u64) -> Time {
    Time::ZERO + millis(ms)
}

#[test]
fn crash_recover_loses_volatile_state_timers_and_messages_but_keeps_durable_state() {
    let mut sim = Simulation::new(1, vec![Server::default(), Server::default()]).unwrap();
    sim.inject(t(1), 1, 0, 5).unwrap();
    sim.apply_plan(&FaultPlan::new().crash_for(0, t(15), millis(20))).unwrap();
    sim.inject(t(20), 1, 0, 7).unwrap(); // arrives while down: dropped
    sim.inject(t(40), 1, 0, 1).unwrap(); // after recovery: delivered
    sim.run_until(t(60)).unwrap();
    let s = sim.node(0);
    assert_eq!((s.crashed, s.recovered), (1, 1));
    assert_eq!(s.volatile, 1, "volatile state restarted from zero");
    assert_eq!(s.durable, 6, "durable state kept, the message sent while down lost");
    // Heartbeats at 10 ms, then none while down (the 20 ms timer died), then re-armed at 35 ms.
    assert_eq!(s.beats, [t(10), t(45), t(55)]);
    let dropped = sim.trace().count(|k| matches!(k, EventKind::Drop { to: 0, reason: DropReason::Crashed, .. }));
    assert_eq!(dropped, 1);
    assert!(sim.is_up(0));
    assert_eq!(sim.metrics().counter("crashes"), 1);
}

#[test]
fn crash_stop_node_never_acts_again() {
    let mut sim = Simulation::new(1, vec![Server::default()]).unwrap();
    sim.schedule(t(25), Fault::Crash(0)).unwrap();
    sim.run_until(t(200)).unwrap();
    assert_eq!(sim.node(0).beats, [t(10), t(20)]);
    assert!(!sim.is_up(0));
    assert_eq!(sim.pending_events(), 0, "its timer was discarded");
}

#[test]
fn paused_node_handles_held_events_in_order_when_it_resumes() {
    let mut sim = Simulation::new(1, vec![Server::default(), Server::default()]).unwrap();
    sim.schedule(t(5), Fault::Pause { node: 0, for_: millis(30) }).unwrap();
    sim.inject(t(8), 1, 0, 1).unwrap();
    sim.inject(t(9), 1, 0, 2).unwrap();
    sim.run_until(t(34)).unwrap();
    assert!(sim.is_paused(0) && sim.is_up(0));
    assert_eq!(sim.node(0).durable, 0, "nothing handled while paused");
    assert!(sim.node(0).beats.is_empty());
    sim.run_until(t(36)).unwrap();
    let s = sim.node(0);
    assert_eq!(s.durable, 3, "both messages handled at resume, nothing lost");
    assert_eq!(s.volatile, 3);
    assert_eq!(s.beats, [t(35)], "the 10 ms heartbeat fired late, at resume");
    let pauses = sim.trace().count(|k| matches!(k, EventKind::Pause { node: 0, .. }));
    assert_eq!(pauses, 2);
}

struct Sender;
impl Node for Sender {
    type Msg = ();
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<()>) {
        if ctx.id() == 0 {
            ctx.set_timer(millis(10), ());
        }
    }
    fn on_timer(&mut self, ctx: &mut Context<()>, _: ()) {
        ctx.send(1, ());
    }
}

#[test]
fn slow_node_stretches_its_timers_and_message_flights() {
    let mut sim = Simulation::new(1, vec![Sender, Sender]).unwrap();
    sim.schedule(Time::ZERO, Fault::Slow { node: 0, factor: 3.0 }).unwrap();
    sim.run_until_quiet().unwrap();
    // The timer was set by on_start, which ran before the fault (both at time zero, start first):
    // it fires at 10 ms. The send happens while slow: the 1 ms flight takes 3 ms.
    assert_eq!(sim.now(), t(13));
    let max = sim.metrics().delivery_latency.max().as_millis_f64();
    assert!((max - 3.0).abs() < 0.03, "histograms keep values to within 1%: {max}");
    // Timers set while slow stretch too: re-arm from a recovered, still-slow node.
    let mut sim = Simulation::new(1, vec![Server::default()]).unwrap();
    sim.schedule(t(1), Fault::Slow { node: 0, factor: 2.0 }).unwrap();
    sim.run_until(t(60)).unwrap();
    // 10 ms (set before), then every 20 ms.
    assert_eq!(sim.node(0).beats, [t(10), t(30), t(50)]);
}

#[test]
fn a_slow_fault_is_traced_as_its_own_event_kind() {
    let mut sim = Simulation::new(1, vec![Sender, Sender]).unwrap();
    sim.schedule(t(2), Fault::Slow { node: 0, factor: 3.0 }).unwrap();
    sim.schedule(t(20), Fault::Slow { node: 0, factor: 1.0 }).unwrap();
    sim.run_until_quiet().unwrap();
    let slows: Vec<_> = sim.trace().events.iter().filter(|e| matches!(e.kind, EventKind::Slow { .. })).collect();
    assert_eq!(slows.len(), 2);
    assert_eq!((slows[0].time, &slows[0].kind), (t(2), &EventKind::Slow { node: 0, factor: 3.0 }));
    assert_eq!((slows[1].time, &slows[1].kind), (t(20), &EventKind::Slow { node: 0, factor: 1.0 }));
    assert_eq!(sim.trace().describe(&slows[0].kind), "n0 slowed to 1/3 speed");
    assert_eq!(sim.trace().describe(&slows[1].kind), "n0 back to normal speed");
    // Not as a log line, as it used to be; and it is a step of the node, with a Lamport stamp.
    assert_eq!(sim.trace().count(|k| matches!(k, EventKind::Log { .. })), 0);
    assert!(slows.iter().all(|e| e.lamport.is_some()));
    let text = distsim::trace::spacetime::SpaceTime::new(sim.trace()).to_text();
    assert!(text.contains("SLOW x3"), "{text}");
    let svg = distsim::trace::spacetime::SpaceTime::new(sim.trace()).to_svg();
    assert!(svg.contains("n0 slowed to 1/3 speed at t=2ms"), "{svg}");
}

#[test]
fn bad_faults_are_refused_with_the_parameter_named() {
    let mut sim = Simulation::new(1, vec![Sender, Sender]).unwrap();
    let e = sim.schedule(t(1), Fault::Crash(2)).unwrap_err();
    assert_eq!(e, Error::UnknownNode { parameter: "fault.crash".into(), node: 2, node_count: 2 });
    let e = sim.schedule(t(1), Fault::Slow { node: 0, factor: f64::NAN }).unwrap_err().to_string();
    assert!(e.contains("`fault.slow.factor`") && e.contains("[1, 1000000]"), "{e}");
    let e = sim.schedule(t(1), Fault::Partition(Partition::TwoWay { a: vec![0], b: vec![3] })).unwrap_err();
    assert!(e.to_string().contains("`partition.b`"), "{e}");
    sim.run_until(t(5)).unwrap();
    let e = sim.schedule(t(1), Fault::Heal).unwrap_err().to_string();
    assert!(e.contains("`schedule.at`"), "{e}");
    // A bad plan is refused as a whole: nothing of it is scheduled.
    let before = sim.pending_events();
    let plan = FaultPlan::new().crash(0, t(10)).recover(7, t(20));
    assert!(sim.apply_plan(&plan).unwrap_err().to_string().contains("plan[1].fault.recover"));
    assert_eq!(sim.pending_events(), before);
}

#[test]
fn a_rack_failure_downs_every_machine_beneath_it_and_only_those() {
    // 1 DC x 2 PDUs x 2 racks x 3 machines: 12 machines = 12 nodes.
    let topo = Topology::uniform(1, 2, 2, 3, 1).unwrap();
    let nodes: Vec<Server> = (0..topo.machines()).map(|_| Server::default()).collect();
    let mut sim = Simulation::new(1, nodes).unwrap();
    let rack = topo.domain(DomainKind::Rack, 2).unwrap();
    let plan = FaultPlan::new().domain_down(&topo, rack, t(5), Some(millis(50))).unwrap();
    sim.apply_plan(&plan).unwrap();
    sim.run_until(t(6)).unwrap();
    let down: Vec<usize> = (0..12).filter(|&i| !sim.is_up(i)).collect();
    assert_eq!(down, [6, 7, 8]);
    sim.run_until(t(60)).unwrap();
    assert!((0..12).all(|i| sim.is_up(i)));
    let pdu = topo.domain(DomainKind::Pdu, 0).unwrap();
    assert_eq!(topo.machines_under(pdu), (0..6).collect::<Vec<_>>());
    let bad = FaultPlan::new().domain_down(&topo, Domain { kind: DomainKind::Rack, index: 4 }, t(1), None);
    assert!(bad.unwrap_err().to_string().contains("0..4"));
}

#[test]
fn crash_while_paused_drops_the_held_messages() {
    let mut sim = Simulation::new(1, vec![Server::default(), Server::default()]).unwrap();
    sim.schedule(t(1), Fault::Pause { node: 0, for_: millis(100) }).unwrap();
    sim.inject(t(2), 1, 0, 9).unwrap();
    sim.schedule(t(3), Fault::Crash(0)).unwrap();
    sim.schedule(t(4), Fault::Recover(0)).unwrap();
    sim.run_until(t(200)).unwrap();
    assert_eq!(sim.node(0).durable, 0);
    assert_eq!(sim.trace().count(|k| matches!(k, EventKind::Drop { reason: DropReason::Crashed, .. })), 1);
    assert!(!sim.is_paused(0), "the stale resume did nothing; the recovered node runs");
}
