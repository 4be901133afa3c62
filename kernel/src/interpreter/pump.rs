//! Streaming a running cell's output to the notebook as it is produced.
//!
//! evcxr hands the evaluation process's stdout and stderr lines to two channels. While a cell
//! runs, one thread per channel moves lines to the [`OutputSink`]: stdout through the display
//! parser (so `display()` and progress bars appear in order with printed text), stderr verbatim.
//! Lines that arrive together are sent as one stream message, so a loop printing thousands of lines
//! does not flood the front end with thousands of messages.
//!
//! Ending the cell: evcxr returns only after its stdout channel is empty, so stdout is complete once
//! the pump has drained the channel. stderr is a separate pipe read by another thread, so after the
//! cell ends the stderr pump waits for a short quiet period before it stops.

use crate::display::{forward, DisplayEvent, LineParser};
use crate::interpreter::{OutputSink, StreamName};
use distsim::render::ErrorLine;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// How often a pump waiting for output looks whether the cell has ended. It bounds the time from
/// the end of a cell to its reply, so it is short; a waiting pump costs microseconds per look.
const POLL: Duration = Duration::from_millis(4);
/// How long stderr must stay silent after the cell ends before we stop listening.
const STDERR_QUIET: Duration = Duration::from_millis(8);

/// Set by the interpreter when `execute` has returned from evcxr.
pub type Done = AtomicBool;

/// How a cell failed, as its stdout told: the kernel line protocol's panic and `?` lines.
#[derive(Debug, Default)]
pub struct Failure {
    /// The first panic message reported by the kernel's panic hook.
    pub panic: Option<String>,
    /// The error the cell's `?` returned.
    pub returned: Option<ErrorLine>,
}

/// Forwards stdout lines until `done` is set and the channel is empty, noting in `failure` a panic
/// or an error returned by `?`.
pub fn pump_stdout(rx: &::evcxr::EvalContextOutputs, sink: &dyn OutputSink, done: &Done, failure: &Mutex<Failure>) {
    let mut parser = LineParser::new();
    let mut text = String::new();
    let handle = |events: Vec<DisplayEvent>, text: &mut String| {
        for event in events {
            match event {
                DisplayEvent::Stream(line) => text.push_str(&line),
                DisplayEvent::Panic(message) => {
                    failure.lock().unwrap().panic.get_or_insert(message);
                }
                DisplayEvent::Returned(error) => {
                    failure.lock().unwrap().returned = Some(error);
                }
                other => {
                    flush(text, StreamName::Stdout, sink);
                    forward(other, sink);
                }
            }
        }
    };
    loop {
        match rx.stdout.recv_timeout(POLL) {
            Ok(line) => {
                handle(parser.feed(&line), &mut text);
                while let Ok(line) = rx.stdout.try_recv() {
                    handle(parser.feed(&line), &mut text);
                }
                flush(&mut text, StreamName::Stdout, sink);
            }
            Err(e) if e.is_timeout() && !done.load(Ordering::Acquire) => {}
            Err(_) => break,
        }
    }
    handle(parser.finish(), &mut text);
    flush(&mut text, StreamName::Stdout, sink);
}

/// Forwards stderr lines until `done` is set and stderr has been quiet for a moment. With
/// `suppress` set (the cell was interrupted), lines are dropped: they are the interrupted cell's
/// complaints, not output the user asked for.
pub fn pump_stderr(rx: &::evcxr::EvalContextOutputs, sink: &dyn OutputSink, done: &Done, suppress: &AtomicBool) {
    let mut text = String::new();
    loop {
        let wait = if done.load(Ordering::Acquire) { STDERR_QUIET } else { POLL };
        match rx.stderr.recv_timeout(wait) {
            Ok(line) => {
                text.push_str(&line);
                text.push('\n');
                while let Ok(line) = rx.stderr.try_recv() {
                    text.push_str(&line);
                    text.push('\n');
                }
                if suppress.load(Ordering::Acquire) {
                    text.clear();
                }
                flush(&mut text, StreamName::Stderr, sink);
            }
            Err(e) if e.is_timeout() && !done.load(Ordering::Acquire) => {}
            Err(e) if e.is_timeout() && wait == POLL => {} // `done` was set while we waited: wait once more, briefly.
            Err(_) => break,
        }
    }
}

fn flush(text: &mut String, name: StreamName, sink: &dyn OutputSink) {
    if !text.is_empty() {
        sink.stream(name, text);
        text.clear();
    }
}

/// Drops whatever is left in both channels (output of the preamble or of a killed process).
pub fn discard(rx: &::evcxr::EvalContextOutputs) {
    while rx.stdout.try_recv().is_ok() {}
    while rx.stderr.try_recv().is_ok() {}
}
