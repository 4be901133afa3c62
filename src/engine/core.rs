//! The simulation state that does not depend on the node's types: the clock, the event queue, the
//! network, the trace, the metrics, the faults and the run's limits. The nodes and the values of
//! their messages and timers live outside it (in [`Typed`](super::typed::Typed)), so that a handler
//! can borrow its node, the core and the typed values at the same time.
//!
//! **Why the split.** A notebook cell that defines a node type is compiled as a small crate of its
//! own, at opt-level 0, against a distsim compiled once at opt-level 3. Whatever of distsim is
//! generic over the node type is compiled again inside every such cell, and stable rustc cannot
//! share those copies. So everything here is non-generic: the run loop, the routing of a message,
//! the bookkeeping of a delivery or a fault are compiled once inside distsim, and a cell compiles
//! only its handlers and the thin typed shells around them (`typed.rs`, `run.rs`). Calls from those
//! shells into this file are therefore never `#[inline]`: an inlined function is compiled again
//! in every crate that calls it.

use super::event::{Envelope, Ev, NodeState};
use super::handling::{Handler, Handling};
use super::limits::RunLimits;
use super::messages::Payload;
use super::queue::EventQueue;
use super::watch;
use super::NodeId;
use crate::cancel::Checkpoint;
use crate::clock::ClockState;
use crate::error::Error;
use crate::faults::Fault;
use crate::metrics::{LatencyTally, Metrics};
use crate::network::runtime::{NetRuntime, Route};
use crate::network::Network;
use crate::rng::{stream, SimRng, Stream};
use crate::time::{Duration, Time};
use crate::trace::{DropReason, EventKind, Trace, TraceMode};
use std::cell::{Cell, RefCell};
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};

pub(crate) struct Core {
    pub(crate) now: Time,
    pub(crate) n: usize,
    pub(crate) queue: EventQueue<Ev>,
    pub(crate) states: Vec<NodeState>,
    pub(crate) net: NetRuntime,
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
    /// The first error a handler caused (e.g. a send to an unknown node); ends the run. A `Cell`
    /// so that methods taking `&Context` can report one too.
    pub(crate) error: Cell<Option<Error>>,
    pub(crate) faults: Vec<Fault>,
    /// Events for paused nodes, held in arrival order until they resume.
    pub(crate) deferred: Vec<Vec<Ev>>,
    pub(crate) checkpoint: Checkpoint,
    /// The handler running now (or last), for errors and panics that must name it.
    pub(crate) handling: Handling,
    /// When a run counts as hung (see [`Simulation::with_limits`](super::Simulation::with_limits)).
    pub(crate) limits: RunLimits,
}

/// Owns a [`Core`] and drops it inside distsim.
///
/// A value's drop code is generated where the value is dropped. Without this wrapper a cell that
/// drops a `Simulation` of its node type would compile the drop code of every map, list and
/// histogram in the core (a fifth of a protocol cell's code was the network's `BTreeMap`s being
/// freed); with it, the cell calls the one `drop` below, compiled here.
pub(crate) struct Engine(ManuallyDrop<Core>);

impl Engine {
    pub(crate) fn new(core: Core) -> Self {
        Engine(ManuallyDrop::new(core))
    }
}

impl Drop for Engine {
    // Never inlined: inlining would put the drop code back into the caller's crate.
    #[inline(never)]
    fn drop(&mut self) {
        // SAFETY: the core is dropped exactly once, here, and `self.0` is not used afterwards.
        unsafe { ManuallyDrop::drop(&mut self.0) }
    }
}

impl Deref for Engine {
    type Target = Core;
    fn deref(&self) -> &Core {
        &self.0
    }
}

impl DerefMut for Engine {
    fn deref_mut(&mut self) -> &mut Core {
        &mut self.0
    }
}

impl Core {
    /// The core of a new run of `n` nodes seeded with `seed`: a reliable 1 ms network, perfect
    /// clocks, a full trace, and every node's start due at time zero, in id order.
    pub(crate) fn new(seed: u64, n: usize) -> Core {
        let mut queue = EventQueue::new();
        for i in 0..n {
            queue.push(Time::ZERO, Ev::Start(i as u32));
        }
        Core {
            now: Time::ZERO,
            n,
            queue,
            states: vec![NodeState::new(); n],
            net: NetRuntime::new(Network::new(), seed, n),
            node_rngs: (0..n).map(|i| RefCell::new(stream(seed, Stream::Node(i)))).collect(),
            trace: Trace::new((0..n).map(|i| format!("n{i}")).collect()),
            full: true,
            metrics: Metrics::new(),
            latencies: Default::default(),
            clocks: ClockState::perfect(seed, n),
            next_msg: 0,
            error: Cell::new(None),
            faults: Vec::new(),
            deferred: (0..n).map(|_| Vec::new()).collect(),
            checkpoint: Checkpoint::every(4096),
            handling: Handling::NONE,
            limits: RunLimits::default(),
        }
    }

