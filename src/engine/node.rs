//! The `Node` trait: the code a student writes.
//!
//! A node reacts to four things: the start of the run, a message, one of its own timers, and a
//! recovery after a crash. It never does I/O: every effect (send, timer, log) goes through the
//! [`Context`](super::Context) it is handed, so the engine decides when and whether each effect
//! happens. Every handler defaults to doing nothing, so a node implements only what it needs.

use super::Context;
use serde::{Deserialize, Serialize};

/// A node's index in the simulation: node `i` is `sim.nodes()[i]`.
pub type NodeId = usize;

/// The handle of a timer, returned by [`Context::set_timer`] and accepted by
/// [`Context::cancel_timer`]. Ids are unique within a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TimerId(pub u64);

/// A timer that fired: its id and the `tag` the node chose when setting it (to tell timers apart).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Timer {
    /// The id [`Context::set_timer`] returned.
    pub id: TimerId,
    /// The caller's label for this timer, e.g. `0` for "heartbeat", `1` for "election timeout".
    pub tag: u64,
}

/// A participant in a simulated distributed system.
///
/// `Msg` is the type of the messages nodes exchange; it must be `Clone` (the network may duplicate
/// a message) and `Debug` (the trace labels each message with its debug text).
pub trait Node: 'static {
    /// The messages this kind of node sends and receives.
    type Msg: Clone + std::fmt::Debug + 'static;

    /// Runs once at time zero, in node order, before any message is delivered.
    fn on_start(&mut self, _ctx: &mut Context<Self::Msg>) {}

    /// A message from node `from` arrived.
    fn on_message(&mut self, _ctx: &mut Context<Self::Msg>, _from: NodeId, _msg: Self::Msg) {}

    /// A timer this node set has fired (and was not cancelled).
    fn on_timer(&mut self, _ctx: &mut Context<Self::Msg>, _timer: Timer) {}

    /// The node crashed. Drop volatile state here; fields you keep model durable (on-disk) state.
    /// Pending timers are discarded by the engine, and messages that arrive while the node is down
    /// are dropped.
    fn on_crash(&mut self) {}

    /// The node restarted after a crash. Re-arm timers and reload state here.
    fn on_recover(&mut self, _ctx: &mut Context<Self::Msg>) {}
}
