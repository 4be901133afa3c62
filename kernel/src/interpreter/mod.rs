//! The interpreter layer: the seam between the protocol core and the thing that runs code.
//!
//! The protocol core (`crate::protocol`) never sees evcxr, and this layer never sees a socket.
//! That split lets the handler table be tested with a fake interpreter and an in-memory transport,
//! and lets the evcxr-backed interpreter be tested without ZeroMQ.

pub mod analyzer_library;
pub mod analyzer_warmup;
pub mod cell_builds;
pub mod completeness;
pub mod cursor;
pub mod doc_summaries;
pub mod errors;
pub mod evcxr;
pub mod incremental;
pub mod interrupt;
pub mod memory;
pub mod pump;
pub mod recovery;
pub mod session;
pub mod template_copy;
pub mod warmup;

pub use self::evcxr::{EvcxrInterpreter, StartOptions};

use serde_json::{Map, Value};

/// A MIME bundle: `{"text/plain": "...", "image/svg+xml": "..."}`.
pub type MimeBundle = Map<String, Value>;

/// Which output stream a chunk of text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamName {
    Stdout,
    Stderr,
}

/// Where an interpreter sends output while a cell runs. Implementations forward to IOPub in order;
/// methods take `&self` and the trait is `Send + Sync` so reader threads can stream as lines arrive.
pub trait OutputSink: Send + Sync {
    /// Text written to stdout or stderr.
    fn stream(&self, name: StreamName, text: &str);
    /// A rich output: `display_data`, or `update_display_data` when `update` is true.
    /// `display_id` goes into the message's `transient`.
    fn display(&self, data: MimeBundle, metadata: MimeBundle, display_id: Option<String>, update: bool);
    /// Clears the cell's output (`wait` defers the clear until the next output arrives).
    fn clear_output(&self, wait: bool);
    /// Asks the front end for a line of input. `None` when the request did not allow stdin
    /// (`allow_stdin: false`) or the front end did not answer.
    fn input(&self, prompt: &str, password: bool) -> Option<String>;
}

/// How a cell ended.
#[derive(Clone, Debug, PartialEq)]
pub enum ExecOutcome {
    /// The cell ran. `result` is the bundle of the cell's final expression, if it had one.
    Ok { result: Option<MimeBundle> },
    /// The cell failed: a compile error (`CompileError`), a panic (`Panic`), an interrupt
    /// (`Interrupted`), or lost state (`KernelRestarted`...). The traceback lines may hold ANSI colour.
    Error { ename: String, evalue: String, traceback: Vec<String> },
}

/// The answer to `is_complete_request`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Completeness {
    Complete,
    /// More input is needed; the front end should indent the next line with `indent`.
    Incomplete {
        indent: String,
    },
    Invalid,
    Unknown,
}

/// Completions for `complete_request`. Positions are in Unicode code points, as the protocol says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Completions {
    pub matches: Vec<String>,
    pub cursor_start: usize,
    pub cursor_end: usize,
}

/// A handle that can stop the running cell from another thread (the control thread).
pub trait Interrupter: Send + Sync {
    /// Asks the running cell to stop. Must return promptly; the cell's `execute` then returns
    /// an `Interrupted` error (or `KernelRestarted` when state had to be thrown away).
    fn interrupt(&self);

    /// Marks the start of a widget callback: user code running in the evaluation process outside
    /// any cell (`HOW_IT_WORKS.md` §6). Until [`end_callback`](Interrupter::end_callback), an
    /// interrupt stops the callback as it would stop a cell. By default interrupts do not reach
    /// callbacks.
    fn begin_callback(&self) {}

    /// Marks the end of the callback begun last, and says whether an interrupt stopped it.
    fn end_callback(&self) -> CallbackEnd {
        CallbackEnd::default()
    }
}

/// How a widget callback ended, as far as interrupts go.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CallbackEnd {
    /// The error to show in the widget's Output when an interrupt stopped the callback
    /// (`Interrupted`, saying whether the variables were kept).
    pub interrupted: Option<ExecOutcome>,
    /// The evaluation process was killed to stop it: the interpreter must be told
    /// ([`Interpreter::process_lost`]).
    pub process_lost: bool,
}

/// A language back end.
pub trait Interpreter: Send {
    /// Runs `code`, streaming output to `sink`, and returns how it ended. Returns only after every
    /// output of the cell has been handed to `sink`, so the protocol core can then publish idle.
    fn execute(&mut self, code: &str, sink: &dyn OutputSink) -> ExecOutcome;
    /// Completions at `cursor_pos` (code points).
    fn complete(&mut self, code: &str, cursor_pos: usize) -> Completions;
    /// Documentation for the name at `cursor_pos`, if any.
    fn inspect(&mut self, code: &str, cursor_pos: usize, detail_level: u8) -> Option<MimeBundle>;
    /// Whether `code` is a complete cell.
    fn is_complete(&self, code: &str) -> Completeness;
    /// A handle for interrupting from the control thread.
    fn interrupter(&self) -> std::sync::Arc<dyn Interrupter>;
    /// The evaluation process was killed outside a cell (a widget callback that ignored an
    /// interrupt): get ready for the next cell (a new process, the library loaded again).
    fn process_lost(&mut self) {}
    /// Throws away all state and starts afresh (shutdown with `restart: true`).
    fn restart(&mut self) -> Result<(), String>;
    /// The language version for `language_info.version` (the rustc version).
    fn language_version(&self) -> String;
}
