//! A panic in a node's handler, re-raised with where it happened.
//!
//! A bare `index out of bounds` leaves a student searching the trace by hand. The run loop is
//! wrapped (once per `run_*` call, not once per handler, so the hot path pays nothing) in
//! `catch_unwind`; a caught panic is raised again with its message followed by the node, the
//! handler, the message or timer (debug text, cut), the virtual time, the trace position and the
//! source line of the original panic.
//!
//! The kernel shows the *first* panic message its hook sees, so the original panic must not reach
//! that hook: the engine installs, once per process, a hook that stays silent for panics on a
//! thread inside a run loop (noting their location) and passes every other panic, including the
//! re-raised one, to the hook that was there before.

use std::cell::{Cell, RefCell};
use std::panic::{self, PanicHookInfo};
use std::sync::Once;

thread_local! {
    /// How many run loops this thread is inside (a handler may run a simulation of its own).
    static RUN_DEPTH: Cell<u32> = const { Cell::new(0) };
    /// `file:line:column` of the panic being held back, for the re-raised message.
    static HELD_LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

static INSTALL: Once = Once::new();

fn install_hook() {
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info: &PanicHookInfo<'_>| {
            if RUN_DEPTH.with(Cell::get) > 0 {
                let location = info.location().map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                HELD_LOCATION.with(|held| *held.borrow_mut() = location);
            } else {
                previous(info);
            }
        }));
    });
}

/// Marks this thread as inside a run loop for as long as it lives (also when a panic unwinds
/// through it).
pub(crate) struct RunGuard(());

impl RunGuard {
    pub(crate) fn enter() -> RunGuard {
        install_hook();
        RUN_DEPTH.with(|d| d.set(d.get() + 1));
        RunGuard(())
    }
}

impl Drop for RunGuard {
    fn drop(&mut self) {
        RUN_DEPTH.with(|d| d.set(d.get() - 1));
        if RUN_DEPTH.with(Cell::get) == 0 {
            super::watch::run_ends();
        }
    }
}

/// The panic's own message: the payload of `panic!("...")` is a `&str` or a `String`.
pub(crate) fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic with a non-text payload".to_string()
    }
}

/// The location noted by the hook for the panic just caught, if any.
pub(crate) fn take_held_location() -> Option<String> {
    HELD_LOCATION.with(|held| held.borrow_mut().take())
}
