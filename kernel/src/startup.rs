//! Starting the interpreter without keeping Jupyter waiting.
//!
//! evcxr's start can take seconds, and minutes when the shared distsim cache must be rebuilt
//! (say, after distsim changed). Front ends give a new kernel about a minute to answer
//! `kernel_info`, so the kernel answers at once and the interpreter starts on a background
//! thread. [`LazyInterpreter`] forwards every call to it, waiting for the start where a call needs
//! it (the first cell waits; an interrupt ends the wait). If the start fails, every cell reports
//! the reason as a `KernelStartError` instead of the kernel dying in a restart loop.

use crate::interpreter::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Starter = Box<dyn Fn() -> Result<Box<dyn Interpreter>, String> + Send + Sync>;

enum State {
    Starting(Receiver<Result<Box<dyn Interpreter>, String>>),
    Ready(Box<dyn Interpreter>),
    Failed(String),
}

/// Forwards interrupts to the real interpreter once it exists; before that, ends the wait.
#[derive(Default)]
struct Forwarder {
    inner: Mutex<Option<Arc<dyn Interrupter>>>,
    waiting_interrupted: AtomicBool,
}

impl Interrupter for Forwarder {
    fn interrupt(&self) {
        self.waiting_interrupted.store(true, Ordering::SeqCst);
        if let Some(inner) = self.inner() {
            inner.interrupt();
        }
    }

    fn begin_callback(&self) {
        if let Some(inner) = self.inner() {
            inner.begin_callback();
        }
    }

    fn end_callback(&self) -> CallbackEnd {
        self.inner().map(|inner| inner.end_callback()).unwrap_or_default()
    }
}

impl Forwarder {
    fn inner(&self) -> Option<Arc<dyn Interrupter>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// An interpreter that is still starting on another thread.
pub struct LazyInterpreter {
    state: State,
    starter: Arc<Starter>,
    forwarder: Arc<Forwarder>,
    language_version: String,
}

impl LazyInterpreter {
    /// Starts `starter` on a background thread right away.
    pub fn spawn(starter: Starter) -> Self {
        let starter = Arc::new(starter);
        let state = State::Starting(start_in_background(starter.clone()));
        let forwarder = Arc::new(Forwarder::default());
        LazyInterpreter { state, starter, forwarder, language_version: session::release(&session::rustc_version()) }
    }

    /// Waits for the start; `Err` holds the error to report for this cell.
    fn ready(&mut self) -> Result<&mut Box<dyn Interpreter>, ExecOutcome> {
        if let State::Starting(rx) = &self.state {
            self.forwarder.waiting_interrupted.store(false, Ordering::SeqCst);
            loop {
                match rx.recv_timeout(Duration::from_millis(100)) {
                    Ok(Ok(interpreter)) => {
                        *self.forwarder.inner.lock().unwrap_or_else(|p| p.into_inner()) =
                            Some(interpreter.interrupter());
                        self.state = State::Ready(interpreter);
                        break;
                    }
                    Ok(Err(reason)) => {
                        crate::log::warn(&format!("the interpreter did not start: {reason}"));
                        self.state = State::Failed(reason);
                        break;
                    }
                    Err(RecvTimeoutError::Disconnected) => {
                        self.state = State::Failed("the start-up thread panicked".to_owned());
                        break;
                    }
                    Err(RecvTimeoutError::Timeout) if self.forwarder.waiting_interrupted.load(Ordering::SeqCst) => {
                        return Err(error("Interrupted", "interrupted while the Rust interpreter was starting"));
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                }
            }
        }
        match &mut self.state {
            State::Ready(interpreter) => Ok(interpreter),
            State::Failed(reason) => Err(error("KernelStartError", reason)),
            State::Starting(_) => unreachable!("the loop above leaves the Starting state"),
        }
    }
}

fn start_in_background(starter: Arc<Starter>) -> Receiver<Result<Box<dyn Interpreter>, String>> {
    let (tx, rx) = channel();
    let spawned = std::thread::Builder::new().name("interpreter-start".into()).spawn(move || {
        let _ = tx.send(starter());
    });
    if let Err(e) = spawned {
        crate::log::warn(&format!("cannot start the interpreter thread: {e}"));
    }
    rx
}

fn error(ename: &str, evalue: &str) -> ExecOutcome {
    ExecOutcome::Error {
        ename: ename.to_owned(),
        evalue: evalue.to_owned(),
        traceback: vec![format!("{ename}: {evalue}")],
    }
}

impl Interpreter for LazyInterpreter {
    fn execute(&mut self, code: &str, sink: &dyn OutputSink) -> ExecOutcome {
        match self.ready() {
            Ok(interpreter) => interpreter.execute(code, sink),
            Err(outcome) => outcome,
        }
    }

    fn complete(&mut self, code: &str, cursor_pos: usize) -> Completions {
        match self.ready() {
            Ok(interpreter) => interpreter.complete(code, cursor_pos),
            Err(_) => Completions { cursor_start: cursor_pos, cursor_end: cursor_pos, ..Default::default() },
        }
    }

    fn inspect(&mut self, code: &str, cursor_pos: usize, detail_level: u8) -> Option<MimeBundle> {
        self.ready().ok()?.inspect(code, cursor_pos, detail_level)
    }

    fn is_complete(&self, code: &str) -> Completeness {
        match &self.state {
            State::Ready(interpreter) => interpreter.is_complete(code),
            _ => Completeness::Unknown,
        }
    }

    fn interrupter(&self) -> Arc<dyn Interrupter> {
        self.forwarder.clone()
    }

    fn process_lost(&mut self) {
        if let State::Ready(interpreter) = &mut self.state {
            interpreter.process_lost();
        }
    }

    fn restart(&mut self) -> Result<(), String> {
        if let State::Failed(_) = self.state {
            // Try again from scratch: the cause (a missing toolchain, a full disk) may be fixed.
            self.state = State::Starting(start_in_background(self.starter.clone()));
        }
        match self.ready() {
            Ok(interpreter) => {
                let result = interpreter.restart();
                let fresh = interpreter.interrupter();
                *self.forwarder.inner.lock().unwrap_or_else(|p| p.into_inner()) = Some(fresh);
                result
            }
            Err(ExecOutcome::Error { evalue, .. }) => Err(evalue),
            Err(ExecOutcome::Ok { .. }) => Ok(()),
        }
    }

    fn language_version(&self) -> String {
        self.language_version.clone()
    }
}
