//! Streaming a running cell's output to the notebook as it is produced.
//!
//! evcxr hands the evaluation process's stdout and stderr lines to two channels. While a cell
//! runs, one thread per channel moves lines to the [`OutputSink`]: stdout through the display
//! parser (so `display()` and progress bars appear in order with printed text), stderr verbatim.
//! Lines that arrive together are sent as one stream message, so a loop printing thousands of lines
//! does not flood the front end with thousands of messages.
//!
//! Ending the cell: evcxr returns only after its stdout channel is empty, so stdout is complete once
//! the pump has drained the channel. stderr is a separate pipe read by another thread of evcxr, so
//! its last lines may still be on their way when the cell ends. The kernel then writes an end
//! marker into that same pipe ([`StderrEnd::send`], through `/proc/<pid>/fd/2`): the pipe keeps
//! order, so once the marker comes out, everything the cell wrote to stderr has come out before it.
//! The marker is never shown. A write that would block (a pipe full of a huge stderr) or fail (the
//! process is gone, no `/proc`) is not attempted again: the pump then falls back to waiting for a
//! short quiet period, as it always did before the marker (8 ms, which made `1 + 1` slower than in
//! evcxr's own kernel).

use crate::display::{forward, DisplayEvent, LineParser};
use crate::interpreter::{OutputSink, StreamName};
use distsim::render::ErrorLine;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// How often a pump waiting for output looks whether the cell has ended. It bounds the time from
/// the end of a cell to its reply, so it is short; a waiting pump costs microseconds per look.
const POLL: Duration = Duration::from_millis(1);
/// How long stderr must stay silent after the cell ends before we stop listening, without a marker.
const STDERR_QUIET: Duration = Duration::from_millis(8);
/// How long to wait for a marker that was written; a safety net only (it comes within a millisecond).
const MARKER_WAIT: Duration = Duration::from_secs(2);
/// Starts the end marker; never printed by anything else (a control character, then a name).
const MARKER: &str = "\u{1}DISTSIM_STDERR_END";

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

/// The end marker of one cell's stderr (see the module docs).
#[derive(Default)]
pub struct StderrEnd {
    /// The marker line written for this cell, once written.
    sent: Mutex<Option<String>>,
}

impl StderrEnd {
    /// Writes this cell's marker into the evaluation process's stderr pipe (process `pid`), without
    /// ever blocking. Markers are numbered, so a late marker of an earlier cell is not taken for it.
    pub fn send(&self, pid: u32) {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        static SENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let line = format!("{MARKER} {}", SENT.fetch_add(1, Ordering::Relaxed));
        // Expected before it is written: the pump may read it before this thread goes on.
        *self.sent.lock().unwrap_or_else(|e| e.into_inner()) = Some(line.clone());
        let opened =
            std::fs::OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(format!("/proc/{pid}/fd/2"));
        // A marker shorter than PIPE_BUF is written whole or not at all.
        if opened.and_then(|mut pipe| pipe.write_all(format!("{line}\n").as_bytes())).is_err() {
            *self.sent.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }

    fn expected(&self) -> Option<String> {
        self.sent.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// What a stderr line holds: the marker (and text before it on the same line, from a cell that
/// wrote no newline at its end) or text.
fn split_marker(line: &str) -> (&str, Option<&str>) {
    match line.find(MARKER) {
        Some(at) => (&line[..at], Some(&line[at..])),
        None => (line, None),
    }
}

/// Forwards stderr lines until `done` is set and then up to the cell's end marker (or, when no
/// marker was written, until stderr has been quiet for a moment). With `suppress` set (the cell was
/// interrupted), lines are dropped: they are the interrupted cell's complaints, not output the user
/// asked for. Markers are never forwarded.
pub fn pump_stderr(
    rx: &::evcxr::EvalContextOutputs,
    sink: &dyn OutputSink,
    done: &Done,
    suppress: &AtomicBool,
    end: &StderrEnd,
) {
    let mut text = String::new();
    let mut ended_at = None;
    // Whether a line is this cell's marker is decided as it arrives: it may come before the pump
    // sees `done`.
    let take = |line: String, text: &mut String| -> bool {
        let (before, marker) = split_marker(&line);
        if marker.is_none() || !before.is_empty() {
            text.push_str(before);
            text.push('\n');
        }
        marker.is_some() && marker == end.expected().as_deref()
    };
    loop {
        let finished = done.load(Ordering::Acquire);
        let expected = if finished { end.expected() } else { None };
        let wait = match (&expected, finished) {
            (Some(_), true) => {
                let since = *ended_at.get_or_insert_with(std::time::Instant::now);
                MARKER_WAIT.saturating_sub(since.elapsed())
            }
            (None, true) => STDERR_QUIET,
            _ => POLL,
        };
        let mut reached_end = false;
        match rx.stderr.recv_timeout(wait) {
            Ok(line) => {
                reached_end |= take(line, &mut text);
                while let Ok(line) = rx.stderr.try_recv() {
                    reached_end |= take(line, &mut text);
                }
                if suppress.load(Ordering::Acquire) {
                    text.clear();
                }
                flush(&mut text, StreamName::Stderr, sink);
            }
            // `done` may have been set while we waited: the next turn looks again.
            Err(e) if e.is_timeout() && !finished => {}
            Err(_) => break,
        }
        if reached_end {
            break;
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
