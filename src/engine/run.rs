//! The main loop: pop the earliest event, run its handler, repeat.
//!
//! The loop and the bookkeeping around each handler are methods of the non-generic [`Core`]; they
//! reach the nodes through the [`Handlers`] trait object (`handlers.rs`), one call per handler. So
//! they are compiled once, inside distsim (see `core.rs` for why that matters to notebook cells).

use super::core::Core;
use super::event::{Envelope, Ev, Status};
use super::handlers::Handlers;
use super::handling::Handler;
use super::panics::{payload_text, take_held_location, RunGuard};
use super::sim::RunSummary;
use super::watch;
use crate::error::Result;
use crate::faults::Fault;
use crate::time::Time;
use crate::trace::{DropReason, EventKind};
use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

impl Core {
    /// Runs events due at or before `limit`, at most `max_events` of them.
    pub(crate) fn run_loop(&mut self, handlers: &mut dyn Handlers, limit: Time, max_events: u64) -> Result<RunSummary> {
        // One `catch_unwind` per call, not per handler: a panic in a handler is raised again with
        // the node, the handler and the virtual time (see `panics`).
        let inside = RunGuard::enter();
        watch::run_begins(|| self.trace.node_names.clone());
        let caught = panic::catch_unwind(AssertUnwindSafe(|| self.run_events_until(handlers, limit, max_events)));
        drop(inside);
        let result = match caught {
            Ok(result) => result,
            Err(payload) => self.reraise_with_context(&*payload),
        };
        self.fold_latencies();
        result
    }

    /// Raises the panic `payload` again, its message followed by where in the run it happened.
    #[cold]
    fn reraise_with_context(&mut self, payload: &(dyn Any + Send)) -> ! {
        self.fold_latencies();
        let (time, position) = self.position();
        let mut message = format!(
            "{}\n  in {}\n  at {time}, trace position {position}",
            payload_text(payload),
            self.describe_handling()
        );
        if let Some(location) = take_held_location() {
            message.push_str(&format!("\n  panicked at {location}"));
        }
        panic::panic_any(message)
    }

    fn run_events_until(&mut self, handlers: &mut dyn Handlers, limit: Time, max_events: u64) -> Result<RunSummary> {
        let (delivered0, dropped0) = (self.metrics.engine.delivered, self.metrics.engine.dropped);
        // Nothing can register an invariant while the loop runs.
        let check_invariants = handlers.has_invariants();
        let mut events = 0;
        // Events in a row at the current instant: a hang once it passes the limit.
        let mut in_a_row = 0;
        while events < max_events {
            let Some((t, ev)) = self.queue.pop_due(limit) else { break };
            if t == self.now {
                in_a_row += 1;
            } else {
                in_a_row = 1;
                self.now = t;
            }
            self.dispatch(handlers, ev);
            events += 1;
            if let Some(e) = self.error.take() {
                return Err(e);
            }
            // One predictable branch per event when no invariant is registered.
            if check_invariants {
                handlers.check_invariants(self)?;
            }
            if in_a_row > self.limits.max_events_at_one_instant || self.queue.len() > self.limits.max_pending_events {
                return Err(self.hang_error(in_a_row));
            }
            self.checkpoint.tick()?;
        }
        let m = &self.metrics.engine;
        Ok(RunSummary {
            events,
            delivered: m.delivered - delivered0,
            dropped: m.dropped - dropped0,
            now: self.now,
            pending: self.queue.len(),
        })
    }

    #[inline]
    fn dispatch(&mut self, handlers: &mut dyn Handlers, ev: Ev) {
        if let Some(target) = ev.target() {
            if self.states[target].status == Status::Paused {
                self.deferred[target].push(ev);
                return;
            }
        }
        match ev {
            Ev::Deliver(env) => self.deliver(handlers, env),
            Ev::Start(node) => {
                let node = node as usize;
                if self.states[node].status == Status::Up {
                    self.begin(node, Handler::Start);
                    handlers.start(self, node);
                }
            }
            Ev::Inject(env) => {
                let (from, to) = (env.from as usize, env.to as usize);
                let label = if self.full { handlers.message_label(&env.payload) } else { String::new() };
                self.metrics.engine.sent += 1;
                self.record(EventKind::Send { from, to, msg: env.id, label }, None);
                self.deliver(handlers, env);
            }
            Ev::Timer { node, epoch, slot } => handlers.timer(self, node as usize, epoch, slot),
            Ev::Fault(i) => self.apply_fault(handlers, self.faults[i as usize].clone()),
            Ev::Resume { node, generation } => self.resume(node as usize, generation),
        }
    }

