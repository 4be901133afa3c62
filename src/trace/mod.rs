//! The record of everything that happened in a run.
//!
//! The engine appends one [`TraceEvent`] for every send, delivery, drop, duplicate, timer, crash and
//! recovery. Two things are kept: a running [`Trace::digest`] over every event (always, it is cheap)
//! and, when [`TraceMode::Full`] is on, the events themselves for diagrams and tables. Two runs with
//! the same seed must have the same digest; that is how the determinism tests compare runs without
//! storing millions of events.

use crate::time::Time;
use serde::{Deserialize, Serialize};

pub mod spacetime;

/// How much of a run the engine keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TraceMode {
    /// Only the digest and counts: for benchmarks and large sweeps.
    DigestOnly,
    /// Every event, for diagrams, tables and inspection (the default).
    #[default]
    Full,
}

/// Why the network (or a fault) did not deliver a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DropReason {
    /// Random loss on the link.
    Loss,
    /// A partition separates sender and receiver.
    Partition,
    /// The receiver was crashed when the message arrived.
    Crashed,
    /// The link's queue was full.
    QueueFull,
    /// The receiver rejected it: a failed authentication check, for instance.
    Rejected,
}

/// What happened. Node ids are indices into the simulation's nodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum EventKind {
    /// `from` handed message `msg` to the network, addressed to `to`.
    Send { from: usize, to: usize, msg: u64, label: String },
    /// Message `msg` reached `to` and its handler ran.
    Deliver { from: usize, to: usize, msg: u64 },
    /// Message `msg` was lost.
    Drop { from: usize, to: usize, msg: u64, reason: DropReason },
    /// The network delivered an extra copy of `msg`; `copy` is the new copy's id.
    Duplicate { from: usize, to: usize, msg: u64, copy: u64 },
    /// A node's timer fired.
    Timer { node: usize, timer: u64 },
    /// The node crashed: its volatile state and pending timers are gone.
    Crash { node: usize },
    /// The node restarted after a crash.
    Recover { node: usize },
    /// The node stopped taking steps (a GC pause, a stalled VM) or resumed.
    Pause { node: usize, paused: bool },
    /// A partition started (`healed == false`) or ended.
    Partition { description: String, healed: bool },
    /// A line a node wrote with `ctx.log`.
    Log { node: usize, text: String },
}

/// One entry of the trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceEvent {
    /// Virtual time at which it happened.
    pub time: Time,
    /// Position in the run: strictly increasing, so events at equal times keep their order.
    pub seq: u64,
    /// What happened.
    pub kind: EventKind,
    /// The Lamport timestamp of the event at its node, when the run tracks logical time.
    pub lamport: Option<u64>,
}

/// Everything recorded about a run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Trace {
    /// The recorded events, in order (empty under [`TraceMode::DigestOnly`]).
    pub events: Vec<TraceEvent>,
    /// Node names for diagrams (`n0`, `n1`, … unless the run named them).
    pub node_names: Vec<String>,
    /// Running digest of every event, recorded or not.
    pub digest: u64,
    /// How many events went into the digest.
    pub event_count: u64,
}
