//! Showing values in the middle of a cell, and updating them in place.
//!
//! Two transports, chosen by the environment:
//!
//! * Inside the distsim kernel (`DISTSIM_KERNEL=1`) each call prints **one line** of the kernel's
//!   line protocol, `DISTSIM_DISPLAY {"data":{..},"metadata":{},"display_id":..,"update":..}` or
//!   `DISTSIM_CLEAR_OUTPUT {"wait":..}`. One line per message lets the kernel turn it into a
//!   `display_data`/`update_display_data`/`clear_output` message without buffering, and
//!   supports display ids, which evcxr's block convention cannot express.
//! * Anywhere else (evcxr_jupyter, a terminal, a test) [`display`] prints evcxr's
//!   `EVCXR_BEGIN_CONTENT` blocks, and updates simply print the new state again.

use super::{MimeBundle, Render};
use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The environment variable the distsim kernel sets (to `1`) in the process that runs cells.
pub const KERNEL_ENV: &str = "DISTSIM_KERNEL";

/// Whether this process runs under the distsim kernel (read on every call: tests may flip it).
pub fn in_kernel() -> bool {
    std::env::var_os(KERNEL_ENV).is_some_and(|v| v == "1")
}

/// Where output goes while [`capture`] runs (from any thread); `None`: to stdout.
static CAPTURED: Mutex<Option<String>> = Mutex::new(None);
/// Serializes [`capture`] calls, so two tests capturing at once do not mix their output.
static CAPTURE_TURN: Mutex<()> = Mutex::new(());

/// Runs `f` and returns what [`display`], [`clear_output`], progress bars and `evcxr_display`
/// printed meanwhile, from any thread, instead of writing it to stdout. For tests of rendering
/// code (the test harness does not capture output written to stdout directly).
pub fn capture<T>(f: impl FnOnce() -> T) -> (T, String) {
    let _turn = CAPTURE_TURN.lock().unwrap_or_else(|e| e.into_inner());
    /// Stops capturing even if `f` panics, so later output is not swallowed.
    struct StopOnDrop;
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            CAPTURED.lock().unwrap_or_else(|e| e.into_inner()).take();
        }
    }
    *CAPTURED.lock().unwrap_or_else(|e| e.into_inner()) = Some(String::new());
    let stop = StopOnDrop;
    let result = f();
    let text = CAPTURED.lock().unwrap_or_else(|e| e.into_inner()).take().unwrap_or_default();
    drop(stop);
    (result, text)
}

/// Writes `text` to stdout in one call and flushes, so lines from several threads never interleave.
pub(crate) fn write_stdout(text: &str) {
    if let Some(buffer) = CAPTURED.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
        buffer.push_str(text);
        return;
    }
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    // A closed stdout (the kernel went away) is not the user's error: ignore it.
    let _ = lock.write_all(text.as_bytes());
    let _ = lock.flush();
}

/// The `DISTSIM_DISPLAY` protocol line (with its trailing newline) for a bundle.
///
/// Written by hand rather than through `serde_json::Value` so that the key order is fixed
/// (`data`, `metadata`, `display_id`, `update`) whatever features `serde_json` was built with.
pub fn protocol_display_line(bundle: &MimeBundle, display_id: Option<&str>, update: bool) -> String {
    let mut data = String::from("{");
    let mut first = true;
    let plain_missing = !bundle.0.contains_key("text/plain");
    let empty = String::new();
    let entries = bundle.0.iter().map(|(k, v)| (k.as_str(), v)).chain(plain_missing.then_some(("text/plain", &empty)));
    for (mime, content) in entries {
        if !first {
            data.push(',');
        }
        first = false;
        data.push_str(&json_string(mime));
        data.push(':');
        data.push_str(&json_string(content));
    }
    data.push('}');
    let id = display_id.map_or_else(|| "null".to_string(), json_string);
    format!("DISTSIM_DISPLAY {{\"data\":{data},\"metadata\":{{}},\"display_id\":{id},\"update\":{update}}}\n")
}

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("serializing a str cannot fail")
}

fn emit(bundle: &MimeBundle, display_id: Option<&str>, update: bool) {
    if in_kernel() {
        write_stdout(&protocol_display_line(bundle, display_id, update));
    } else {
        write_stdout(&bundle.to_evcxr_blocks());
    }
}

/// Shows `value` now, in the middle of a cell, as a separate output (Jupyter's `display_data`).
///
/// Several calls in one cell give several outputs, in order.
pub fn display<R: Render + ?Sized>(value: &R) {
    emit(&value.mime_bundle(), None, false);
}

/// Shows `value` now and returns a handle that can replace it later with [`DisplayHandle::update`].
pub fn display_updatable<R: Render + ?Sized>(value: &R) -> DisplayHandle {
    let handle = DisplayHandle::new();
    handle.show(value);
    handle
}

/// Clears the cell's output. With `wait`, the front end clears only when the next output
/// arrives, which avoids flicker. Only the distsim kernel understands it; elsewhere it does nothing.
pub fn clear_output(wait: bool) {
    if in_kernel() {
        write_stdout(&format!("DISTSIM_CLEAR_OUTPUT {{\"wait\":{wait}}}\n"));
    }
}

/// An output that can be replaced in place (Jupyter's `display_id`).
///
/// Ids are `distsim-1`, `distsim-2`, … from a process-wide counter. They are not part of any
/// deterministic output (tables and plots never contain them); they only need to be unique
/// within the kernel's process, which the counter guarantees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DisplayHandle {
    id: String,
}

impl DisplayHandle {
    /// A fresh id; nothing is shown until [`DisplayHandle::show`].
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        DisplayHandle { id: format!("distsim-{}", NEXT.fetch_add(1, Ordering::Relaxed)) }
    }

    /// The display id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Shows `value` as a new output carrying this handle's id.
    pub fn show<R: Render + ?Sized>(&self, value: &R) {
        emit(&value.mime_bundle(), Some(&self.id), false);
    }

    /// Replaces the output shown under this id with `value` (`update_display_data`).
    /// Outside the distsim kernel, prints the new state as a new output.
    pub fn update<R: Render + ?Sized>(&self, value: &R) {
        emit(&value.mime_bundle(), Some(&self.id), true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_line_is_one_line_of_compact_json() {
        let b = MimeBundle::text("a\nb").with("text/html", "<p>\"q\"</p>");
        let line = protocol_display_line(&b, Some("distsim-7"), true);
        assert!(line.ends_with('\n') && line.matches('\n').count() == 1, "{line}");
        let json: serde_json::Value =
            serde_json::from_str(line.trim_end().strip_prefix("DISTSIM_DISPLAY ").unwrap()).unwrap();
        assert_eq!(json["data"]["text/plain"], "a\nb");
        assert_eq!(json["data"]["text/html"], "<p>\"q\"</p>");
        assert_eq!(json["display_id"], "distsim-7");
        assert_eq!(json["update"], true);
        assert_eq!(json["metadata"], serde_json::json!({}));
    }

    #[test]
    fn protocol_line_adds_missing_plain_text_and_null_id() {
        let mut b = MimeBundle::default();
        b.0.insert("text/html".into(), "x".into());
        let line = protocol_display_line(&b, None, false);
        assert!(line.contains("\"text/plain\":\"\""), "{line}");
        assert!(line.contains("\"display_id\":null,\"update\":false"), "{line}");
    }

    #[test]
    fn handles_get_distinct_ids() {
        assert_ne!(DisplayHandle::new().id(), DisplayHandle::new().id());
    }
}
