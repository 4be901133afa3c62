//! The main loop: pop the earliest event, run its handler, repeat.

use super::context::Context;
use super::event::{Envelope, Ev, Status};
use super::handling::{Handler, Handling};
use super::panics::{payload_text, take_held_location, RunGuard};
use super::sim::{RunSummary, Simulation};
use super::watch;
use super::Node;
use crate::error::Result;
use crate::faults::Fault;
use crate::time::{Duration, Time};
use crate::trace::{DropReason, EventKind};
use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

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
        // One `catch_unwind` per call, not per handler: a panic in a handler is raised again with
        // the node, the handler and the virtual time (see `panics`).
        let inside = RunGuard::enter();
        watch::run_begins(|| self.core.trace.node_names.clone());
        let caught = panic::catch_unwind(AssertUnwindSafe(|| self.run_events_until(limit, max_events)));
        drop(inside);
        let result = match caught {
            Ok(result) => result,
            Err(payload) => self.reraise_with_context(&*payload),
        };
        self.core.fold_latencies();
        result
    }

    /// Raises the panic `payload` again, its message followed by where in the run it happened.
    #[cold]
    fn reraise_with_context(&mut self, payload: &(dyn Any + Send)) -> ! {
        self.core.fold_latencies();
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

    fn run_events_until(&mut self, limit: Time, max_events: u64) -> Result<RunSummary> {
        let (delivered0, dropped0) = (self.core.metrics.engine.delivered, self.core.metrics.engine.dropped);
        let mut events = 0;
        // Events in a row at the current instant: a hang once it passes the limit.
        let mut in_a_row = 0;
        while events < max_events {
            let Some((t, ev)) = self.core.queue.pop_due(limit) else { break };
            if t == self.core.now {
                in_a_row += 1;
            } else {
                in_a_row = 1;
                self.core.now = t;
            }
            self.dispatch(ev);
            events += 1;
            if let Some(e) = self.core.error.take() {
                return Err(e);
            }
            // One predictable branch per event when no invariant is registered.
            if !self.invariants.is_empty() {
                self.check_invariants()?;
            }
            if in_a_row > self.limits.max_events_at_one_instant
                || self.core.queue.len() > self.limits.max_pending_events
            {
                return Err(self.hang_error(in_a_row));
            }
            self.checkpoint.tick()?;
        }
        let m = &self.core.metrics.engine;
        Ok(RunSummary {
            events,
            delivered: m.delivered - delivered0,
            dropped: m.dropped - dropped0,
            now: self.core.now,
            pending: self.core.queue.len(),
        })
    }

    #[inline]
    fn dispatch(&mut self, ev: Ev<N::Msg>) {
        if let Some(target) = ev.target() {
            if self.core.states[target].status == Status::Paused {
                self.deferred[target].push(ev);
                return;
            }
        }
        match ev {
            Ev::Deliver(env) => self.deliver(env),
            Ev::Start(node) => {
                let node = node as usize;
                if self.core.states[node].status == Status::Up {
                    self.handling = Handling { node, handler: Handler::Start };
                    watch::handler_begins(self.handling, self.core.now);
                    let mut ctx = Context { id: node, core: &mut self.core };
                    self.nodes[node].on_start(&mut ctx);
                }
            }
            Ev::Inject(env) => {
                let (from, to) = (env.from as usize, env.to as usize);
                let label = if self.core.full { format!("{:?}", env.msg) } else { String::new() };
                self.core.metrics.engine.sent += 1;
                self.core.record(EventKind::Send { from, to, msg: env.id, label }, None);
                self.deliver(env);
            }
            Ev::Timer { node, epoch, slot } => self.fire_timer(node as usize, epoch, slot),
            Ev::Fault(i) => self.apply_fault(self.faults[i as usize].clone()),
            Ev::Resume { node, generation } => self.resume(node as usize, generation),
        }
    }

    #[inline]
    fn deliver(&mut self, env: Envelope<N::Msg>) {
        let (from, to) = (env.from as usize, env.to as usize);
        let core = &mut self.core;
        if core.states[to].status == Status::Down {
            core.drop_msg(from, to, env.id, DropReason::Crashed);
            return;
        }
        core.metrics.engine.delivered += 1;
        core.latencies.record(core.now - env.sent_at);
        let stamp = core.states[to].lamport.max(env.lamport) + 1;
        core.states[to].lamport = stamp;
        core.record_deliver(from, to, env.id, stamp);
        self.handling = Handling { node: to, handler: Handler::Message { from, msg: env.id } };
        watch::handler_begins(self.handling, core.now);
        let mut ctx = Context { id: to, core };
        self.nodes[to].on_message(&mut ctx, from, env.msg);
    }

    #[inline]
    fn fire_timer(&mut self, node: usize, epoch: u32, slot: u32) {
        let core = &mut self.core;
        // Taking the value frees the slot whatever happens next; `None` means it was cancelled.
        let Some((id, value)) = core.timers.take(slot) else { return };
        // A timer set before a crash died with the node's volatile state.
        if core.states[node].status == Status::Down || core.states[node].epoch != epoch {
            return;
        }
        core.metrics.engine.timers += 1;
        let stamp = core.tick(node);
        // The label (debug text) costs an allocation, so only full traces pay for it.
        let label = if core.full { format!("{value:?}") } else { String::new() };
        core.record(EventKind::Timer { node, timer: id, label }, Some(stamp));
        self.handling = Handling { node, handler: Handler::Timer(id) };
        watch::handler_begins(self.handling, core.now);
        let mut ctx = Context { id: node, core };
        self.nodes[node].on_timer(&mut ctx, value);
    }

    fn apply_fault(&mut self, fault: Fault) {
        match fault {
            Fault::Crash(node) => self.crash(node),
            Fault::Recover(node) => {
                if self.core.states[node].status == Status::Down {
                    self.core.states[node].status = Status::Up;
                    let stamp = self.core.tick(node);
                    self.core.record(EventKind::Recover { node }, Some(stamp));
                    self.handling = Handling { node, handler: Handler::Recover };
                    watch::handler_begins(self.handling, self.core.now);
                    let mut ctx = Context { id: node, core: &mut self.core };
                    self.nodes[node].on_recover(&mut ctx);
                }
            }
            Fault::Pause { node, for_ } => {
                let state = &mut self.core.states[node];
                if state.status == Status::Down {
                    return;
                }
                let was_paused = state.status == Status::Paused;
                state.status = Status::Paused;
                state.pause_generation += 1;
                let generation = state.pause_generation;
                if !was_paused {
                    let stamp = self.core.tick(node);
                    self.core.record(EventKind::Pause { node, paused: true }, Some(stamp));
                }
                let at = self.core.now + for_;
                self.core.queue.push(at, Ev::Resume { node: node as u32, generation });
            }
            Fault::Slow { node, factor } => {
                self.core.states[node].slow = factor;
                let stamp = self.core.tick(node);
                self.core.record(EventKind::Slow { node, factor }, Some(stamp));
            }
            Fault::Partition(p) => {
                self.core.net.add_partition(&p, self.core.n);
                self.core.record(EventKind::Partition { description: p.describe(), healed: false }, None);
            }
            Fault::HealPartition(p) => {
                if self.core.net.partitions.heal_one(&p) {
                    self.core.record(EventKind::Partition { description: p.describe(), healed: true }, None);
                }
            }
            Fault::Heal => {
                self.core.net.partitions.heal();
                self.core.record(EventKind::Partition { description: "all".into(), healed: true }, None);
            }
        }
    }

    fn crash(&mut self, node: usize) {
        let state = &mut self.core.states[node];
        if state.status == Status::Down {
            return;
        }
        state.status = Status::Down;
        state.epoch = state.epoch.wrapping_add(1);
        self.core.metrics.engine.crashes += 1;
        let stamp = self.core.tick(node);
        self.core.record(EventKind::Crash { node }, Some(stamp));
        self.handling = Handling { node, handler: Handler::Crash };
        watch::handler_begins(self.handling, self.core.now);
        self.nodes[node].on_crash();
        // Messages held during a pause now meet a crashed node; held timers die with it.
        for ev in std::mem::take(&mut self.deferred[node]) {
            match ev {
                Ev::Deliver(env) | Ev::Inject(env) => {
                    self.core.drop_msg(env.from as usize, node, env.id, DropReason::Crashed)
                }
                Ev::Timer { slot, .. } => {
                    self.core.timers.take(slot);
                }
                Ev::Start(_) | Ev::Fault(_) | Ev::Resume { .. } => {}
            }
        }
    }

    fn resume(&mut self, node: usize, generation: u32) {
        let state = &mut self.core.states[node];
        if state.status != Status::Paused || state.pause_generation != generation {
            return;
        }
        state.status = Status::Up;
        let stamp = self.core.tick(node);
        self.core.record(EventKind::Pause { node, paused: false }, Some(stamp));
        // Everything that came due during the pause runs now, in its original order.
        for ev in std::mem::take(&mut self.deferred[node]) {
            self.core.queue.push(self.core.now, ev);
        }
    }
}
