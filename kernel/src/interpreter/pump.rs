//! Streaming a running cell's output to the notebook as it is produced.
//!
//! evcxr hands the evaluation process's stdout and stderr lines to two channels. While a cell
//! runs, one thread per channel moves lines to the [`OutputSink`]: stdout through the display
//! parser (so `display()` and progress bars appear in order with printed text), stderr verbatim.
//! Lines that arrive together are sent as one stream message, so a loop printing thousands of lines
//! does not flood the front end with thousands of messages.
//!
//! While the cell is analysed and compiled (most of its time) the pumps sleep: each waits on its
//! output channel and on [`CellEnd`] at once (crossbeam's `select!`), so it wakes only for a line
//! or for the end. They used to look every millisecond whether the cell had ended; on a two-core
//! machine those 2,000 wake-ups a second took CPU from rustc and rust-analyzer.
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
use crossbeam_channel::{select, Receiver, Sender};
use distsim::render::ErrorLine;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long stderr must stay silent after the cell ends before we stop listening, without a marker.
const STDERR_QUIET: Duration = Duration::from_millis(8);
/// How long to wait for a marker that was written; a safety net only (it comes within a millisecond).
const MARKER_WAIT: Duration = Duration::from_secs(2);
/// Starts the end marker; never printed by anything else (a control character, then a name).
const MARKER: &str = "\u{1}DISTSIM_STDERR_END";

/// Tells the pumps that evcxr's `execute` has returned: [`CellEnd::announce`] wakes every pump
/// waiting on [`CellEnd::heard`], at once and for good.
pub struct CellEnd {
    sender: Mutex<Option<Sender<()>>>,
    receiver: Receiver<()>,
}

impl CellEnd {
    pub fn new() -> Self {
        let (sender, receiver) = crossbeam_channel::bounded(0);
        CellEnd { sender: Mutex::new(Some(sender)), receiver }
    }

    /// The cell has ended. Nothing is ever sent: dropping the only sender disconnects the channel,
    /// which every receiver sees, now and at every later look.
    pub fn announce(&self) {
        self.sender.lock().unwrap_or_else(|e| e.into_inner()).take();
    }

    /// Ready (disconnected) once the cell has ended; for `select!`.
    fn heard(&self) -> &Receiver<()> {
        &self.receiver
    }
}

impl Default for CellEnd {
    fn default() -> Self {
        Self::new()
    }
}

/// How a cell failed, as its stdout told: the kernel line protocol's panic and `?` lines.
#[derive(Debug, Default)]
pub struct Failure {
    /// The first panic message reported by the kernel's panic hook.
    pub panic: Option<String>,
    /// The error the cell's `?` returned.
    pub returned: Option<ErrorLine>,
}

