//! Logical timestamps computed from a trace: Lamport stamps and vector stamps.
//!
//! Both follow the textbook rules, replayed over the whole trace from its start (so a window
//! never changes the numbers): a send, a timer and a log line are steps of the node's program and
//! tick its own entry; a delivery first merges what the sender knew (`max` for Lamport, the
//! entry-wise `max` for vectors) and then ticks. Crashes, drops, duplicates and partitions are
//! not steps of a node's program and get no stamp. A duplicate copy carries the stamp of its
//! original send.
//!
//! A vector stamp answers the question a Lamport stamp cannot: `a` happened before `b` exactly
//! when `a`'s vector is `<=` `b`'s in every entry and differs in one; otherwise the two are
//! concurrent (Mattern 1988, Fidge 1988).

use crate::trace::{EventKind, TraceEvent};
use std::collections::BTreeMap;

/// Each node event's Lamport timestamp by `seq`: the recorded one if the trace has it, else
/// computed by Lamport's rules.
pub(crate) fn lamport_stamps(events: &[TraceEvent], node_count: usize) -> BTreeMap<u64, u64> {
    let mut clock = vec![0u64; node_count];
    let mut sent_at: BTreeMap<u64, u64> = BTreeMap::new();
    let mut stamps = BTreeMap::new();
    for e in events {
        let computed = match &e.kind {
            EventKind::Send { from, msg, .. } => {
                clock[*from] = e.lamport.unwrap_or(clock[*from] + 1);
                sent_at.insert(*msg, clock[*from]);
                Some(clock[*from])
            }
            EventKind::Duplicate { msg, copy, .. } => {
                if let Some(&t) = sent_at.get(msg) {
                    sent_at.insert(*copy, t);
                }
                None
            }
            EventKind::Deliver { to, msg, .. } => {
                let remote = sent_at.get(msg).copied().unwrap_or(0);
                clock[*to] = e.lamport.unwrap_or(clock[*to].max(remote) + 1);
                Some(clock[*to])
            }
            EventKind::Timer { node, .. } | EventKind::Log { node, .. } => {
                clock[*node] = e.lamport.unwrap_or(clock[*node] + 1);
                Some(clock[*node])
            }
            _ => e.lamport,
        };
        if let Some(stamp) = computed {
            stamps.insert(e.seq, stamp);
        }
    }
    stamps
}

/// Whether an event is a step of a node's program (and so gets a stamp), and at which node.
fn program_step(kind: &EventKind) -> Option<usize> {
    match kind {
        EventKind::Send { from, .. } => Some(*from),
        EventKind::Deliver { to, .. } => Some(*to),
        EventKind::Timer { node, .. } | EventKind::Log { node, .. } => Some(*node),
        _ => None,
    }
}

/// Each event's vector stamp, in trace order: `Some(vector)` (one entry per node) for sends,
/// deliveries, timers and logs, `None` for the rest. Node ids at or above `node_count` are
/// ignored (the diagram sizes `node_count` to cover every id).
///
/// ```
/// use distsim::prelude::*;
/// use distsim::time::Time;
/// use distsim::trace::spacetime::vector_stamps;
/// let ev = |seq, kind| TraceEvent { time: Time::from_nanos(seq), seq, kind, lamport: None };
/// let events = vec![
///     ev(0, EventKind::Send { from: 0, to: 1, msg: 1, label: "x".into() }),
///     ev(1, EventKind::Timer { node: 1, timer: 0, label: String::new() }),
///     ev(2, EventKind::Deliver { from: 0, to: 1, msg: 1 }),
/// ];
/// let v = vector_stamps(&events, 2);
/// assert_eq!(v[0], Some(vec![1, 0]));
/// assert_eq!(v[1], Some(vec![0, 1]));
/// assert_eq!(v[2], Some(vec![1, 2])); // merged the sender's knowledge, then ticked
/// ```
pub fn vector_stamps(events: &[TraceEvent], node_count: usize) -> Vec<Option<Vec<u64>>> {
    let mut clocks = vec![vec![0u64; node_count]; node_count];
    let mut carried: BTreeMap<u64, Vec<u64>> = BTreeMap::new();
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        if let EventKind::Duplicate { msg, copy, .. } = &e.kind {
            if let Some(v) = carried.get(msg).cloned() {
                carried.insert(*copy, v);
            }
        }
        if let EventKind::Drop { msg, .. } = &e.kind {
            carried.remove(msg);
        }
        let Some(node) = program_step(&e.kind).filter(|n| *n < node_count) else {
            out.push(None);
            continue;
        };
        if let EventKind::Deliver { msg, .. } = &e.kind {
            if let Some(remote) = carried.remove(msg) {
                for (mine, theirs) in clocks[node].iter_mut().zip(remote) {
                    *mine = (*mine).max(theirs);
                }
            }
        }
        clocks[node][node] += 1;
        if let EventKind::Send { msg, .. } = &e.kind {
            carried.insert(*msg, clocks[node].clone());
        }
        out.push(Some(clocks[node].clone()));
    }
    out
}
