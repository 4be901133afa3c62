//! Putting the kernel together: three threads around the shared state.
//!
//! ```text
//!  shell socket ──> shell thread ──┐ (holds the session while a cell runs)
//!                                  ├──> Publisher ──> iopub thread ──> IOPub socket
//!  control socket ─> control thread┘ (kernel_info, interrupt, shutdown; never waits on a cell)
//! ```
//! The heartbeat thread belongs to the transport ([`crate::transport::zmq_sockets`]).

use super::content::ExecutionState;
use super::history::HistoryStore;
use super::iopub;
use super::message::KernelIdentity;
use super::requests::kernel_info_reply;
use super::shared::{Session, Shared};
use super::{control, shell};
use crate::comm::{CommTarget, Comms};
use crate::interpreter::Interpreter;
use crate::transport::signing::Signer;
use crate::transport::{PubSocket, RouterSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// What `shutdown_request` with `restart: true` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestartMode {
    /// Reply and exit; the front end starts a new process (what jupyter_client does).
    NewProcess,
    /// Restart the interpreter inside this process and keep serving.
    InPlace,
}

/// The four sockets the protocol core uses (heartbeat is the transport's own business).
pub struct KernelSockets {
    pub shell: Box<dyn RouterSocket>,
    pub control: Box<dyn RouterSocket>,
    pub stdin: Box<dyn RouterSocket>,
    pub iopub: Box<dyn PubSocket>,
}

pub struct KernelConfig {
    pub signer: Signer,
    pub restart_mode: RestartMode,
}

/// A running kernel.
pub struct KernelHandle {
    shared: Arc<Shared>,
    shell: JoinHandle<()>,
    control: JoinHandle<()>,
    iopub: JoinHandle<()>,
}

/// Starts the kernel's threads, publishes `starting`, and returns at once.
pub fn spawn(sockets: KernelSockets, interpreter: Box<dyn Interpreter>, config: KernelConfig) -> KernelHandle {
    spawn_with_comm_targets(sockets, interpreter, config, crate::comm::builtin_targets())
}

/// [`spawn`] with a chosen set of comm targets instead of the built-in ones (tests).
pub fn spawn_with_comm_targets(
    sockets: KernelSockets,
    interpreter: Box<dyn Interpreter>,
    config: KernelConfig,
    comm_targets: Vec<Box<dyn CommTarget>>,
) -> KernelHandle {
    let identity = KernelIdentity::new();
    let (publisher, iopub) = iopub::spawn(sockets.iopub, config.signer.clone(), identity.clone());
    publisher.status(None, ExecutionState::Starting);
    let shared = Arc::new(Shared {
        identity,
        signer: config.signer,
        publisher,
        kernel_info: kernel_info_reply(interpreter.language_version()),
        interrupter: Mutex::new(interpreter.interrupter()),
        session: Mutex::new(Session { interpreter, execution_count: 0, history: HistoryStore::new() }),
        input_cancel: AtomicBool::new(false),
        stop: AtomicBool::new(false),
        stdin: Mutex::new(sockets.stdin),
        restart_mode: config.restart_mode,
        comms: Mutex::new(Comms::new(comm_targets)),
    });
    let shell = run_channel("shell", shared.clone(), sockets.shell, shell::serve);
    let control = run_channel("control", shared.clone(), sockets.control, control::serve);
    KernelHandle { shared, shell, control, iopub }
}

fn run_channel(
    name: &str,
    shared: Arc<Shared>,
    mut socket: Box<dyn RouterSocket>,
    serve: fn(&Shared, &mut dyn RouterSocket),
) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            serve(&shared, socket.as_mut());
            // Whichever channel ends first (shutdown or a closed socket) ends the other too.
            shared.stop.store(true, Ordering::SeqCst);
        })
        .unwrap_or_else(|e| panic!("cannot start the {name} thread: {e}"))
}

impl KernelHandle {
    /// Whether shutdown has been requested (or a channel closed).
    pub fn is_stopping(&self) -> bool {
        self.shared.stop.load(Ordering::SeqCst)
    }

    /// Waits until the kernel has shut down and every queued IOPub message has been sent.
    /// Dropping the shared state here also drops the interpreter (ending its child process).
    pub fn wait(self) {
        let KernelHandle { shared, shell, control, iopub } = self;
        let _ = control.join();
        let _ = shell.join();
        drop(shared);
        let _ = iopub.join();
    }
}