/// Forwards stdout lines until the cell has ended and the channel is empty, noting in `failure` a
/// panic or an error returned by `?`.
pub fn pump_stdout(rx: &::evcxr::EvalContextOutputs, sink: &dyn OutputSink, end: &CellEnd, failure: &Mutex<Failure>) {
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
        let ended = select! {
            recv(rx.stdout) -> line => match line {
                Ok(line) => {
                    handle(parser.feed(&line), &mut text);
                    false
                }
                Err(_) => break,
            },
            // evcxr returned, so every line the cell printed is in the channel already.
            recv(end.heard()) -> _ => true,
        };
        // Lines that arrived together go out as one message.
        while let Ok(line) = rx.stdout.try_recv() {
            handle(parser.feed(&line), &mut text);
        }
        if ended {
            break;
        }
        flush(&mut text, StreamName::Stdout, sink);
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

/// Forwards stderr lines until the cell has ended and then up to the cell's end marker (or, when
/// no marker was written, until stderr has been quiet for a moment). With `suppress` set (the cell
/// was interrupted), lines are dropped: they are the interrupted cell's complaints, not output the
/// user asked for. Markers are never forwarded.
pub fn pump_stderr(
    rx: &::evcxr::EvalContextOutputs,
    sink: &dyn OutputSink,
    end: &CellEnd,
    suppress: &AtomicBool,
    marker: &StderrEnd,
) {
    let mut text = String::new();
    // Whether a line is this cell's marker is decided as it arrives: it may come before the pump
    // hears that the cell has ended (the marker is written first).
    let take = |line: String, text: &mut String| -> bool {
        let (before, found) = split_marker(&line);
        if found.is_none() || !before.is_empty() {
            text.push_str(before);
            text.push('\n');
        }
        found.is_some() && found == marker.expected().as_deref()
    };
    // Takes `line` and whatever else is waiting, up to this cell's marker, forwards them, and says
    // whether the marker was among them. Lines after the marker stay for the next cell.
    let forward_from = |line: String, text: &mut String| -> bool {
        let mut reached_end = take(line, text);
        while !reached_end {
            match rx.stderr.try_recv() {
                Ok(line) => reached_end = take(line, text),
                Err(_) => break,
            }
        }
        if suppress.load(Ordering::Acquire) {
            text.clear();
        }
        flush(text, StreamName::Stderr, sink);
        reached_end
    };
    // While the cell runs: sleep until a line comes or the cell ends.
    loop {
        select! {
            recv(rx.stderr) -> line => match line {
                Ok(line) => {
                    if forward_from(line, &mut text) {
                        return;
                    }
                }
                Err(_) => return,
            },
            recv(end.heard()) -> _ => break,
        }
    }
    // The cell has ended: read on up to its marker, or until stderr is quiet when none was written.
    let ended_at = Instant::now();
    loop {
        let wait = match marker.expected() {
            Some(_) => MARKER_WAIT.saturating_sub(ended_at.elapsed()),
            None => STDERR_QUIET,
        };
        match rx.stderr.recv_timeout(wait) {
            Ok(line) => {
                if forward_from(line, &mut text) {
                    return;
                }
            }
            Err(_) => return,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interpreter::MimeBundle;
    use crossbeam_channel::unbounded;

    /// Collects stream text, and tells the test each time some arrives.
    struct Streams {
        text: Mutex<Vec<(StreamName, String)>>,
        arrived: Sender<()>,
    }

    impl OutputSink for Streams {
        fn stream(&self, name: StreamName, text: &str) {
            self.text.lock().unwrap().push((name, text.to_owned()));
            let _ = self.arrived.send(());
        }
        fn display(&self, _: MimeBundle, _: MimeBundle, _: Option<String>, _: bool) {}
        fn clear_output(&self, _: bool) {}
        fn input(&self, _: &str, _: bool) -> Option<String> {
            None
        }
    }

    /// A deadline for failures only: a pump that works returns long before it.
    const NEVER: Duration = Duration::from_secs(20);

    fn streams() -> (Streams, Receiver<()>) {
        let (arrived, heard) = unbounded();
        (Streams { text: Mutex::new(Vec::new()), arrived }, heard)
    }

    fn text_of(sink: &Streams, name: StreamName) -> String {
        sink.text.lock().unwrap().iter().filter(|(n, _)| *n == name).map(|(_, t)| t.as_str()).collect()
    }

    #[test]
    fn stdout_goes_out_while_the_cell_runs_and_the_pump_ends_with_the_cell() {
        let (stdout_tx, stdout) = unbounded();
        let (_stderr_tx, stderr) = unbounded::<String>();
        let outputs = ::evcxr::EvalContextOutputs { stdout, stderr };
        let (sink, arrived) = streams();
        let (end, failure) = (CellEnd::new(), Mutex::new(Failure::default()));
        let (returned_tx, returned) = unbounded();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                pump_stdout(&outputs, &sink, &end, &failure);
                returned_tx.send(()).unwrap();
            });
            stdout_tx.send("first".to_owned()).unwrap();
            arrived.recv_timeout(NEVER).expect("a line printed while the cell runs goes out at once");
            assert!(returned.try_recv().is_err(), "the pump must wait for the end of the cell");
            stdout_tx.send("last".to_owned()).unwrap();
            end.announce();
            returned.recv_timeout(NEVER).expect("the pump ends once the cell has ended");
        });
        assert_eq!(text_of(&sink, StreamName::Stdout), "first\nlast\n");
    }

    #[test]
    fn stderr_is_read_up_to_the_cells_marker_which_is_never_shown() {
        let (_stdout_tx, stdout) = unbounded::<String>();
        let (stderr_tx, stderr) = unbounded();
        let outputs = ::evcxr::EvalContextOutputs { stdout, stderr };
        let (sink, _arrived) = streams();
        let (end, marker, suppress) = (CellEnd::new(), StderrEnd::default(), AtomicBool::new(false));
        let line = format!("{MARKER} 7");
        *marker.sent.lock().unwrap() = Some(line.clone());
        // The marker's pipe delivers it after the cell's last words, and after the cell ended.
        stderr_tx.send("warning: late".to_owned()).unwrap();
        end.announce();
        stderr_tx.send(format!("{MARKER} 6")).unwrap(); // an earlier cell's late marker is not this one
        stderr_tx.send(line).unwrap();
        stderr_tx.send("the next cell's".to_owned()).unwrap();
        pump_stderr(&outputs, &sink, &end, &suppress, &marker);
        assert_eq!(text_of(&sink, StreamName::Stderr), "warning: late\n");
    }

    #[test]
    fn without_a_marker_stderr_is_read_until_it_is_quiet() {
        let (_stdout_tx, stdout) = unbounded::<String>();
        let (stderr_tx, stderr) = unbounded();
        let outputs = ::evcxr::EvalContextOutputs { stdout, stderr };
        let (sink, _arrived) = streams();
        let (end, marker, suppress) = (CellEnd::new(), StderrEnd::default(), AtomicBool::new(false));
        stderr_tx.send("during".to_owned()).unwrap();
        end.announce();
        stderr_tx.send("after".to_owned()).unwrap();
        pump_stderr(&outputs, &sink, &end, &suppress, &marker);
        assert_eq!(text_of(&sink, StreamName::Stderr), "during\nafter\n");
    }
}
