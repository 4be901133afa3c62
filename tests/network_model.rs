//! The network model: loss, duplication, reordering, partitions, bandwidth, sites, links, tampering.

use distsim::prelude::*;
use distsim::trace::{DropReason, EventKind};

/// Node 0 sends `count` numbered messages to node 1, one every `gap`; node 1 records arrivals.
struct Stream {
    count: u32,
    gap: Duration,
    bytes: u64,
    sent: u32,
    got: Vec<(Time, u32)>,
}

fn pair(count: u32, gap: Duration) -> Vec<Stream> {
    (0..2).map(|_| Stream { count, gap, bytes: 100, sent: 0, got: vec![] }).collect()
}

impl Node for Stream {
    type Msg = u32;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<u32>) {
        if ctx.id() == 0 && self.count > 0 {
            ctx.set_timer(Duration::ZERO, ());
        }
    }
    fn on_timer(&mut self, ctx: &mut Context<u32>, _: ()) {
        ctx.send_sized(1, self.sent, self.bytes);
        self.sent += 1;
        if self.sent < self.count {
            ctx.set_timer(self.gap, ());
        }
    }
    fn on_message(&mut self, ctx: &mut Context<u32>, _from: NodeId, m: u32) {
        self.got.push((ctx.now(), m));
    }
}

fn run(seed: u64, net: Network, count: u32) -> Simulation<Stream> {
    let mut sim = Simulation::new(seed, pair(count, micros(10))).unwrap().with_network(net).unwrap();
    sim.run_until_quiet().unwrap();
    sim
}

#[test]
fn observed_loss_rate_matches_the_setting_over_fixed_seeds() {
    for p in [0.05, 0.3] {
        for seed in [1, 2, 3, 4, 5] {
            let n = 20_000;
            let sim = run(seed, Network::new().loss(p), n);
            let lost = sim.metrics().counter("dropped") as f64 / n as f64;
            // Standard error sqrt(p(1-p)/n) <= 0.0033; allow 5 of them.
            assert!((lost - p).abs() < 0.017, "p={p} seed={seed}: observed {lost}");
            assert_eq!(sim.node(1).got.len() as u64, sim.metrics().counter("delivered"));
        }
    }
}

#[test]
fn mean_delivery_latency_matches_each_distribution() {
    let cases = [
        Latency::Constant(millis(2)),
        Latency::Uniform { lo: millis(1), hi: millis(5) },
        Latency::Exponential { mean: millis(3) },
        Latency::Normal { mean: millis(20), std_dev: millis(4) },
        Latency::LogNormal { median: millis(2), sigma: 0.7 },
    ];
    for l in cases {
        for seed in [11, 12, 13] {
            let sim = run(seed, Network::new().latency(l.clone()), 10_000);
            let got = sim.metrics().histogram("delivery_latency").unwrap().mean().as_secs_f64();
            let want = l.mean().as_secs_f64();
            // The sample mean's standard error is under 1% here; the histogram adds up to 1%.
            assert!((got - want).abs() / want < 0.04, "{l:?} seed {seed}: mean {got} vs {want}");
        }
    }
}

#[test]
fn duplicates_arrive_twice_at_about_the_set_rate() {
    let n = 10_000;
    let sim = run(3, Network::new().duplicate(0.2), n);
    let dups = sim.metrics().counter("duplicated") as f64 / n as f64;
    assert!((dups - 0.2).abs() < 0.03, "{dups}");
    assert_eq!(sim.node(1).got.len() as u64, n as u64 + sim.metrics().counter("duplicated"));
    assert!(sim.trace().count(|k| matches!(k, EventKind::Duplicate { .. })) > 0);
}

fn out_of_order(sim: &Simulation<Stream>) -> usize {
    sim.node(1).got.windows(2).filter(|w| w[1].1 < w[0].1).count()
}

#[test]
fn reordering_lets_later_messages_overtake_and_is_off_by_default() {
    assert_eq!(out_of_order(&run(4, Network::new(), 2000)), 0, "constant latency keeps FIFO");
    let sim = run(4, Network::new().reorder(0.3), 2000);
    assert!(out_of_order(&sim) > 100, "{}", out_of_order(&sim));
    assert_eq!(sim.node(1).got.len(), 2000, "reordering loses nothing");
}

#[test]
fn two_way_and_one_way_partitions_drop_until_healed() {
    // 1 message every 10 us for 100 ms: the cut lasts from 20 ms to 50 ms.
    let cut = |p: Partition| {
        let mut sim = Simulation::new(1, pair(10_000, micros(10))).unwrap();
        let plan = FaultPlan::new().partition_for(p, Time::ZERO + millis(20), millis(30));
        sim.apply_plan(&plan).unwrap();
        sim.run_until_quiet().unwrap();
        sim
    };
    let sim = cut(Partition::TwoWay { a: vec![1], b: vec![0] });
    let dropped = sim.trace().count(|k| matches!(k, EventKind::Drop { reason: DropReason::Partition, .. }));
    assert_eq!(dropped, 3000);
    assert_eq!(sim.node(1).got.len(), 7000);
    // Nothing sent in [20 ms, 50 ms) arrived; what was in flight at 20 ms did.
    assert!(sim.node(1).got.iter().all(|&(_, m)| !(2000..5000).contains(&m)));
    let sim = cut(Partition::OneWay { from: vec![0], to: vec![1] });
    assert_eq!(sim.node(1).got.len(), 7000);
    let sim = cut(Partition::OneWay { from: vec![1], to: vec![0] });
    assert_eq!(sim.node(1).got.len(), 10_000, "the cut runs the other way");
    let healed = sim.trace().count(|k| matches!(k, EventKind::Partition { healed: true, .. }));
    assert_eq!(healed, 1);
}

