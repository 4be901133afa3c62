//! What the event queue holds, and the per-node bookkeeping the engine keeps.

use super::messages::Payload;
use crate::time::Time;

/// A message on its way, with what the trace and metrics need to know about it. The message itself
/// is its `payload` (see `messages.rs`), so that the queue and the code that moves events through it
/// do not depend on the node's message type.
#[derive(Clone, Copy)]
pub(crate) struct Envelope {
    pub(crate) from: u32,
    pub(crate) to: u32,
    pub(crate) id: u64,
    pub(crate) sent_at: Time,
    /// The sender's Lamport stamp of the send.
    pub(crate) lamport: u64,
    pub(crate) payload: Payload,
}

/// A scheduled happening. Node ids are `u32` here to keep queue entries small.
pub(crate) enum Ev {
    /// Run `on_start` of this node.
    Start(u32),
    /// A message arrives.
    Deliver(Envelope),
    /// A message injected from outside: traced as a send and delivered at once.
    Inject(Envelope),
    /// A timer fires, unless cancelled or set before a crash (`epoch` no longer current). Its id
    /// and value wait in the engine's timer slab at index `slot`, so this entry stays small
    /// whatever the node's timer type.
    Timer { node: u32, epoch: u32, slot: u32 },
    /// A scheduled fault (index into the simulation's fault list).
    Fault(u32),
    /// A paused node resumes, if `generation` is still its current pause.
    Resume { node: u32, generation: u32 },
}

impl Ev {
    /// The node whose handler this event would run, for pause deferral.
    pub(crate) fn target(&self) -> Option<usize> {
        match self {
            Ev::Start(n) => Some(*n as usize),
            Ev::Deliver(e) | Ev::Inject(e) => Some(e.to as usize),
            Ev::Timer { node, .. } => Some(*node as usize),
            Ev::Fault(_) | Ev::Resume { .. } => None,
        }
    }
}

/// Whether a node is taking steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    Up,
    Down,
    Paused,
}

/// The engine's view of one node. The Lamport clock lives here rather than in an array of its own
/// because a delivery reads both: one cache line per node instead of two.
#[derive(Clone, Debug)]
pub(crate) struct NodeState {
    pub(crate) status: Status,
    /// Bumped on every crash; timers set in an older epoch are discarded.
    pub(crate) epoch: u32,
    /// Bumped on every pause; stale `Resume` events are ignored.
    pub(crate) pause_generation: u32,
    /// Slowness factor (1 = normal).
    pub(crate) slow: f64,
    /// The node's Lamport clock: the stamp of its latest event.
    pub(crate) lamport: u64,
}

impl NodeState {
    pub(crate) fn new() -> Self {
        NodeState { status: Status::Up, epoch: 0, pause_generation: 0, slow: 1.0, lamport: 0 }
    }
}
