//! Limits that turn a hang into a named error instead of a frozen or exhausted session.
//!
//! Two kinds of runaway model are common in student code, and both can be told apart from a
//! healthy run by counting, without reading any clock:
//! - **time that stops**: a timer re-armed with 0 ms, or two nodes answering each other at once
//!   with zero latency, run forever at one virtual instant; the engine counts the events in a row
//!   at the same instant ([`RunLimits::max_events_at_one_instant`]);
//! - **a queue that grows without bound**: every message answered with two (a message storm)
//!   keeps time moving but fills memory; the engine bounds the events waiting in the queue
//!   ([`RunLimits::max_pending_events`]).
//!
//! Either stops the run with an error ([`Error::TimeStuck`], [`Error::QueueOverflow`]) that names
//! the node and the handler, message or timer it was running when the limit was crossed. The
//! simulation is left as it was, so the notebook session and its variables survive.

use super::core::Core;
use super::sim::Simulation;
use super::Node;
use crate::error::{Error, Result};

/// Default of [`RunLimits::max_events_at_one_instant`]: far more events than any model in the
/// course runs at one instant (an all-to-all exchange of 1,000 nodes with a constant latency is
/// one million), reached in about a second.
pub const DEFAULT_MAX_EVENTS_AT_ONE_INSTANT: u64 = 1_000_000;

/// Default of [`RunLimits::max_pending_events`]: five times the one million messages in flight of
/// the engine's memory benchmark, a few hundred MB of queue for small messages.
pub const DEFAULT_MAX_PENDING_EVENTS: usize = 5_000_000;

/// How far a run may go before the engine calls it a hang. See [`Simulation::with_limits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunLimits {
    /// The most events in a row at one virtual instant (within one `run_*` call); one more ends
    /// the run with [`Error::TimeStuck`]. At least 1.
    pub max_events_at_one_instant: u64,
    /// The most events waiting in the queue after a handler; more ends the run with
    /// [`Error::QueueOverflow`]. At least 1.
    pub max_pending_events: usize,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            max_events_at_one_instant: DEFAULT_MAX_EVENTS_AT_ONE_INSTANT,
            max_pending_events: DEFAULT_MAX_PENDING_EVENTS,
        }
    }
}

impl RunLimits {
    /// Refuses a limit of zero, which would stop every run at its first event.
    pub fn validate(&self) -> Result<()> {
        if self.max_events_at_one_instant == 0 {
            return Err(Error::invalid("limits.max_events_at_one_instant", 0, "at least 1"));
        }
        if self.max_pending_events == 0 {
            return Err(Error::invalid("limits.max_pending_events", 0, "at least 1"));
        }
        Ok(())
    }
}

impl<N: Node> Simulation<N> {
    /// Replaces the hang limits ([`RunLimits::default`] unless set); refuses a zero limit.
    ///
    /// ```
    /// use distsim::prelude::*;
    /// use distsim::engine::RunLimits;
    ///
    /// /// A timer re-armed with 0 ms: virtual time never moves on.
    /// struct Spinner;
    /// impl Node for Spinner {
    ///     type Msg = ();
    ///     type Timer = &'static str;
    ///     fn on_start(&mut self, ctx: &mut Context<(), &'static str>) { ctx.set_timer(Duration::ZERO, "spin"); }
    ///     fn on_timer(&mut self, ctx: &mut Context<(), &'static str>, t: &'static str) { ctx.set_timer(Duration::ZERO, t); }
    /// }
    ///
    /// let limits = RunLimits { max_events_at_one_instant: 1_000, ..RunLimits::default() };
    /// let mut sim = Simulation::new(1, vec![Spinner])?.with_limits(limits)?;
    /// let err = sim.run_until_quiet().unwrap_err();
    /// assert!(matches!(err, Error::TimeStuck { node: Some(0), .. }));
    /// assert!(err.to_string().contains(r#"n0's on_timer, timer 999: "spin""#), "{err}");
    /// # Ok::<(), distsim::Error>(())
    /// ```
    pub fn with_limits(mut self, limits: RunLimits) -> Result<Self> {
        self.set_limits(limits)?;
        Ok(self)
    }

    /// As [`Simulation::with_limits`], on a simulation already in use.
    pub fn set_limits(&mut self, limits: RunLimits) -> Result<()> {
        limits.validate()?;
        self.core.limits = limits;
        Ok(())
    }

    /// The hang limits in force.
    pub fn limits(&self) -> RunLimits {
        self.core.limits
    }
}

impl Core {
    /// The error for a crossed limit: `in_a_row` events at the current instant, or too many
    /// pending. Called only once a limit is crossed.
    #[cold]
    pub(crate) fn hang_error(&self, in_a_row: u64) -> Error {
        let (time, trace_position) = self.position();
        let node = self.handling_node();
        let handler = self.describe_handling();
        if in_a_row > self.limits.max_events_at_one_instant {
            Error::TimeStuck { time, events: in_a_row, node, handler, trace_position }
        } else {
            Error::QueueOverflow { time, pending: self.queue.len(), node, handler, trace_position }
        }
    }
}