#[test]
fn overlapping_partitions_each_last_their_own_time() {
    // 1 message every 10 us for 100 ms. One cut from 20 ms to 50 ms, another (the same direction,
    // another partition) from 30 ms to 70 ms: messages sent in [20 ms, 70 ms) are dropped. Ending
    // the first must not end the second.
    let mut sim = Simulation::new(1, pair(10_000, micros(10))).unwrap();
    let plan = FaultPlan::new()
        .partition_for(Partition::TwoWay { a: vec![0], b: vec![1] }, Time::ZERO + millis(20), millis(30))
        .partition_for(Partition::OneWay { from: vec![0], to: vec![1] }, Time::ZERO + millis(30), millis(40));
    sim.apply_plan(&plan).unwrap();
    sim.run_until_quiet().unwrap();
    let dropped = sim.trace().count(|k| matches!(k, EventKind::Drop { reason: DropReason::Partition, .. }));
    assert_eq!(dropped, 5000);
    assert!(sim.node(1).got.iter().all(|&(_, m)| !(2000..7000).contains(&m)));
    assert_eq!(sim.node(1).got.len(), 5000);
    let heals: Vec<String> = sim
        .trace()
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Partition { description, healed: true } => Some(format!("{} {description}", e.time)),
            _ => None,
        })
        .collect();
    assert_eq!(heals, ["t=50ms {0} | {1}", "t=70ms {0} -/-> {1}"]);
}

#[test]
fn bandwidth_makes_messages_queue_and_a_full_queue_drops() {
    // 10 messages of 1000 B sent together over 1 MB/s: each takes 1 ms to serialise, then 1 ms to fly.
    let burst = |limit: Option<usize>| {
        let mut nodes = pair(10, Duration::ZERO);
        nodes[0].bytes = 1000;
        let mut net = Network::new().bandwidth(1e6);
        if let Some(l) = limit {
            net = net.queue_limit(l);
        }
        let mut sim = Simulation::new(1, nodes).unwrap().with_network(net).unwrap();
        sim.run_until_quiet().unwrap();
        sim
    };
    let sim = burst(None);
    let arrivals: Vec<Time> = sim.node(1).got.iter().map(|g| g.0).collect();
    let want: Vec<Time> = (1..=10).map(|k| Time::ZERO + millis(k + 1)).collect();
    assert_eq!(arrivals, want);
    let sim = burst(Some(3));
    assert_eq!(sim.node(1).got.len(), 3);
    assert_eq!(sim.trace().count(|k| matches!(k, EventKind::Drop { reason: DropReason::QueueFull, .. })), 7);
}

#[test]
fn per_link_overrides_apply_to_one_direction_only() {
    let net = Network::new().link(0, 1, LinkConfig::new().latency(Latency::Constant(millis(40))));
    let sim = run(1, net.clone(), 1);
    assert_eq!(sim.node(1).got[0].0, Time::ZERO + millis(40));
    let lossy = Network::new().link(1, 0, LinkConfig::new().loss(1.0));
    assert_eq!(run(1, lossy, 50).node(1).got.len(), 50, "loss on 1->0 does not touch 0->1");
}

#[test]
fn sites_put_a_light_in_fiber_floor_under_latency() {
    let m = SiteMatrix::well_known();
    let (ash, syd) = (m.index_of("Ashburn").unwrap(), m.index_of("Sydney").unwrap());
    let net = Network::from_sites(&m, vec![ash, syd]);
    let sim = run(1, net, 1);
    let one_way = sim.node(1).got[0].0 - Time::ZERO;
    let floor = m.rtt_floor(ash, syd).unwrap();
    // The base 1 ms plus half the round-trip floor (about 78 ms for ~15,700 km).
    let want = 1_000_000 + floor.as_nanos() / 2;
    assert!(one_way.as_nanos().abs_diff(want) <= 1, "{one_way} vs {want} ns (rounding only)");
    assert!(one_way > millis(75));
}

#[test]
fn bad_network_settings_name_the_field_and_range() {
    let sim = || Simulation::new(1, pair(1, millis(1))).unwrap();
    let err = |net: Network| sim().with_network(net).err().unwrap().to_string();
    let e = err(Network::new().loss(1.5));
    assert!(e.contains("`network.loss`") && e.contains("[0, 1]"), "{e}");
    assert!(err(Network::new().duplicate(f64::NAN)).contains("`network.duplicate`"));
    assert!(err(Network::new().reorder(-0.1)).contains("`network.reorder`"));
    assert!(err(Network::new().bandwidth(0.0)).contains("`network.bandwidth_bytes_per_sec`"));
    assert!(err(Network::new().queue_limit(0)).contains("`network.queue_limit`"));
    assert!(err(Network::new().latency(Latency::Exponential { mean: Duration::ZERO })).contains("network.latency.mean"));
    let e = err(Network::new().link(0, 5, LinkConfig::new()));
    assert!(e.contains("network.link.to") && e.contains("unknown node 5"), "{e}");
    assert!(err(Network::new().link(0, 1, LinkConfig::new().loss(2.0))).contains("network.link(0,1).loss"));
    let m = SiteMatrix::well_known();
    assert!(err(Network::from_sites(&m, vec![0])).contains("network.placement"));
    assert!(err(Network::from_sites(&m, vec![0, 99])).contains("network.placement[1]"));
    // Negative and NaN durations cannot even be built.
    assert!(Duration::from_secs_f64("latency.mean", -1.0).unwrap_err().to_string().contains("`latency.mean`"));
    assert!(Duration::from_secs_f64("latency.mean", f64::NAN).is_err());
}
