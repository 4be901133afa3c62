//! Showing values in the middle of a cell, and updating them in place.
//!
//! Two transports, chosen by the environment:
//!
//! * Inside the distsim kernel (`DISTSIM_KERNEL=1`) each call prints **one line** of the kernel's
//!   line protocol, `DISTSIM_DISPLAY {"data":{..},"metadata":{},"display_id":..,"update":..}`
//!   ([`DisplayLine`]) or `DISTSIM_CLEAR_OUTPUT {"wait":..}` ([`ClearLine`]). One line per message
//!   lets the kernel turn it into a `display_data`/`update_display_data`/`clear_output` message
//!   without buffering, and supports display ids, which evcxr's block convention cannot express.
//!   The kernel parses the lines with these same serde types.
//! * Anywhere else (evcxr_jupyter, a terminal, a test) [`display`] prints evcxr's
//!   `EVCXR_BEGIN_CONTENT` blocks, and updates simply print the new state again.

use super::{MimeBundle, Render};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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

/// Prefix of the line that carries one display message (see [`DisplayLine`]).
pub const DISPLAY_PREFIX: &str = "DISTSIM_DISPLAY ";
/// Prefix of the line that clears the cell's output (see [`ClearLine`]).
pub const CLEAR_PREFIX: &str = "DISTSIM_CLEAR_OUTPUT";
/// Prefix of the line that reports an error value a cell's `?` may be about to return
/// (see [`ErrorLine`]).
pub const ERROR_PREFIX: &str = "DISTSIM_ERROR ";
/// The line that confirms the cell's `?` returned the error of the [`ErrorLine`] just before it.
pub const ERROR_RETURNED: &str = "DISTSIM_ERROR_RETURNED";

/// The MIME type of a widget request inside a `DISTSIM_DISPLAY` bundle: the kernel creates the
/// widget's model (comm_open) and shows its view instead of this entry. Its content is the JSON of
/// a [`WidgetRequest`].
pub const WIDGET_MIME: &str = "application/vnd.distsim.widget+json";

/// A widget the library asks the kernel to create: the ipywidgets class (`"FloatSlider"`) and
/// the state keys it sets (`value`, `min`, `max`, `step`, `description`, ...).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WidgetRequest {
    pub kind: String,
    pub state: serde_json::Map<String, serde_json::Value>,
    /// The widget's key on the kernel's side channel (`distsim::widgets::channel`): the kernel
    /// sends the widget's changes to the process-side value under this key. Showing a request with
    /// a key that already has a model shows that model again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<u64>,
    /// What the widget's Output (shown below the control) starts with: what its callbacks printed
    /// for the start value, which the kernel reads like a cell's output. `None`: nothing yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<crate::widgets::channel::Captured>,
    /// The key of an `Output` widget that the callbacks print into instead of an Output of the
    /// widget's own (`Widget::output_to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub into: Option<u64>,
    /// A box's children (`HBox`, `VBox`), each created like a widget shown alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<WidgetRequest>,
    /// Pairs of children (by index) whose `value` the browser keeps equal (ipywidgets' `jslink`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<[usize; 2]>,
}

/// One `DISTSIM_DISPLAY` line: a `display_data` (or, with `update`, an `update_display_data`).
///
/// The kernel reads the line back into this same type, so the two sides cannot drift apart. Serde
/// writes the fields in the order declared here.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayLine {
    /// MIME type -> content, always with `text/plain` (see [`text_plain_fallback`]).
    pub data: BTreeMap<String, String>,
    /// Per-MIME-type metadata (none yet; kept for the protocol's shape).
    #[serde(default)]
    pub metadata: BTreeMap<String, serde_json::Value>,
    /// The id an update refers to ([`DisplayHandle`]).
    #[serde(default)]
    pub display_id: Option<String>,
    /// Replace the output shown under `display_id` instead of adding one.
    #[serde(default)]
    pub update: bool,
}

impl DisplayLine {
    /// The message for `bundle`, with `text/plain` filled in if the bundle lacks it.
    pub fn new(bundle: &MimeBundle, display_id: Option<&str>, update: bool) -> Self {
        let mut data = bundle.0.clone();
        if !data.contains_key("text/plain") {
            let plain = text_plain_fallback(data.iter().map(|(mime, content)| (mime.as_str(), Some(content.as_str()))));
            data.insert("text/plain".to_owned(), plain);
        }
        DisplayLine { data, metadata: BTreeMap::new(), display_id: display_id.map(str::to_owned), update }
    }

    /// The protocol line, with its trailing newline.
    pub fn to_line(&self) -> String {
        format!("{DISPLAY_PREFIX}{}\n", to_json(self))
    }
}

