//! The one error type of distsim.
//!
//! Every mistake a user can make from a notebook cell (a probability of 1.5, a NaN duration, a node
//! that does not exist, an empty sweep) comes back as an [`Error`] whose message names the parameter
//! and the range it must lie in. We use one enum rather than a `Box<dyn Error>` because callers branch
//! on it: the kernel turns [`Error::Interrupted`] into an `Interrupted` cell error, and tests match on
//! [`Error::InvalidParameter`] to check that bad input is refused rather than clamped.

use crate::time::Time;
use std::fmt;

/// The result type of every fallible distsim call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when a user drives distsim.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A parameter was outside its valid range, e.g. a loss probability of 1.5.
    InvalidParameter {
        /// The parameter's name as the user wrote it (`"loss"`, `"latency.mean"`).
        parameter: String,
        /// The offending value, formatted.
        value: String,
        /// The valid range, in words (`"a probability in [0, 1]"`).
        expected: String,
    },
    /// A node index that the simulation does not have.
    UnknownNode {
        /// Where the node was named (`"partition"`, `"send.to"`).
        parameter: String,
        /// The index that was asked for.
        node: usize,
        /// How many nodes exist: valid indices are `0..node_count`.
        node_count: usize,
    },
    /// An operation that needs a running node named a crashed one.
    NodeCrashed {
        /// Where the node was named.
        parameter: String,
        /// The crashed node.
        node: usize,
    },
    /// A sweep, grid or data set with nothing in it.
    Empty {
        /// The empty parameter (`"seeds"`, `"grid"`).
        parameter: String,
    },
    /// The run was stopped because the user interrupted the cell.
    Interrupted,
    /// A rule registered with `Simulation::invariant` failed after an event; the run stopped there.
    InvariantViolated {
        /// The invariant's name, as registered.
        name: String,
        /// The virtual time of the event that broke it.
        time: Time,
        /// The `seq` of that event's last trace entry, for `SpaceTime::highlight`.
        trace_position: u64,
        /// What the check said was wrong.
        detail: String,
    },
    /// Virtual time stopped advancing: more events in a row at one instant than
    /// `RunLimits::max_events_at_one_instant` (e.g. a timer re-armed with 0 ms).
    TimeStuck {
        /// The instant time is stuck at.
        time: Time,
        /// Events in a row at that instant.
        events: u64,
        /// The node whose handler ran last, if any.
        node: Option<usize>,
        /// That handler and the message or timer it handled (debug text, cut).
        handler: String,
        /// The `seq` of the latest trace entry.
        trace_position: u64,
    },
    /// More events waiting than `RunLimits::max_pending_events` (e.g. a message storm).
    QueueOverflow {
        /// The virtual time when the limit was crossed.
        time: Time,
        /// Events waiting in the queue.
        pending: usize,
        /// The node whose handler ran last, if any.
        node: Option<usize>,
        /// That handler and the message or timer it handled (debug text, cut).
        handler: String,
        /// The `seq` of the latest trace entry.
        trace_position: u64,
    },
    /// Writing a file (CSV, SVG) failed.
    Io {
        /// The path that could not be written.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

impl Error {
    /// A parameter outside its valid range.
    pub fn invalid(parameter: impl Into<String>, value: impl fmt::Display, expected: impl Into<String>) -> Self {
        Error::InvalidParameter { parameter: parameter.into(), value: value.to_string(), expected: expected.into() }
    }

    /// An empty sweep, grid or data set.
    pub fn empty(parameter: impl Into<String>) -> Self {
        Error::Empty { parameter: parameter.into() }
    }

    /// A node index out of range.
    pub fn unknown_node(parameter: impl Into<String>, node: usize, node_count: usize) -> Self {
        Error::UnknownNode { parameter: parameter.into(), node, node_count }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidParameter { parameter, value, expected } => {
                write!(f, "invalid `{parameter}` = {value}: expected {expected}")
            }
            Error::UnknownNode { parameter, node, node_count } => write!(
                f,
                "unknown node {node} in `{parameter}`: this simulation has {node_count} nodes, so valid ids are 0..={}",
                node_count.saturating_sub(1)
            ),
            Error::NodeCrashed { parameter, node } => {
                write!(f, "node {node} named in `{parameter}` is crashed: recover it first")
            }
            Error::Empty { parameter } => write!(f, "`{parameter}` is empty: give at least one value"),
            Error::Interrupted => write!(f, "interrupted by the user"),
            Error::InvariantViolated { name, time, trace_position, detail } => {
                write!(f, "invariant `{name}` violated at {time} (trace position {trace_position}): {detail}")
            }
            Error::TimeStuck { time, events, handler, trace_position, .. } => write!(
                f,
                "virtual time is stuck at {time}: {events} events in a row at this instant \
                 (more than `limits.max_events_at_one_instant`); the last was {handler} \
                 (trace position {trace_position}). A timer re-armed with 0 ms, or nodes that answer each \
                 other with no delay, never let time advance"
            ),
            Error::QueueOverflow { time, pending, handler, trace_position, .. } => write!(
                f,
                "the event queue holds {pending} events at {time} (more than `limits.max_pending_events`); \
                 the last handler was {handler} (trace position {trace_position}). A node that answers \
                 each message with more than one floods the run"
            ),
            Error::Io { path, message } => write!(f, "could not write `{path}`: {message}"),
        }
    }
}

impl std::error::Error for Error {}
