//! State shared by the shell and control threads.

use super::content::KernelInfoReply;
use super::history::HistoryStore;
use super::iopub::Publisher;
use super::kernel::RestartMode;
use super::message::KernelIdentity;
use crate::comm::Comms;
use crate::interpreter::{Interpreter, Interrupter};
use crate::transport::signing::Signer;
use crate::transport::RouterSocket;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, MutexGuard};

/// What a run of cells builds up: the interpreter and the counters that restart resets.
pub struct Session {
    pub interpreter: Box<dyn Interpreter>,
    /// The number of the last counted cell; 0 before the first. The next counted cell gets +1.
    pub execution_count: u32,
    pub history: HistoryStore,
}

/// Everything both channel threads need. The shell thread holds `session` while a cell runs, so
/// the control thread must never need that lock to answer kernel_info or interrupt: it uses the
/// cached `kernel_info` and the separately stored `interrupter`.
pub struct Shared {
    pub identity: KernelIdentity,
    pub signer: Signer,
    pub publisher: Publisher,
    pub kernel_info: KernelInfoReply,
    pub session: Mutex<Session>,
    pub interrupter: Mutex<Arc<dyn Interrupter>>,
    /// Set by interrupt so that a cell waiting for input stops waiting.
    pub input_cancel: AtomicBool,
    /// Set when the kernel is shutting down; both channel loops then end.
    pub stop: AtomicBool,
    /// The stdin ROUTER, used by whichever thread asks for input.
    pub stdin: Mutex<Box<dyn RouterSocket>>,
    pub restart_mode: RestartMode,
    /// Comm targets and open comms. Its own lock, apart from the session's: comms outlive cells,
    /// and answering comm_info must not depend on the interpreter.
    pub comms: Mutex<Comms>,
}

/// Locks a mutex even if a thread panicked while holding it: the data here stays consistent
/// (counters and sockets), and a kernel that stops answering is worse than one that goes on.
pub fn lock<T: ?Sized>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Shared {
    pub fn session(&self) -> MutexGuard<'_, Session> {
        lock(&self.session)
    }

    pub fn comms(&self) -> MutexGuard<'_, Comms> {
        lock(&self.comms)
    }

    pub fn interrupter(&self) -> Arc<dyn Interrupter> {
        lock(&self.interrupter).clone()
    }
}
