//! Each random effect of the network has its own streams: switching one effect on, or adding
//! traffic from one node, leaves the other effects' draws for every message as they were.
//!
//! Every test runs the same workload twice with the same seed and compares per-message records
//! taken from the two full traces. The workload sends the same messages whatever the network
//! does (nodes never reply), so a message is identified across runs by its payload.

use distsim::prelude::*;
use distsim::trace::{DropReason, EventKind};
use std::collections::BTreeMap;

/// Sends `count` messages at start, to peers in turn; the payload `(sender, k)` names the message.
struct Sender {
    count: u32,
}

impl Node for Sender {
    type Msg = (usize, u32);
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<(usize, u32)>) {
        let (me, n) = (ctx.id(), ctx.node_count());
        for k in 0..self.count {
            let to = (me + 1 + k as usize % (n - 1)) % n;
            ctx.send(to, (me, k));
        }
    }
}

/// What happened to one original message (never a network copy).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Fate {
    /// Delivered after this many nanoseconds.
    Delivered(u64),
    Dropped(DropReason),
}

/// Everything the network did in one run, from its full trace.
struct Outcome {
    /// Each original message's fate, by payload label.
    fates: BTreeMap<String, Fate>,
    duplicates: usize,
}

const SEED: u64 = 2024;
const NODES: usize = 5;

fn base() -> Network {
    Network::new().latency(Latency::LogNormal { median: millis(2), sigma: 0.7 })
}

fn run(net: Network, counts: [u32; NODES]) -> Outcome {
    let nodes = counts.iter().map(|&count| Sender { count }).collect();
    let mut sim = Simulation::new(SEED, nodes).unwrap().with_network(net).unwrap();
    sim.run_until_quiet().unwrap();
    let mut label = BTreeMap::new();
    let mut sent_at = BTreeMap::new();
    let mut fates = BTreeMap::new();
    let mut duplicates = 0;
    for e in &sim.trace().events {
        match &e.kind {
            EventKind::Send { msg, label: l, .. } => {
                label.insert(*msg, l.clone());
                sent_at.insert(*msg, e.time);
            }
            EventKind::Deliver { msg, .. } => {
                // Copies have ids of their own, which no send has.
                if let Some(l) = label.get(msg) {
                    let fate = Fate::Delivered(e.time.since(sent_at[msg]).as_nanos());
                    assert!(fates.insert(l.clone(), fate).is_none(), "{l} delivered twice under one id");
                }
            }
            EventKind::Drop { msg, reason, .. } => {
                let l = &label[msg];
                assert!(fates.insert(l.clone(), Fate::Dropped(*reason)).is_none(), "{l} dropped twice");
            }
            EventKind::Duplicate { .. } => duplicates += 1,
            _ => {}
        }
    }
    assert_eq!(fates.len(), label.len(), "every original message has a fate");
    Outcome { fates, duplicates }
}

const TRAFFIC: [u32; NODES] = [200; NODES];

fn lost(o: &Outcome) -> usize {
    o.fates.values().filter(|f| **f == Fate::Dropped(DropReason::Loss)).count()
}

#[test]
fn duplication_leaves_every_original_loss_decision_and_latency_unchanged() {
    let without = run(base().loss(0.2), TRAFFIC);
    let with = run(base().loss(0.2).duplicate(0.3), TRAFFIC);
    assert_eq!(without.duplicates, 0);
    assert!(with.duplicates > 150, "duplication is on: {} copies", with.duplicates);
    assert!(lost(&without) > 100, "loss is on: {} lost", lost(&without));
    assert_eq!(without.fates.len(), 1000);
    assert_eq!(with.fates.len(), 1000);
    for (label, fate) in &without.fates {
        assert_eq!(with.fates[label], *fate, "{label}");
    }
}

#[test]
fn loss_leaves_the_survivors_latencies_unchanged() {
    let without = run(base(), TRAFFIC);
    let with = run(base().loss(0.3), TRAFFIC);
    assert_eq!(lost(&without), 0);
    assert!(lost(&with) > 200, "loss is on: {} lost", lost(&with));
    let mut survivors = 0;
    for (label, fate) in &with.fates {
        if let Fate::Delivered(_) = fate {
            assert_eq!(fate, &without.fates[label], "{label}");
            survivors += 1;
        }
    }
    assert_eq!(survivors + lost(&with), 1000);
}

#[test]
fn reordering_leaves_every_loss_decision_unchanged() {
    let without = run(base().loss(0.2), TRAFFIC);
    let with = run(base().loss(0.2).reorder(0.3), TRAFFIC);
    let is_lost =
        |o: &Outcome| -> Vec<bool> { o.fates.values().map(|f| *f == Fate::Dropped(DropReason::Loss)).collect() };
    assert_eq!(is_lost(&with), is_lost(&without));
    assert!(lost(&with) > 100);
    // Reordering did act: some survivors were held back, and none arrived earlier.
    let mut held_back = 0;
    for (label, fate) in &with.fates {
        match (fate, without.fates[label]) {
            (Fate::Delivered(a), Fate::Delivered(b)) => {
                assert!(*a >= b, "{label}: {a} < {b}");
                held_back += (*a > b) as usize;
            }
            (a, b) => assert_eq!(*a, b, "{label}"),
        }
    }
    assert!(held_back > 150, "{held_back} held back");
}

#[test]
fn more_traffic_from_one_node_leaves_the_others_messages_unchanged() {
    let net = || base().loss(0.2).duplicate(0.1).reorder(0.1);
    let before = run(net(), TRAFFIC);
    let mut more = TRAFFIC;
    more[0] *= 2;
    let after = run(net(), more);
    assert_eq!(after.fates.len(), before.fates.len() + 200);
    for (label, fate) in &before.fates {
        assert_eq!(after.fates[label], *fate, "{label}");
    }
}
