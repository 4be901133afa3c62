//! Which handler is running: the record the engine keeps so that a panic or a hang can name the
//! node, the handler and the message or timer it was handling.
//!
//! The record is a few plain stores per event (no formatting): the message's or timer's debug
//! text is looked up in the trace only when something went wrong, so it is available in full
//! traces (the default) and replaced by its number in digest-only ones.

use super::core::Core;
use super::NodeId;
use crate::time::Time;
use crate::trace::{EventKind, Trace};

/// The longest debug text of a message or timer quoted in an error; longer ones are cut.
pub const MAX_QUOTED_CHARS: usize = 200;

/// The handler a node was running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Handler {
    /// No handler has run yet in this simulation.
    None,
    Start,
    Message {
        from: NodeId,
        msg: u64,
    },
    /// The timer's number in the run, as the trace shows it.
    Timer(u64),
    Crash,
    Recover,
}

/// The handler currently (or last) running, with where the run was when it began.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Handling {
    pub(crate) node: NodeId,
    pub(crate) handler: Handler,
}

impl Handling {
    pub(crate) const NONE: Handling = Handling { node: 0, handler: Handler::None };
}

/// `text` cut to [`MAX_QUOTED_CHARS`] characters, with `…` when cut.
pub(crate) fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// The debug text of message `msg` as its send recorded it (for a duplicate, its original's).
fn message_label(trace: &Trace, msg: u64) -> Option<&str> {
    let mut wanted = msg;
    for event in trace.events.iter().rev() {
        match &event.kind {
            EventKind::Send { msg, label, .. } if *msg == wanted => return Some(label),
            EventKind::Duplicate { msg, copy, .. } if *copy == wanted => wanted = *msg,
            _ => {}
        }
    }
    None
}

/// The debug text of timer `timer` of `node` as its firing recorded it.
fn timer_label(trace: &Trace, node: NodeId, timer: u64) -> Option<&str> {
    trace.events.iter().rev().find_map(|e| match &e.kind {
        EventKind::Timer { node: n, timer: t, label } if *n == node && *t == timer => Some(label.as_str()),
        _ => None,
    })
}

impl Core {
    /// Says which handler is running, e.g. `n2's on_timer, timer 7 Election`, quoting the
    /// message's or timer's debug text from the trace (cut to [`MAX_QUOTED_CHARS`]).
    pub(crate) fn describe_handling(&self) -> String {
        let Handling { node, handler } = self.handling;
        let trace = &self.trace;
        let name = trace.node_name(node);
        let quote = |label: Option<&str>| match label {
            Some(text) => format!(" {}", truncate(text)),
            None => " (its debug text is kept only in a full trace)".to_string(),
        };
        match handler {
            Handler::None => "no handler (the engine itself)".to_string(),
            Handler::Start => format!("{name}'s on_start"),
            Handler::Crash => format!("{name}'s on_crash"),
            Handler::Recover => format!("{name}'s on_recover"),
            Handler::Message { from, msg } => format!(
                "{name}'s on_message, message #{msg} from {}:{}",
                trace.node_name(from),
                quote(message_label(trace, msg))
            ),
            Handler::Timer(timer) => {
                format!("{name}'s on_timer, timer {timer}:{}", quote(timer_label(trace, node, timer)))
            }
        }
    }

    /// The node whose handler is running (or ran last), if any has.
    pub(crate) fn handling_node(&self) -> Option<NodeId> {
        (self.handling.handler != Handler::None).then_some(self.handling.node)
    }

    /// Where the run is: the virtual time and the position of the latest trace entry.
    pub(crate) fn position(&self) -> (Time, u64) {
        (self.now, self.trace.event_count.saturating_sub(1))
    }
}
