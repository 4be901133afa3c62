//! What a widget's callbacks printed, as the outputs of its Output model.
//!
//! The evaluation process sends the captured stdout and stderr text of a call
//! ([`distsim::widgets::channel::Captured`]). Stdout is read with the same line parser as a
//! cell's output, so `display(&table)` shows a table in the widget exactly as in a cell; the
//! result is a list of nbformat output dicts (`display_data`, `stream`, `error`), the value of
//! the `@jupyter-widgets/output` model's `outputs` key. A later call replaces the whole list, as
//! ipywidgets' `interact` does with `clear_output(wait=True)`.

use crate::display::{forward, DisplayEvent, LineParser};
use crate::interpreter::{MimeBundle, OutputSink, StreamName};
use crate::protocol::sink::ensure_text_plain;
use distsim::widgets::channel::Captured;
use serde_json::{json, Value};
use std::sync::Mutex;

/// The thread name the library gives a widget's call thread: the default panic hook's line about
/// it is left out of the Output, which shows the panic as an `error` output instead.
const CALL_THREAD_PANIC: &str = "thread 'distsim-widget' panicked";

/// Collects outputs in nbformat form.
#[derive(Default)]
struct Collector {
    outputs: Mutex<Vec<Value>>,
}

impl OutputSink for Collector {
    fn stream(&self, name: StreamName, text: &str) {
        let name = match name {
            StreamName::Stdout => "stdout",
            StreamName::Stderr => "stderr",
        };
        let mut outputs = self.outputs.lock().unwrap_or_else(|e| e.into_inner());
        // Consecutive text on one stream is one output, as a notebook shows it.
        if let Some(last) = outputs.last_mut() {
            if last["output_type"] == "stream" && last["name"] == name {
                let joined = format!("{}{text}", last["text"].as_str().unwrap_or(""));
                last["text"] = Value::String(joined);
                return;
            }
        }
        outputs.push(json!({"output_type": "stream", "name": name, "text": text}));
    }

    /// A display; a widget request or a display update inside a callback is shown as a plain
    /// display (an Output model has no display ids of its own).
    fn display(&self, mut data: MimeBundle, metadata: MimeBundle, _display_id: Option<String>, _update: bool) {
        data.remove(distsim::render::WIDGET_MIME);
        let data = ensure_text_plain(data);
        let output = json!({"output_type": "display_data", "data": data, "metadata": metadata});
        self.outputs.lock().unwrap_or_else(|e| e.into_inner()).push(output);
    }

    fn clear_output(&self, _wait: bool) {
        self.outputs.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    fn input(&self, _prompt: &str, _password: bool) -> Option<String> {
        None
    }
}

/// An `error` output, as a failed cell shows one.
pub fn error_output(ename: &str, evalue: &str) -> Value {
    json!({"output_type": "error", "ename": ename, "evalue": evalue, "traceback": [format!("{ename}: {evalue}")]})
}

/// `stderr` without the panic hook's report of the call thread's panic (its first line and the
/// message lines after it): the panic becomes an `error` output instead.
fn without_panic_report(stderr: &str, panic: Option<&str>) -> String {
    let mut kept = String::new();
    let mut lines = stderr.lines().peekable();
    while let Some(line) = lines.next() {
        if line.starts_with(CALL_THREAD_PANIC) {
            for message_line in panic.unwrap_or("").lines() {
                if lines.peek() == Some(&message_line) {
                    lines.next();
                }
            }
            continue;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    kept
}

/// The Output's new `outputs` for what a call printed: stdout (displays and text) first, then
/// stderr, then the panic as an `error` output.
pub fn outputs(captured: &Captured) -> Vec<Value> {
    let collector = Collector::default();
    let mut parser = LineParser::new();
    let mut events: Vec<DisplayEvent> = captured.stdout.lines().flat_map(|line| parser.feed(line)).collect();
    events.extend(parser.finish());
    for event in events {
        forward(event, &collector);
    }
    let stderr = without_panic_report(&captured.stderr, captured.panic.as_deref());
    if !stderr.is_empty() {
        collector.stream(StreamName::Stderr, &stderr);
    }
    let mut outputs = collector.outputs.into_inner().unwrap_or_else(|e| e.into_inner());
    if let Some(message) = &captured.panic {
        outputs.push(error_output("Panic", message));
    }
    outputs
}
