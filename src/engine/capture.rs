//! Running one handler of a node outside a simulation, with its effects captured.
//!
//! The model checker ([`crate::check`]) runs the very `Node` code the simulator runs, but it decides
//! itself which message or timer comes next. So it needs a handler's effects (the messages sent,
//! the timers set and cancelled, the lines logged) as values, not as entries in the event queue.
//! A [`Harness`] owns a [`Core`] and a [`Typed`] whose `capture` buffer is switched on: [`Context`]'s
//! send, timer and log methods test that one field and, when it is set, push into the buffer and
//! return.
//!
//! Why a field rather than a second `Context` type or a trait object: the `Node`
//! trait names `Context<Msg, Timer>` in its handler signatures, so a second context type would
//! mean a second way to write a node, and a `dyn` sink would put an indirect call on the
//! simulator's hot path. The field costs the simulator one never-taken branch per effect.

use super::context::Context;
use super::core::{Core, Engine};
use super::queue::EventQueue;
use super::typed::Typed;
use super::{NodeId, TimerId};
use crate::error::Result;
use crate::rng::{stream, Stream};
use crate::time::Time;
use crate::trace::Trace;
use std::cell::Cell;

/// The slot a captured timer's [`TimerId`] carries: no slab holds it, so the simulator's
/// `cancel_timer` ignores such an id.
pub(crate) const CAPTURED_SLOT: u32 = u32::MAX;

/// The effects of one handler call, in the order the handler had them.
pub(crate) struct Captured<M, T> {
    /// Messages sent: (receiver, message).
    pub(crate) sends: Vec<(NodeId, M)>,
    /// Timers set, with the id the handler got back.
    pub(crate) set: Vec<(TimerId, T)>,
    /// Timers cancelled (by the id the node kept).
    pub(crate) cancelled: Vec<TimerId>,
    /// Lines logged.
    pub(crate) logs: Vec<String>,
    /// A timer's identity under the checker: a hash of its value. The id a node gets back is
    /// `TimerId { seq: key, .. }`, so a node that keeps `Option<TimerId>` in its state holds the
    /// same value whichever path led there (a run-wide counter would make no two states equal).
    pub(crate) timer_key: fn(&T) -> u64,
    /// The node whose random stream the last handler call touched (drew from, or got `&mut`
    /// to), if any: the harness restores that stream before the next call.
    pub(crate) touched_rng: Cell<Option<NodeId>>,
}

impl<M, T> Captured<M, T> {
    pub(crate) fn set_timer(&mut self, value: T) -> TimerId {
        let id = TimerId { seq: (self.timer_key)(&value), slot: CAPTURED_SLOT };
        self.set.push((id, value));
        id
    }

    /// Empties the buffers (keeping their capacity) before the next handler call.
    pub(crate) fn clear(&mut self) {
        self.sends.clear();
        self.set.clear();
        self.cancelled.clear();
        self.logs.clear();
    }

    /// Whether the handler had no effect at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.sends.is_empty() && self.set.is_empty() && self.cancelled.is_empty() && self.logs.is_empty()
    }
}

/// A simulation core in capture mode, for running single handlers of `n` nodes.
pub(crate) struct Harness<M, T> {
    core: Engine,
    typed: Typed<M, T>,
    /// Each node's random stream as it starts, copied back before every call (cheaper than
    /// seeding a new one: the checker runs hundreds of millions of handlers).
    fresh_rngs: Vec<crate::rng::SimRng>,
}

impl<M: Clone + std::fmt::Debug, T> Harness<M, T> {
    /// A harness for `n` nodes; `timer_key` names a timer by its value (see [`Captured::timer_key`]).
    pub(crate) fn new(n: usize, timer_key: fn(&T) -> u64) -> Self {
        let captured = Captured {
            sends: Vec::new(),
            set: Vec::new(),
            cancelled: Vec::new(),
            logs: Vec::new(),
            timer_key,
            touched_rng: Cell::new(None),
        };
        let mut core = Core::new(0, n);
        // No event is ever scheduled: the checker decides what happens next.
        core.queue = EventQueue::new();
        core.trace = Trace::new(Vec::new());
        core.full = false;
        let typed = Typed { capture: Some(Box::new(captured)), ..Typed::new() };
        let fresh_rngs = (0..n).map(|i| stream(0, Stream::Node(i))).collect();
        Harness { core: Engine::new(core), typed, fresh_rngs }
    }

    /// Runs `handler` as node `node` and returns its effects (valid until the next call).
    ///
    /// The node's random stream is reset to the same seed before every call, so that a handler
    /// that draws (a randomised timeout) does the same thing whichever thread runs it and
    /// whatever ran before: the checker explores orders of events, not random draws.
    pub(crate) fn run(&mut self, node: NodeId, handler: impl FnOnce(&mut Context<M, T>)) -> Result<&Captured<M, T>> {
        let captured = self.typed.capture.as_deref_mut().expect("a harness always captures");
        captured.clear();
        // Most handlers draw nothing, so the stream (300 bytes) is copied back only after a call
        // that touched it: copying it before every call took 3% of a model check's time, and
        // comparing it with the fresh one (ChaCha's `==`) 8%.
        if let Some(touched) = captured.touched_rng.take() {
            self.core.node_rngs[touched].get_mut().clone_from(&self.fresh_rngs[touched]);
        }
        handler(&mut Context { id: node, core: &mut self.core, typed: &mut self.typed });
        if let Some(e) = self.core.error.take() {
            return Err(e);
        }
        Ok(self.typed.capture.as_deref().expect("a harness always captures"))
    }
}

/// An ordinary [`Simulation`](super::Simulation) standing where an execution replayed outside the
/// simulator ended: these nodes, this trace, this time, the nodes in `down` crashed, and nothing
/// scheduled. The model checker's replays become simulations this way, so that a counterexample
/// is inspected and drawn with the same tools as any run.
pub(crate) fn simulation_at<N: super::Node>(
    nodes: Vec<N>,
    trace: Trace,
    now: Time,
    down: &[NodeId],
    next_msg: u64,
) -> Result<super::Simulation<N>> {
    let mut sim = super::Simulation::new(0, nodes)?.with_node_names(trace.node_names.clone())?;
    sim.core.queue = EventQueue::new();
    sim.core.trace = trace;
    sim.core.now = now;
    sim.core.next_msg = next_msg;
    for &node in down {
        sim.core.states[node].status = super::event::Status::Down;
    }
    Ok(sim)
}
