//! Coming back after the evaluation process was lost, whatever state it left behind.
//!
//! When a cell kills the evaluation process (a kill after an interrupt, a segfault, `exit`, a
//! library evcxr could not load), evcxr starts a new one with no variables and no distsim; after
//! `:clear` distsim is gone too. [`Recovery`] loads distsim again:
//!
//! 1. on a background thread that holds the session, so the failed cell's reply goes out at once
//!    and the next cell simply waits for the lock;
//! 2. after removing the cell crate's build files ([`cell_builds::forget`]): a crash may have come
//!    from a stale build (issue 18 item 4), and a stale build would fail the reload the same way;
//! 3. if loading distsim into the restarted process still fails, by throwing the whole evcxr
//!    context away and opening a new one in the same directory (a new process, a new evcxr state);
//! 4. if even that fails, the next cell reports why and tries again, so a passing problem (a full
//!    disk, a killed compiler) never leaves the kernel failing every cell.

use super::analyzer_warmup::Scheduler;
use super::cell_builds;
use super::interrupt::EvcxrInterrupter;
use super::memory;
use super::session::{self, Session};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// What reopening a session needs, shared with the background reload.
pub struct Recovery {
    pub session: Arc<Mutex<Option<Session>>>,
    pub crate_dir: PathBuf,
    pub cancel_file: PathBuf,
    pub distsim: PathBuf,
    pub runtime_exe: PathBuf,
    /// The template's Cargo.lock: a new session resolves offline from it.
    pub template_lock: Option<String>,
    pub interrupter: EvcxrInterrupter,
    pub warmup: Arc<Scheduler>,
    pub trimmer: Arc<memory::Trimmer>,
    /// Set when the last reload failed; the next cell reports it and tries again.
    pub failure: Mutex<Option<String>>,
}

impl Recovery {
    /// Loads distsim again on a background thread that holds the session; returns once it does,
    /// so that no later call can take the session first and run a cell without distsim.
    pub fn reload_in_background(self: &Arc<Self>) {
        let this = Arc::clone(self);
        let (locked_tx, locked_rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut guard = this.session.lock().unwrap_or_else(|e| e.into_inner());
            let _ = locked_tx.send(());
            let outcome = this.reload(&mut guard);
            *this.failure.lock().unwrap_or_else(|e| e.into_inner()) = outcome.err();
            drop(guard);
            this.trimmer.cell_done();
        });
        let _ = locked_rx.recv();
    }

    /// Before a cell: if the last reload failed, tries once more now. `Err` is the reason the
    /// cell cannot run (distsim could not be loaded); the next cell tries again.
    pub fn ensure_loaded(&self) -> Result<(), String> {
        // Taking the session lock first waits for a reload still running.
        let mut guard = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let Some(earlier) = self.failure.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return Ok(());
        };
        match self.reopen(&mut guard) {
            Ok(()) => Ok(()),
            Err(again) => {
                *self.failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(again.clone());
                Err(format!("{earlier}\nTried again before this cell: {again}"))
            }
        }
    }

    /// Loads distsim into the current session; failing that, into a new one.
    fn reload(&self, session: &mut Option<Session>) -> Result<(), String> {
        let _ = cell_builds::forget(&self.crate_dir);
        if let Some(current) = session.as_mut() {
            if session::run_preamble(current, &self.distsim, None, false, &self.crate_dir).is_ok() {
                return Ok(());
            }
        }
        self.reopen(session)
    }

    /// Throws the evcxr context away and opens a new one with distsim loaded, from clean builds.
    pub fn reopen(&self, session: &mut Option<Session>) -> Result<(), String> {
        if let Some(old) = session.take() {
            old.kill();
        }
        let _ = cell_builds::forget(&self.crate_dir);
        let mut fresh = session::open(&self.crate_dir, &self.runtime_exe, &self.cancel_file)?;
        session::run_preamble(&mut fresh, &self.distsim, self.template_lock.as_deref(), true, &self.crate_dir)?;
        self.interrupter.set_process(fresh.ctx.process_handle());
        *session = Some(fresh);
        self.warmup.session_replaced();
        Ok(())
    }
}
