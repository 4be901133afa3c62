//! The simulation state that node handlers may touch through their `Context`: the clock, the event
//! queue, the network, the trace and the metrics. The nodes themselves live outside it, so that a
//! handler can borrow its node and the core at the same time.

use super::capture::Captured;
use super::event::{Envelope, Ev, NodeState};
use super::queue::EventQueue;
use super::timers::TimerSlab;
use crate::clock::ClockState;
use crate::error::Error;
use crate::metrics::{LatencyTally, Metrics};
use crate::network::runtime::{NetRuntime, Route};
use crate::network::{Packet, Verdict};
use crate::rng::SimRng;
use crate::time::Time;
use crate::trace::{DropReason, EventKind, Trace, TraceMode};
use std::cell::{Cell, RefCell};

/// A tamper rule: sees every message at send time and may rewrite, replace or drop it.
pub type TamperRule<M> = Box<dyn FnMut(&mut Packet<M>) -> Verdict<M>>;

pub(crate) struct Core<M, T> {
    pub(crate) now: Time,
    pub(crate) n: usize,
    pub(crate) queue: EventQueue<Ev<M>>,
    pub(crate) states: Vec<NodeState>,
    pub(crate) net: NetRuntime,
    pub(crate) tamper: Option<TamperRule<M>>,
    /// Each node's stream, in a `RefCell` so that `Context::random_duration` can draw through a
    /// shared borrow and be used as an argument of another `Context` method.
    pub(crate) node_rngs: Vec<RefCell<SimRng>>,
    pub(crate) trace: Trace,
    pub(crate) full: bool,
    pub(crate) metrics: Metrics,
    /// Delivery latencies not yet in `metrics.delivery_latency` (see [`Core::fold_latencies`]).
    pub(crate) latencies: LatencyTally,
    pub(crate) clocks: ClockState,
    pub(crate) next_msg: u64,
    /// The values of pending timers; a timer's queue entry holds its slot.
    pub(crate) timers: TimerSlab<T>,
    /// The first error a handler caused (e.g. a send to an unknown node); ends the run. A `Cell`
    /// so that methods taking `&Context` can report one too.
    pub(crate) error: Cell<Option<Error>>,
    /// `Some` only under the model checker: handlers' effects go into this buffer instead of the
    /// queue (see `capture.rs`). Boxed so that the simulator's core grows by one pointer, and
    /// tested with one predictable branch on each send, timer and log.
    pub(crate) capture: Option<Box<Captured<M, T>>>,
}

impl<M: Clone + std::fmt::Debug, T> Core<M, T> {
    pub(crate) fn set_trace_mode(&mut self, mode: TraceMode) {
        self.full = mode == TraceMode::Full;
    }

    /// Appends to the trace: the digest always, the event itself only in full mode.
    #[inline]
    pub(crate) fn record(&mut self, kind: EventKind, lamport: Option<u64>) {
        self.trace.record(self.now, kind, lamport, self.full);
    }

    /// Records the send of message `id` from `from` to `to` (Lamport stamp `stamp`).
    #[inline(always)]
    pub(crate) fn record_send(&mut self, from: usize, to: usize, id: u64, stamp: u64, msg: &M) {
        if self.full {
            // The label (debug text) costs an allocation, so only full traces pay for it.
            let label = format!("{msg:?}");
            self.record(EventKind::Send { from, to, msg: id, label }, Some(stamp));
        } else {
            self.trace.fold_send(self.now, from, to, id);
        }
    }

    /// Records the delivery of message `id` from `from` to `to` (Lamport stamp `stamp`).
    #[inline(always)]
    pub(crate) fn record_deliver(&mut self, from: usize, to: usize, id: u64, stamp: u64) {
        if self.full {
            self.record(EventKind::Deliver { from, to, msg: id }, Some(stamp));
        } else {
            self.trace.fold_deliver(self.now, from, to, id);
        }
    }

    /// Advances node `node`'s Lamport clock for a local event and returns the stamp.
    #[inline]
    pub(crate) fn tick(&mut self, node: usize) -> u64 {
        self.states[node].lamport += 1;
        self.states[node].lamport
    }

    /// Moves the delivery latencies counted so far into the metrics. Every path by which anyone
    /// reads the metrics passes here first: the end of each run call and `Context::metrics`.
    pub(crate) fn fold_latencies(&mut self) {
        self.latencies.fold_into(&mut self.metrics.delivery_latency);
    }

    /// Keeps `e` unless an earlier error is already waiting to end the run.
    pub(crate) fn fail(&self, e: Error) {
        let first = self.error.take().unwrap_or(e);
        self.error.set(Some(first));
    }

    /// The whole path of a message from `from`'s handler into the event queue.
    #[inline]
    pub(crate) fn send(&mut self, from: usize, to: usize, msg: M, bytes: u64) {
        if to >= self.n {
            self.fail(Error::unknown_node("send.to", to, self.n));
            return;
        }
        if let Some(captured) = self.capture.as_mut() {
            captured.sends.push((to, msg));
            return;
        }
        let id = self.next_msg;
        self.next_msg += 1;
        let stamp = self.tick(from);
        self.metrics.engine.sent += 1;
        self.record_send(from, to, id, stamp, &msg);

        // A hostile party may rewrite the packet: forge the sender, redirect it, change or drop it.
        let (mut from_claimed, mut msg, addressed_to) = (from, msg, to);
        let mut to = to;
        if let Some(rule) = self.tamper.as_mut() {
            let mut packet = Packet { from, to, msg, id };
            let verdict = rule(&mut packet);
            (from_claimed, to, msg) = (packet.from, packet.to, packet.msg);
            match verdict {
                Verdict::Pass => {}
                Verdict::Replace(m) => msg = m,
                Verdict::Drop => {
                    self.drop_msg(from, addressed_to, id, DropReason::Rejected);
                    return;
                }
            }
            for (parameter, node) in [("tamper.packet.to", to), ("tamper.packet.from", from_claimed)] {
                if node >= self.n {
                    self.fail(Error::unknown_node(parameter, node, self.n));
                    return;
                }
            }
        }

        let stretch = self.states[from].slow;
        match self.net.route(self.now, from, to, bytes, stretch) {
            Route::Drop(reason) => self.drop_msg(from, to, id, reason),
            Route::Deliver { at, copy_at } => {
                let sent_at = self.now;
                if let Some(copy_time) = copy_at {
                    let copy = self.next_msg;
                    self.next_msg += 1;
                    self.metrics.engine.duplicated += 1;
                    self.record(EventKind::Duplicate { from: from_claimed, to, msg: id, copy }, None);
                    let env = Envelope {
                        from: from_claimed as u32,
                        to: to as u32,
                        id: copy,
                        sent_at,
                        lamport: stamp,
                        msg: msg.clone(),
                    };
                    self.queue.push(copy_time, Ev::Deliver(env));
                }
                let env = Envelope { from: from_claimed as u32, to: to as u32, id, sent_at, lamport: stamp, msg };
                self.queue.push(at, Ev::Deliver(env));
            }
        }
    }

    pub(crate) fn drop_msg(&mut self, from: usize, to: usize, msg: u64, reason: DropReason) {
        self.metrics.engine.dropped += 1;
        self.record(EventKind::Drop { from, to, msg, reason }, None);
    }
}