    #[inline]
    fn deliver(&mut self, handlers: &mut dyn Handlers, env: Envelope) {
        let (from, to) = (env.from as usize, env.to as usize);
        if self.states[to].status == Status::Down {
            self.drop_msg(from, to, env.id, DropReason::Crashed);
            handlers.discard_message(env.payload);
            return;
        }
        self.metrics.engine.delivered += 1;
        self.latencies.record(self.now - env.sent_at);
        let stamp = self.states[to].lamport.max(env.lamport) + 1;
        self.states[to].lamport = stamp;
        if self.full {
            self.record(EventKind::Deliver { from, to, msg: env.id }, Some(stamp));
        } else {
            self.trace.fold_deliver(self.now, from, to, env.id);
        }
        self.begin(to, Handler::Message { from, msg: env.id });
        handlers.message(self, to, from, env.payload);
    }

    /// Whether a timer of `node` set in epoch `epoch` may fire: not if the node crashed since (a
    /// timer dies with the node's volatile state).
    pub(crate) fn timer_may_fire(&self, node: usize, epoch: u32) -> bool {
        self.states[node].status != Status::Down && self.states[node].epoch == epoch
    }

    /// The bookkeeping of timer `id` of `node` firing (`label`, its debug text, in full traces).
    pub(crate) fn timer_fires(&mut self, node: usize, id: u64, label: Option<String>) {
        self.metrics.engine.timers += 1;
        let stamp = self.tick(node);
        self.record(EventKind::Timer { node, timer: id, label: label.unwrap_or_default() }, Some(stamp));
        self.begin(node, Handler::Timer(id));
    }

    fn apply_fault(&mut self, handlers: &mut dyn Handlers, fault: Fault) {
        match fault {
            Fault::Crash(node) => self.crash(handlers, node),
            Fault::Recover(node) => {
                if self.states[node].status == Status::Down {
                    self.states[node].status = Status::Up;
                    let stamp = self.tick(node);
                    self.record(EventKind::Recover { node }, Some(stamp));
                    self.begin(node, Handler::Recover);
                    handlers.recover(self, node);
                }
            }
            Fault::Pause { node, for_ } => {
                let state = &mut self.states[node];
                if state.status == Status::Down {
                    return;
                }
                let was_paused = state.status == Status::Paused;
                state.status = Status::Paused;
                state.pause_generation += 1;
                let generation = state.pause_generation;
                if !was_paused {
                    let stamp = self.tick(node);
                    self.record(EventKind::Pause { node, paused: true }, Some(stamp));
                }
                let at = self.now + for_;
                self.queue.push(at, Ev::Resume { node: node as u32, generation });
            }
            Fault::Slow { node, factor } => {
                self.states[node].slow = factor;
                let stamp = self.tick(node);
                self.record(EventKind::Slow { node, factor }, Some(stamp));
            }
            Fault::Partition(p) => {
                self.net.add_partition(&p, self.n);
                self.record(EventKind::Partition { description: p.describe(), healed: false }, None);
            }
            Fault::HealPartition(p) => {
                if self.net.partitions.heal_one(&p) {
                    self.record(EventKind::Partition { description: p.describe(), healed: true }, None);
                }
            }
            Fault::Heal => {
                self.net.partitions.heal();
                self.record(EventKind::Partition { description: "all".into(), healed: true }, None);
            }
        }
    }

    fn crash(&mut self, handlers: &mut dyn Handlers, node: usize) {
        let state = &mut self.states[node];
        if state.status == Status::Down {
            return;
        }
        state.status = Status::Down;
        state.epoch = state.epoch.wrapping_add(1);
        self.metrics.engine.crashes += 1;
        let stamp = self.tick(node);
        self.record(EventKind::Crash { node }, Some(stamp));
        self.begin(node, Handler::Crash);
        handlers.crash(node);
        // Messages held during a pause now meet a crashed node; held timers die with it.
        for ev in std::mem::take(&mut self.deferred[node]) {
            match ev {
                Ev::Deliver(env) | Ev::Inject(env) => {
                    self.drop_msg(env.from as usize, node, env.id, DropReason::Crashed);
                    handlers.discard_message(env.payload);
                }
                Ev::Timer { slot, .. } => handlers.discard_timer(slot),
                Ev::Start(_) | Ev::Fault(_) | Ev::Resume { .. } => {}
            }
        }
    }

    fn resume(&mut self, node: usize, generation: u32) {
        let state = &mut self.states[node];
        if state.status != Status::Paused || state.pause_generation != generation {
            return;
        }
        state.status = Status::Up;
        let stamp = self.tick(node);
        self.record(EventKind::Pause { node, paused: false }, Some(stamp));
        // Everything that came due during the pause runs now, in its original order.
        for ev in std::mem::take(&mut self.deferred[node]) {
            self.queue.push(self.now, ev);
        }
    }
}
