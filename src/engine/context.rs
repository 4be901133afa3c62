//! The handle a node's handlers receive: every effect a node can have goes through it.

use super::core::Core;
use super::typed::Typed;
use super::{NodeId, TimerId};
use crate::error::Error;
use crate::metrics::Metrics;
use crate::rng::SimRng;
use crate::time::{Duration, Time};
use std::ops::Range;

/// Default message size for [`Context::send`], in bytes: what bandwidth models charge for it.
pub const DEFAULT_MESSAGE_BYTES: u64 = 100;

/// What a node may do while handling an event. It borrows the simulation for the duration of one
/// handler call only; nodes never keep it.
///
/// `M` is the node's message type and `T` its timer type (`Node::Timer`); `T` defaults to `()`,
/// so a node without timers writes `Context<Msg>`.
pub struct Context<'a, M, T = ()> {
    pub(crate) id: NodeId,
    pub(crate) core: &'a mut Core,
    pub(crate) typed: &'a mut Typed<M, T>,
}

impl<M: Clone + std::fmt::Debug, T> Context<'_, M, T> {
    /// This node's id.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// True (virtual) time. Real nodes cannot see it; use [`Context::clock`] to model what a node
    /// could actually read.
    pub fn now(&self) -> Time {
        self.core.now
    }

    /// How many nodes the simulation has (valid ids are `0..node_count()`).
    pub fn node_count(&self) -> usize {
        self.core.n
    }

    /// This node's physical clock reading: true time plus its offset and drift.
    pub fn clock(&self) -> Time {
        self.core.clocks.read(self.id, self.core.now)
    }

    /// Sends `msg` to node `to` (a default-size message). Sending to an unknown node ends the run
    /// with `Error::UnknownNode`.
    #[inline]
    pub fn send(&mut self, to: NodeId, msg: M) {
        self.typed.send(self.core, self.id, to, msg, DEFAULT_MESSAGE_BYTES);
    }

    /// Sends a message of `bytes` bytes, for bandwidth models.
    pub fn send_sized(&mut self, to: NodeId, msg: M, bytes: u64) {
        self.typed.send(self.core, self.id, to, msg, bytes);
    }

    /// Sends `msg` to every other node, in id order.
    pub fn broadcast(&mut self, msg: M) {
        for to in 0..self.core.n {
            if to != self.id {
                self.typed.send(self.core, self.id, to, msg.clone(), DEFAULT_MESSAGE_BYTES);
            }
        }
    }

    /// Calls [`Node::on_timer`](super::Node::on_timer) with `value` after `after` (stretched by
    /// the node's slowness factor). The timer is lost if the node crashes first.
    pub fn set_timer(&mut self, after: Duration, value: T) -> TimerId {
        if let Some(captured) = self.typed.capture.as_mut() {
            return captured.set_timer(value);
        }
        let timer = self.typed.timers.insert(value);
        self.core.schedule_timer(self.id, after, timer.slot);
        timer
    }

    /// Cancels a pending timer; cancelling one that already fired or was cancelled does nothing.
    pub fn cancel_timer(&mut self, id: TimerId) {
        if let Some(captured) = self.typed.capture.as_mut() {
            captured.cancelled.push(id);
            return;
        }
        self.typed.timers.cancel(id);
    }

    /// Re-arms the timer a node keeps in `slot`: cancels the one there (if any is still pending),
    /// sets a new one with `value` after `after`, and stores its handle in `slot`. One line resets
    /// an election timeout:
    /// `ctx.reset_timer(&mut self.election, ctx.random_duration(millis(150)..millis(300)), Timer::Election)`.
    pub fn reset_timer(&mut self, slot: &mut Option<TimerId>, after: Duration, value: T) -> TimerId {
        self.clear_timer(slot);
        let id = self.set_timer(after, value);
        *slot = Some(id);
        id
    }

    /// Cancels the timer a node keeps in `slot` (if any is still pending) and empties `slot`.
    pub fn clear_timer(&mut self, slot: &mut Option<TimerId>) {
        if let Some(id) = slot.take() {
            self.cancel_timer(id);
        }
    }

    /// A duration drawn uniformly from `range` (`lo..hi`, `lo < hi`, in whole nanoseconds) from
    /// this node's own stream, e.g. a randomised election timeout. It borrows the context only
    /// shortly, so it can be an argument of another context call:
    /// `ctx.set_timer(ctx.random_duration(millis(150)..millis(300)), Timer::Election)`.
    /// An empty range ends the run with an error naming `random_duration.range` (and this call
    /// returns `range.start`).
    pub fn random_duration(&self, range: Range<Duration>) -> Duration {
        use rand::Rng;
        if range.start >= range.end {
            let given = format!("{}..{}", range.start, range.end);
            self.core.fail(Error::invalid("random_duration.range", given, "a range lo..hi with lo < hi"));
            return range.start;
        }
        let mut rng = self.my_rng().borrow_mut();
        Duration::from_nanos(rng.random_range(range.start.as_nanos()..range.end.as_nanos()))
    }

    /// This node's own random stream (independent of every other node's and of the network's).
    pub fn rng(&mut self) -> &mut SimRng {
        self.my_rng();
        self.core.node_rngs[self.id].get_mut()
    }

    /// This node's stream, noted as touched when the model checker runs the handler (it then
    /// restores the stream before the next handler; see `capture.rs`).
    fn my_rng(&self) -> &std::cell::RefCell<SimRng> {
        if let Some(captured) = &self.typed.capture {
            captured.touched_rng.set(Some(self.id));
        }
        &self.core.node_rngs[self.id]
    }

    /// A node other than this one, uniformly at random from this node's stream (this node itself
    /// if it is the only one).
    pub fn random_peer(&mut self) -> NodeId {
        use rand::Rng;
        let (me, n) = (self.id, self.core.n);
        if n == 1 {
            return me;
        }
        let k = self.my_rng().borrow_mut().random_range(0..n - 1);
        if k >= me {
            k + 1
        } else {
            k
        }
    }

    /// Writes a line into the trace, attributed to this node.
    pub fn log(&mut self, text: impl Into<String>) {
        if let Some(captured) = self.typed.capture.as_mut() {
            captured.logs.push(text.into());
            return;
        }
        self.core.log(self.id, text.into());
    }

    /// The run's metrics, for the node's own counters and histograms.
    pub fn metrics(&mut self) -> &mut Metrics {
        self.core.fold_latencies();
        &mut self.core.metrics
    }
}