    pub(crate) fn set_trace_mode(&mut self, mode: TraceMode) {
        self.full = mode == TraceMode::Full;
    }

    /// Appends to the trace: the digest always, the event itself only in full mode.
    #[inline]
    pub(crate) fn record(&mut self, kind: EventKind, lamport: Option<u64>) {
        self.trace.record(self.now, kind, lamport, self.full);
    }

    /// Advances node `node`'s Lamport clock for a local event and returns the stamp.
    #[inline]
    pub(crate) fn tick(&mut self, node: usize) -> u64 {
        self.states[node].lamport += 1;
        self.states[node].lamport
    }

    /// Notes that `handler` of `node` begins, for errors, panics and the stuck-run watch.
    #[inline]
    pub(crate) fn begin(&mut self, node: NodeId, handler: Handler) {
        self.handling = Handling { node, handler };
        watch::handler_begins(self.handling, self.now);
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

    pub(crate) fn drop_msg(&mut self, from: usize, to: usize, msg: u64, reason: DropReason) {
        self.metrics.engine.dropped += 1;
        self.record(EventKind::Drop { from, to, msg, reason }, None);
    }

    /// The first half of a send from `from`'s handler to `to` (a known node): the message's number,
    /// the sender's Lamport tick and the trace entry (`label` is its debug text, in full traces
    /// only). Returns the number and the stamp.
    pub(crate) fn send_begins(&mut self, from: usize, to: usize, label: Option<String>) -> (u64, u64) {
        let id = self.next_msg;
        self.next_msg += 1;
        let stamp = self.tick(from);
        self.metrics.engine.sent += 1;
        match label {
            Some(label) if self.full => self.record(EventKind::Send { from, to, msg: id, label }, Some(stamp)),
            _ => self.trace.fold_send(self.now, from, to, id),
        }
        (id, stamp)
    }

    /// The second half: the network drops message `id` or schedules its delivery (and perhaps a
    /// duplicate's, whose payload `copy` makes). `from` is the real sender, `from_claimed` the one
    /// the receiver will see. Returns whether the message was kept: if not, its payload is the
    /// caller's to take back.
    pub(crate) fn send_routes(
        &mut self,
        (from, from_claimed, to): (usize, usize, usize),
        id: u64,
        stamp: u64,
        payload: Payload,
        bytes: u64,
        copy: &mut dyn FnMut() -> Payload,
    ) -> bool {
        let stretch = self.states[from].slow;
        match self.net.route(self.now, from, to, bytes, stretch) {
            Route::Drop(reason) => {
                self.drop_msg(from, to, id, reason);
                false
            }
            Route::Deliver { at, copy_at } => {
                let sent_at = self.now;
                let (from, to) = (from_claimed as u32, to as u32);
                if let Some(copy_time) = copy_at {
                    let copy_id = self.next_msg;
                    self.next_msg += 1;
                    self.metrics.engine.duplicated += 1;
                    let kind = EventKind::Duplicate { from: from as usize, to: to as usize, msg: id, copy: copy_id };
                    self.record(kind, None);
                    let env = Envelope { from, to, id: copy_id, sent_at, lamport: stamp, payload: copy() };
                    self.queue.push(copy_time, Ev::Deliver(env));
                }
                let env = Envelope { from, to, id, sent_at, lamport: stamp, payload };
                self.queue.push(at, Ev::Deliver(env));
                true
            }
        }
    }

    /// Schedules the timer in slab slot `slot` for `node`, `after` from now (stretched by the
    /// node's slowness factor).
    pub(crate) fn schedule_timer(&mut self, node: NodeId, after: Duration, slot: u32) {
        let state = &self.states[node];
        let after =
            if state.slow == 1.0 { after } else { Duration::from_nanos((after.as_nanos() as f64 * state.slow) as u64) };
        let ev = Ev::Timer { node: node as u32, epoch: state.epoch, slot };
        self.queue.push(self.now + after, ev);
    }

    /// Writes `text` into the trace as a line of `node`'s.
    pub(crate) fn log(&mut self, node: NodeId, text: String) {
        let stamp = self.tick(node);
        self.record(EventKind::Log { node, text }, Some(stamp));
    }

    /// Refuses a node id outside `0..n` with an error naming `parameter`.
    pub(crate) fn check_node(&self, parameter: &str, node: NodeId) -> crate::error::Result<()> {
        if node < self.n {
            Ok(())
        } else {
            Err(Error::unknown_node(parameter, node, self.n))
        }
    }
}
