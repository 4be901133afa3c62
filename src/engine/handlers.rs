//! The bridge between the non-generic run loop (`run.rs`) and a simulation's nodes: the
//! [`Handlers`] trait object, and the `run_*` methods of [`Simulation`] that lend it to the loop.
//!
//! This and `typed.rs` are what a notebook cell compiles for its node type: a few short methods
//! that take a message or timer out of its slab, build a [`Context`] and call the node's handler.

use super::context::Context;
use super::core::Core;
use super::invariant::Invariant;
use super::messages::Payload;
use super::sim::{RunSummary, Simulation};
use super::typed::Typed;
use super::{Node, NodeId};
use crate::error::{Error, Result};
use crate::time::{Duration, Time};

/// What the run loop asks of the nodes. The loop has done the bookkeeping (trace, metrics, which
/// handler runs) before each call.
pub(crate) trait Handlers {
    fn start(&mut self, core: &mut Core, node: NodeId);
    /// Delivers the message `payload` stands for, from `from`, to `to`.
    fn message(&mut self, core: &mut Core, to: NodeId, from: NodeId, payload: Payload);
    /// Fires the timer in slab slot `slot` if it is still pending and `node` has not crashed since
    /// it was set (in epoch `epoch`).
    fn timer(&mut self, core: &mut Core, node: NodeId, epoch: u32, slot: u32);
    fn crash(&mut self, node: NodeId);
    fn recover(&mut self, core: &mut Core, node: NodeId);
    /// The debug text of the message `payload` stands for.
    fn message_label(&self, payload: &Payload) -> String;
    /// Drops a message that will never be delivered.
    fn discard_message(&mut self, payload: Payload);
    /// Frees the slot of a timer that will never fire.
    fn discard_timer(&mut self, slot: u32);
    fn has_invariants(&self) -> bool;
    /// Runs every invariant; the first that fails becomes the error.
    fn check_invariants(&mut self, core: &Core) -> Result<()>;
}

/// A simulation's nodes and typed values, lent to the run loop for one `run_*` call.
struct Parts<'a, N: Node> {
    nodes: &'a mut [N],
    typed: &'a mut Typed<N::Msg, N::Timer>,
    invariants: &'a mut [Invariant<N>],
}

impl<N: Node> Handlers for Parts<'_, N> {
    fn start(&mut self, core: &mut Core, node: NodeId) {
        self.nodes[node].on_start(&mut Context { id: node, core, typed: self.typed });
    }

    fn message(&mut self, core: &mut Core, to: NodeId, from: NodeId, payload: Payload) {
        let msg = self.typed.messages.take(payload);
        self.nodes[to].on_message(&mut Context { id: to, core, typed: self.typed }, from, msg);
    }

    fn timer(&mut self, core: &mut Core, node: NodeId, epoch: u32, slot: u32) {
        // Taking the value frees the slot whatever happens next; `None` means it was cancelled.
        let Some((id, value)) = self.typed.timers.take(slot) else { return };
        if !core.timer_may_fire(node, epoch) {
            return;
        }
        // The label (debug text) costs an allocation, so only full traces pay for it.
        let label = core.full.then(|| format!("{value:?}"));
        core.timer_fires(node, id, label);
        self.nodes[node].on_timer(&mut Context { id: node, core, typed: self.typed }, value);
    }

    fn crash(&mut self, node: NodeId) {
        self.nodes[node].on_crash();
    }

    fn recover(&mut self, core: &mut Core, node: NodeId) {
        self.nodes[node].on_recover(&mut Context { id: node, core, typed: self.typed });
    }

    fn message_label(&self, payload: &Payload) -> String {
        format!("{:?}", self.typed.messages.get(payload))
    }

    fn discard_message(&mut self, payload: Payload) {
        self.typed.messages.take(payload);
    }

    fn discard_timer(&mut self, slot: u32) {
        self.typed.timers.take(slot);
    }

    fn has_invariants(&self) -> bool {
        !self.invariants.is_empty()
    }

    #[cold]
    fn check_invariants(&mut self, core: &Core) -> Result<()> {
        for inv in self.invariants.iter_mut() {
            if let Err(detail) = (inv.check)(self.nodes, core.now) {
                return Err(Error::InvariantViolated {
                    name: inv.name.clone(),
                    time: core.now,
                    // The last event recorded: the one whose handler broke the rule.
                    trace_position: core.trace.event_count.saturating_sub(1),
                    detail,
                });
            }
        }
        Ok(())
    }
}

impl<N: Node> Simulation<N> {
    /// Runs every event due at or before `t`, then sets the clock to `t` (if later than now).
    pub fn run_until(&mut self, t: Time) -> Result<RunSummary> {
        let summary = self.run_loop(t, u64::MAX)?;
        if t > self.core.now && t != Time::MAX {
            self.core.now = t;
        }
        Ok(RunSummary { now: self.core.now, ..summary })
    }

    /// Runs for `d` of virtual time from now.
    pub fn run_for(&mut self, d: Duration) -> Result<RunSummary> {
        self.run_until(self.core.now + d)
    }

    /// Runs until no event is left. A model with periodic timers never gets quiet: use
    /// [`Simulation::run_until`] for those (or interrupt the cell).
    pub fn run_until_quiet(&mut self) -> Result<RunSummary> {
        self.run_loop(Time::MAX, u64::MAX)
    }

    /// Runs at most `n` events.
    pub fn run_events(&mut self, n: u64) -> Result<RunSummary> {
        self.run_loop(Time::MAX, n)
    }

    fn run_loop(&mut self, limit: Time, max_events: u64) -> Result<RunSummary> {
        let mut parts = Parts { nodes: &mut self.nodes, typed: &mut self.typed, invariants: &mut self.invariants };
        self.core.run_loop(&mut parts, limit, max_events)
    }
}
