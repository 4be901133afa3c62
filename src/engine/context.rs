//! The handle a node's handlers receive: every effect a node can have goes through it.

use super::core::Core;
use super::event::Ev;
use super::{NodeId, TimerId};
use crate::metrics::Metrics;
use crate::rng::SimRng;
use crate::time::{Duration, Time};
use crate::trace::EventKind;

/// Default message size for [`Context::send`], in bytes: what bandwidth models charge for it.
pub const DEFAULT_MESSAGE_BYTES: u64 = 100;

/// What a node may do while handling an event. It borrows the simulation for the duration of one
/// handler call only; nodes never keep it.
pub struct Context<'a, M> {
    pub(crate) id: NodeId,
    pub(crate) core: &'a mut Core<M>,
}

impl<M: Clone + std::fmt::Debug> Context<'_, M> {
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
        self.core.send(self.id, to, msg, DEFAULT_MESSAGE_BYTES);
    }

    /// Sends a message of `bytes` bytes, for bandwidth models.
    pub fn send_sized(&mut self, to: NodeId, msg: M, bytes: u64) {
        self.core.send(self.id, to, msg, bytes);
    }

    /// Sends `msg` to every other node, in id order.
    pub fn broadcast(&mut self, msg: M) {
        for to in 0..self.core.n {
            if to != self.id {
                self.core.send(self.id, to, msg.clone(), DEFAULT_MESSAGE_BYTES);
            }
        }
    }

    /// Fires [`Node::on_timer`](super::Node::on_timer) with this `tag` after `after` (stretched
    /// by the node's slowness factor). The timer is lost if the node crashes first.
    pub fn set_timer(&mut self, after: Duration, tag: u64) -> TimerId {
        let core = &mut *self.core;
        let id = core.next_timer;
        core.next_timer += 1;
        let state = &core.states[self.id];
        let after = if state.slow == 1.0 { after } else { Duration((after.0 as f64 * state.slow) as u64) };
        let ev = Ev::Timer { node: self.id as u32, epoch: state.epoch, id, tag };
        core.queue.push(core.now + after, ev);
        TimerId(id)
    }

    /// Cancels a timer; cancelling one that already fired (or never existed) does nothing.
    pub fn cancel_timer(&mut self, id: TimerId) {
        if id.0 < self.core.next_timer {
            self.core.cancelled.insert(id.0);
        }
    }

    /// This node's own random stream (independent of every other node's and of the network's).
    pub fn rng(&mut self) -> &mut SimRng {
        &mut self.core.node_rngs[self.id]
    }

    /// A node other than this one, uniformly at random from this node's stream (this node itself
    /// if it is the only one).
    pub fn random_peer(&mut self) -> NodeId {
        use rand::Rng;
        let (me, n) = (self.id, self.core.n);
        if n == 1 {
            return me;
        }
        let k = self.core.node_rngs[me].random_range(0..n - 1);
        if k >= me {
            k + 1
        } else {
            k
        }
    }

    /// Writes a line into the trace, attributed to this node.
    pub fn log(&mut self, text: impl Into<String>) {
        let stamp = self.core.tick(self.id);
        self.core.record(EventKind::Log { node: self.id, text: text.into() }, Some(stamp));
    }

    /// The run's metrics, for the node's own counters and histograms.
    pub fn metrics(&mut self) -> &mut Metrics {
        self.core.fold_latencies();
        &mut self.core.metrics
    }
}
