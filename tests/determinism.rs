//! Same seed, same run; different seed, different run, checked through trace digests.

use distsim::prelude::*;

/// A small gossip: every node forwards a token to random peers for a few hops, with timers.
struct Gossip {
    heard: u32,
}

impl Node for Gossip {
    type Msg = u8;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<u8>) {
        let n = ctx.node_count();
        let to = ctx.rng().random_range(0..n);
        ctx.send(to, 6);
        ctx.set_timer(millis(3), ());
    }
    fn on_message(&mut self, ctx: &mut Context<u8>, _from: NodeId, hops: u8) {
        self.heard += 1;
        if hops > 0 {
            let to = ctx.random_peer();
            ctx.send(to, hops - 1);
        }
    }
    fn on_timer(&mut self, ctx: &mut Context<u8>, _: ()) {
        ctx.log(format!("heard {}", self.heard));
    }
}

fn run(seed: u64, mode: TraceMode) -> Trace {
    let net = Network::new()
        .latency(Latency::LogNormal { median: millis(1), sigma: 0.8 })
        .loss(0.1)
        .duplicate(0.05)
        .reorder(0.05);
    let nodes = (0..20).map(|_| Gossip { heard: 0 }).collect();
    let mut sim = Simulation::new(seed, nodes)
        .unwrap()
        .with_network(net)
        .unwrap()
        .with_clocks(ClockConfig::quartz())
        .unwrap()
        .with_trace_mode(mode);
    let plan = FaultPlan::new()
        .crash_for(3, Time::ZERO + millis(2), millis(2))
        .pause(4, Time::ZERO + millis(1), millis(3))
        .partition_for(Partition::isolate(vec![0, 1], 20), Time::ZERO + millis(1), millis(1));
    sim.apply_plan(&plan).unwrap();
    sim.run_until_quiet().unwrap();
    sim.trace().clone()
}

#[test]
fn same_seed_gives_the_same_trace() {
    let a = run(42, TraceMode::Full);
    let b = run(42, TraceMode::Full);
    assert!(a.event_count > 100);
    assert_eq!(a.digest, b.digest);
    assert_eq!(a.events, b.events);
}

#[test]
fn trace_mode_does_not_change_the_digest() {
    assert_eq!(run(42, TraceMode::Full).digest, run(42, TraceMode::DigestOnly).digest);
}

#[test]
fn different_seeds_give_different_traces() {
    let digests: Vec<u64> = (0..20).map(|s| run(s, TraceMode::DigestOnly).digest).collect();
    let mut unique = digests.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), digests.len(), "{digests:x?}");
}
