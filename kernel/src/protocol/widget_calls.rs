//! Delivering widget changes to the user's closures, on the shell thread.
//!
//! A front end's `update` to a widget with a live value is queued by the widget target
//! ([`crate::widgets::live`]). The shell loop delivers the queue when it has nothing else to read,
//! and before it runs a cell, so:
//! - a closure never runs while a cell runs (both are on this thread), and changes that arrive
//!   meanwhile wait in the shell socket;
//! - changes that arrive while a closure runs are read (each merged into the pending call)
//!   before the next call goes out: the closure then sees only the latest value;
//! - a cell sent after a change sees the changed value (`slider.value()`).
//!
//! A call is bracketed for the interrupter (`begin_callback`/`end_callback`), so an interrupt
//! stops a callback as it stops a cell; if that took killing the evaluation process, the
//! interpreter is told before the next cell.

use super::shared::Shared;
use crate::widgets::live::{deliver, outputs_after, PendingCall};
use crate::widgets::Widgets;

fn with_widgets<R>(
    shared: &Shared,
    parent: Option<&super::Message>,
    f: impl FnOnce(&mut Widgets, &mut crate::comm::Outbox) -> R,
) -> Option<R> {
    shared.comms().with_target(&shared.publisher, parent, f)
}

/// Whether a widget change waits to be delivered.
pub fn pending(shared: &Shared) -> bool {
    with_widgets(shared, None, |widgets, _| widgets.has_pending_call()).unwrap_or(false)
}

/// Delivers one waiting change and publishes the widget's new Output (parented to the comm_msg
/// that brought the change). The comms lock is not held while the closure runs.
pub fn deliver_one(shared: &Shared) {
    let call: Option<PendingCall> = with_widgets(shared, None, |widgets, _| widgets.take_pending_call()).flatten();
    let Some(call) = call else { return };
    let interrupter = shared.interrupter();
    interrupter.begin_callback();
    let delivered = deliver(&call);
    let end = interrupter.end_callback();
    if end.process_lost {
        shared.session().interpreter.process_lost();
    }
    let outputs = outputs_after(delivered, end.interrupted);
    with_widgets(shared, Some(&call.parent), |widgets, out| widgets.set_outputs(out, &call.output, outputs));
}

/// Delivers every waiting change (before a cell runs).
pub fn deliver_all(shared: &Shared) {
    while pending(shared) {
        deliver_one(shared);
    }
}
