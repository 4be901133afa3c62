//! Invariants checked as a run goes: a rule over all nodes ("at most one leader per term") that
//! the engine tests after every event, stopping the run at the first event that breaks it.
//!
//! Checking during the run rather than scanning a history afterwards means a node need not keep a
//! log of its past states only for the check, and the run stops at the very event that broke the
//! rule, with its virtual time and trace position ([`Error::InvariantViolated`]), so that
//! [`Simulation::violation_diagram`] can mark it on the space-time diagram.

use super::sim::Simulation;
use super::Node;
use crate::error::Error;
use crate::time::Time;
use crate::trace::spacetime::SpaceTime;

/// What an invariant's closure may return: `bool` (true = holds) or `Result<(), String>` (the
/// `Err` text says what is wrong, e.g. "n1 and n3 both lead term 4").
pub trait InvariantOutcome {
    /// `Ok` if the invariant holds, otherwise a description of the violation.
    fn into_result(self) -> Result<(), String>;
}

impl InvariantOutcome for bool {
    fn into_result(self) -> Result<(), String> {
        if self {
            Ok(())
        } else {
            Err("the check returned false".into())
        }
    }
}

impl InvariantOutcome for Result<(), String> {
    fn into_result(self) -> Result<(), String> {
        self
    }
}

/// A named check over every node and the current virtual time.
pub(crate) struct Invariant<N> {
    pub(crate) name: String,
    pub(crate) check: Box<dyn FnMut(&[N], Time) -> Result<(), String>>,
}

impl<N: Node> Simulation<N> {
    /// Registers an invariant: after every event (every handler call, fault and recovery) the
    /// engine calls `check(nodes, now)`, and the first event after which it fails ends the run with
    /// [`Error::InvariantViolated`] naming `name`, the virtual time and the trace position. The
    /// simulation stays as it was at that moment, to be inspected. A run with no invariant pays
    /// nothing for this.
    ///
    /// ```
    /// use distsim::prelude::*;
    ///
    /// /// Every node bumps a counter on each message and forwards it; the rule is "below 3".
    /// struct Counter(u32);
    /// impl Node for Counter {
    ///     type Msg = ();
    ///     type Timer = ();
    ///     fn on_start(&mut self, ctx: &mut Context<()>) {
    ///         if ctx.id() == 0 { ctx.send(1, ()); }
    ///     }
    ///     fn on_message(&mut self, ctx: &mut Context<()>, from: NodeId, _: ()) {
    ///         self.0 += 1;
    ///         ctx.send(from, ());
    ///     }
    /// }
    ///
    /// let mut sim = Simulation::new(7, vec![Counter(0), Counter(0)])?;
    /// sim.invariant("counters stay below 3", |nodes: &[Counter], _now| nodes.iter().all(|n| n.0 < 3));
    /// let err = sim.run_until_quiet().unwrap_err();
    /// assert!(matches!(&err, Error::InvariantViolated { name, .. } if name == "counters stay below 3"));
    /// assert_eq!(sim.now(), Time::ZERO + millis(5)); // the 5th delivery gave n0 its 3rd message
    /// let diagram = sim.violation_diagram(&err).expect("an invariant violation");
    /// assert!(diagram.to_text().contains("counters stay below 3"));
    /// # Ok::<(), distsim::Error>(())
    /// ```
    pub fn invariant<R: InvariantOutcome>(
        &mut self,
        name: impl Into<String>,
        mut check: impl FnMut(&[N], Time) -> R + 'static,
    ) {
        let check = Box::new(move |nodes: &[N], now: Time| check(nodes, now).into_result());
        self.invariants.push(Invariant { name: name.into(), check });
    }

    /// Removes every registered invariant.
    pub fn clear_invariants(&mut self) {
        self.invariants.clear();
    }

    /// The space-time diagram of this run with the event that broke an invariant highlighted and
    /// labelled with the invariant's name and what was wrong; `None` if `error` is not an
    /// [`Error::InvariantViolated`].
    pub fn violation_diagram(&self, error: &Error) -> Option<SpaceTime> {
        match error {
            Error::InvariantViolated { name, trace_position, detail, .. } => Some(
                SpaceTime::new(&self.core.trace)
                    .highlight(*trace_position, format!("invariant `{name}` broken: {detail}")),
            ),
            _ => None,
        }
    }
}
