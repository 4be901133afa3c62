//! The `Node` trait: the code a student writes.
//!
//! A node reacts to four things: the start of the run, a message, one of its own timers, and a
//! recovery after a crash. It never does I/O: every effect (send, timer, log) goes through the
//! [`Context`](super::Context) it is handed, so the engine decides when and whether each effect
//! happens. Every handler defaults to doing nothing, so a node implements only what it needs.

use super::Context;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A node's index in the simulation: node `i` is `sim.nodes()[i]`.
pub type NodeId = usize;

/// The handle of a pending timer, returned by [`Context::set_timer`] and accepted by
/// [`Context::cancel_timer`]. Only the engine makes one, so a handle always names a timer that was
/// really set; once that timer has fired or been cancelled, the handle is stale and cancelling it
/// does nothing.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TimerId {
    /// The timer's number in the run (0, 1, 2, … in the order timers were set), as the trace shows.
    pub(crate) seq: u64,
    /// Where the engine keeps the timer's value while it is pending (reused after it fires).
    pub(crate) slot: u32,
}

impl TimerId {
    /// The timer's number in the run, as the trace shows it (`n0 timer 3 Election`).
    pub fn seq(self) -> u64 {
        self.seq
    }
}

impl fmt::Debug for TimerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TimerId({})", self.seq)
    }
}

/// A participant in a simulated distributed system.
///
/// `Msg` is the type of the messages nodes exchange; it must be `Clone` (the network may duplicate
/// a message) and `Debug` (the trace labels each message with its debug text).
///
/// `Timer` is the value a timer carries back to the node when it fires, usually an enum with one
/// variant per kind of timer (`Election`, `Heartbeat`, `Retry(request)`), matched in
/// [`Node::on_timer`] like a message. Its debug text labels the timer in the trace. A node without
/// timers writes `type Timer = ();` and keeps writing `Context<Msg>` in its handlers (the second
/// parameter of [`Context`] defaults to `()`).
pub trait Node: 'static {
    /// The messages this kind of node sends and receives.
    type Msg: Clone + std::fmt::Debug + 'static;

    /// The value each of this node's timers carries (`()` for a node without timers).
    type Timer: Clone + std::fmt::Debug + 'static;

    /// Runs once at time zero, in node order, before any message is delivered.
    fn on_start(&mut self, _ctx: &mut Context<Self::Msg, Self::Timer>) {}

    /// A message from node `from` arrived.
    fn on_message(&mut self, _ctx: &mut Context<Self::Msg, Self::Timer>, _from: NodeId, _msg: Self::Msg) {}

    /// A timer this node set has fired (and was not cancelled): `timer` is the value it was set
    /// with.
    fn on_timer(&mut self, _ctx: &mut Context<Self::Msg, Self::Timer>, _timer: Self::Timer) {}

    /// The node crashed. Drop volatile state here; fields you keep model durable (on-disk) state.
    /// Pending timers are discarded by the engine, and messages that arrive while the node is down
    /// are dropped.
    fn on_crash(&mut self) {}

    /// The node restarted after a crash. Re-arm timers and reload state here.
    fn on_recover(&mut self, _ctx: &mut Context<Self::Msg, Self::Timer>) {}
}