/// One `DISTSIM_CLEAR_OUTPUT` line. With `wait`, the front end clears only when the next output
/// arrives. The JSON may be left out: a bare `DISTSIM_CLEAR_OUTPUT` clears at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearLine {
    #[serde(default)]
    pub wait: bool,
}

/// One `DISTSIM_ERROR` line: an error value about to be printed by the code evcxr generates for a
/// cell's `?` (`eprintln!("{}", error)`). The kernel shows it as the cell's `error` output when the
/// [`ERROR_RETURNED`] line follows; otherwise it was the user's own `eprintln!`, shown as stderr.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorLine {
    /// The error's type, as `std::any::type_name` spells it (`distsim::error::Error`).
    pub ename: String,
    /// The error as the cell formatted it (its `Display` text).
    pub evalue: String,
}

/// The `text/plain` of a bundle that lacks one: its markdown, else its HTML without tags, else the
/// list of its formats (`<image/svg+xml>`). Front ends show the richest format they know, but
/// nbconvert's text exports, consoles and graders read `text/plain`. `formats` gives each MIME type
/// with its content when that content is text.
///
/// The one fallback of the project: the library uses it for the lines it prints, the kernel for
/// any bundle that reaches the protocol without `text/plain`.
pub fn text_plain_fallback<'a>(formats: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> String {
    let formats: Vec<(&str, Option<&str>)> = formats.into_iter().collect();
    let content = |wanted: &str| formats.iter().find(|(mime, _)| *mime == wanted).and_then(|(_, content)| *content);
    if let Some(markdown) = content("text/markdown") {
        return markdown.to_owned();
    }
    if let Some(html) = content("text/html") {
        return strip_tags(html);
    }
    let kinds: Vec<&str> = formats.iter().map(|(mime, _)| *mime).collect();
    format!("<{}>", if kinds.is_empty() { "empty output".to_owned() } else { kinds.join(", ") })
}

/// Text of an HTML fragment with the tags removed and common entities decoded.
fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    out.trim().to_owned()
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("protocol lines are plain data and always serialize")
}

/// The `DISTSIM_DISPLAY` protocol line (with its trailing newline) for a bundle.
pub fn protocol_display_line(bundle: &MimeBundle, display_id: Option<&str>, update: bool) -> String {
    DisplayLine::new(bundle, display_id, update).to_line()
}

/// Called by the kernel's `eprintln!` for `eprintln!("{}", error)`, the line evcxr generates to
/// report an error a cell's `?` returns (the user may write it too). In the kernel it sends an
/// [`ErrorLine`]; elsewhere it prints `message` to stderr, as `eprintln!` would.
#[doc(hidden)]
pub fn report_error_value(type_name: &str, message: String) {
    if in_kernel() {
        write_stdout(&format!(
            "{ERROR_PREFIX}{}\n",
            to_json(&ErrorLine { ename: type_name.to_owned(), evalue: message })
        ));
    } else {
        eprintln!("{message}");
    }
}

/// Called by the kernel's `println!` in the code evcxr generates when a cell's `?` returns an
/// error: the [`ErrorLine`] just sent is the cell's error.
#[doc(hidden)]
pub fn report_error_returned() {
    if in_kernel() {
        write_stdout(&format!("{ERROR_RETURNED}\n"));
    }
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
        write_stdout(&format!("{CLEAR_PREFIX} {}\n", to_json(&ClearLine { wait })));
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
        b.0.insert("text/html".into(), "<p>x &amp; y</p>".into());
        let line = protocol_display_line(&b, None, false);
        assert!(line.contains("\"text/plain\":\"x & y\""), "{line}");
        assert!(line.contains("\"display_id\":null,\"update\":false"), "{line}");
        let parsed: DisplayLine = serde_json::from_str(line.trim_end().strip_prefix(DISPLAY_PREFIX).unwrap()).unwrap();
        assert_eq!(parsed, DisplayLine::new(&b, None, false));
    }

    #[test]
    fn the_fallback_prefers_markdown_then_html_then_lists_the_formats() {
        assert_eq!(text_plain_fallback([("text/html", Some("<b>b</b>")), ("text/markdown", Some("*m*"))]), "*m*");
        assert_eq!(text_plain_fallback([("text/html", Some("<b>a</b>\n<i>b</i>"))]), "a\nb");
        assert_eq!(
            text_plain_fallback([("image/png", Some("AAAA")), ("application/json", None)]),
            "<image/png, application/json>"
        );
        assert_eq!(text_plain_fallback([]), "<empty output>");
    }

    #[test]
    fn handles_get_distinct_ids() {
        assert_ne!(DisplayHandle::new().id(), DisplayHandle::new().id());
    }
}
