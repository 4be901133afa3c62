//! A space-time diagram of a real (engine-made) trace: ping-pong over a lossy network with a crash.

use distsim::prelude::*;

/// The client's only timer: resend the first ping.
#[derive(Clone, Debug)]
struct Retry;

#[derive(Debug)]
struct Pinger {
    left: u32,
}

impl Node for Pinger {
    type Msg = u32;
    type Timer = Retry;
    fn on_start(&mut self, ctx: &mut Context<u32, Retry>) {
        if ctx.id() == 0 {
            ctx.send(1, self.left);
            ctx.set_timer(millis(50), Retry);
        }
    }
    fn on_message(&mut self, ctx: &mut Context<u32, Retry>, from: NodeId, n: u32) {
        if n > 0 {
            ctx.send(from, n - 1);
        }
    }
    fn on_timer(&mut self, ctx: &mut Context<u32, Retry>, _: Retry) {
        ctx.log("retry");
        ctx.send(1, self.left);
    }
}

fn run(seed: u64) -> Trace {
    let mut sim = Simulation::new(seed, vec![Pinger { left: 30 }, Pinger { left: 0 }])
        .unwrap()
        .with_network(Network::new().loss(0.2))
        .unwrap()
        .with_node_names(vec!["client".into(), "server".into()])
        .unwrap();
    sim.schedule(Time::from_nanos(20_000_000), Fault::Crash(1)).unwrap();
    sim.schedule(Time::from_nanos(40_000_000), Fault::Recover(1)).unwrap();
    sim.run_until(Time::from_nanos(200_000_000)).unwrap();
    sim.trace().clone()
}

#[test]
fn engine_trace_renders_deterministically_with_arrows_and_drops() {
    let trace = run(7);
    assert!(!trace.events.is_empty());
    let a = SpaceTime::new(&trace).lamport(true);
    let svg = a.to_svg();

    assert_eq!(svg, SpaceTime::new(&run(7)).lamport(true).to_svg(), "same seed, same bytes");
    assert!(svg.contains(">client<") && svg.contains(">server<"));
    assert!(svg.contains("delivered at"), "at least one arrow");
    let delivers = trace.events.iter().filter(|e| matches!(e.kind, EventKind::Deliver { .. })).count();
    let drops = trace.events.iter().filter(|e| matches!(e.kind, EventKind::Drop { .. })).count();
    assert!(delivers > 0);
    if drops > 0 {
        assert!(svg.contains("lost at"), "drops are marked");
    }
    assert!(svg.contains("server crashed at t=20ms"), "{}", a.to_text());
    let text = a.to_text();
    assert!(text.contains("CRASH") && text.contains("RECOVER"), "{text}");
    // A timer is labelled with the value it carried.
    assert!(svg.contains("timer 0 Retry fired at t=50ms"), "{text}");
    assert!(text.contains("timer Retry"), "{text}");
}
