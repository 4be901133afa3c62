//! Turning the evaluation process's stdout into Jupyter outputs.
//!
//! A cell talks to the notebook through one pipe: its stdout. Besides the user's own text, these
//! lines carry rich output and errors (the kernel line protocol; its line types are defined once,
//! in the library's `distsim::render` display module, and parsed here with the same serde types):
//!
//! - evcxr's blocks, one per MIME type, that together form one bundle:
//!   `EVCXR_BEGIN_CONTENT image/svg+xml` / content lines / `EVCXR_END_CONTENT`;
//! - `DISTSIM_DISPLAY {"data":{..},"metadata":{..},"display_id":..,"update":..}`
//!   ([`DisplayLine`]), one line of JSON, printed by distsim's `display()` and progress bars when
//!   `DISTSIM_KERNEL=1`;
//! - `DISTSIM_CLEAR_OUTPUT {"wait":false}` ([`distsim::render::ClearLine`]);
//! - `DISTSIM_ERROR {"ename":..,"evalue":..}` ([`ErrorLine`]) and `DISTSIM_ERROR_RETURNED`: an
//!   error value printed by `eprintln!("{}", error)`, and the confirmation that the cell's `?`
//!   returned it (see `interpreter::session`'s question-mark macros). Without the confirmation the
//!   value was the user's own `eprintln!`, and it is shown on stderr as usual.
//!
//! The kernel's own panic hook adds `DISTSIM_PANIC <message>` (backslash-escaped, see
//! [`unescape_panic`]), which the interpreter turns into the cell's `Panic` error.
//!
//! Everything else is stream text. The parser is a small state machine fed one line at a time, so
//! outputs reach the notebook in the order the cell produced them.

use crate::interpreter::{MimeBundle, OutputSink, StreamName};
use distsim::render::{ClearLine, DisplayLine, ErrorLine, CLEAR_PREFIX, DISPLAY_PREFIX, ERROR_PREFIX, ERROR_RETURNED};
use serde_json::Value;

/// Prefix of the line printed by the kernel's panic hook.
pub const PANIC_PREFIX: &str = "DISTSIM_PANIC ";
const BEGIN: &str = "EVCXR_BEGIN_CONTENT ";
const END: &str = "EVCXR_END_CONTENT";

/// One thing the cell asked the notebook to show.
#[derive(Debug, Clone, PartialEq)]
pub enum DisplayEvent {
    /// Plain text (each line keeps its `\n`).
    Stream(String),
    /// `display_data`, or `update_display_data` when `update`.
    Display {
        data: MimeBundle,
        metadata: MimeBundle,
        display_id: Option<String>,
        update: bool,
    },
    Clear {
        wait: bool,
    },
    /// Text for stderr: an error value the user printed with `eprintln!("{}", error)`.
    Stderr(String),
    /// The cell panicked with this message.
    Panic(String),
    /// The cell's `?` returned this error.
    Returned(ErrorLine),
}

/// Line-at-a-time parser of the child's stdout.
#[derive(Default)]
pub struct LineParser {
    /// The MIME type and content of the evcxr block being read.
    block: Option<(String, String)>,
    /// Blocks already read that belong to the same bundle (consecutive blocks form one bundle).
    bundle: MimeBundle,
    /// An error value just printed; the cell's error if `DISTSIM_ERROR_RETURNED` comes next.
    error: Option<ErrorLine>,
}

impl LineParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one line (without its newline); returns the events it completes.
    pub fn feed(&mut self, line: &str) -> Vec<DisplayEvent> {
        if let Some((mime, content)) = &mut self.block {
            if line == END {
                let (mime, content) = (mime.clone(), std::mem::take(content));
                self.block = None;
                self.bundle.insert(mime.clone(), mime_value(&mime, content));
            } else {
                if !content.is_empty() {
                    content.push('\n');
                }
                content.push_str(line);
            }
            return Vec::new();
        }
        if let Some(mime) = line.strip_prefix(BEGIN) {
            self.block = Some((mime.trim().to_owned(), String::new()));
            return Vec::new();
        }
        let mut events = self.flush_bundle();
        if line == ERROR_RETURNED {
            let error = self.error.take().unwrap_or_else(|| ErrorLine {
                ename: "Error".to_owned(),
                evalue: "the cell's `?` returned an error".to_owned(),
            });
            events.push(DisplayEvent::Returned(error));
            return events;
        }
        events.extend(self.flush_error());
        if let Some(error) = line.strip_prefix(ERROR_PREFIX).and_then(|json| serde_json::from_str(json).ok()) {
            self.error = Some(error);
        } else {
            events.push(parse_line(line));
        }
        events
    }

    /// An error value not followed by its confirmation was the user's own `eprintln!`.
    fn flush_error(&mut self) -> Option<DisplayEvent> {
        self.error.take().map(|error| DisplayEvent::Stderr(format!("{}\n", error.evalue)))
    }

    /// Ends the cell: an unfinished block is shown as it is.
    pub fn finish(&mut self) -> Vec<DisplayEvent> {
        if let Some((mime, content)) = self.block.take() {
            self.bundle.insert(mime.clone(), mime_value(&mime, content));
        }
        let mut events = self.flush_bundle();
        events.extend(self.flush_error());
        events
    }

    fn flush_bundle(&mut self) -> Vec<DisplayEvent> {
        if self.bundle.is_empty() {
            return Vec::new();
        }
        let data = std::mem::take(&mut self.bundle);
        vec![DisplayEvent::Display { data, metadata: MimeBundle::new(), display_id: None, update: false }]
    }
}

/// Classifies a line outside any evcxr block.
fn parse_line(line: &str) -> DisplayEvent {
    if let Some(json) = line.strip_prefix(DISPLAY_PREFIX) {
        if let Ok(display) = serde_json::from_str::<DisplayLine>(json) {
            return display_event(display);
        }
    } else if let Some(rest) = line.strip_prefix(CLEAR_PREFIX) {
        if rest.is_empty() {
            return DisplayEvent::Clear { wait: false };
        }
        if let Some(Ok(ClearLine { wait })) = rest.strip_prefix(' ').map(serde_json::from_str::<ClearLine>) {
            return DisplayEvent::Clear { wait };
        }
    } else if let Some(message) = line.strip_prefix(PANIC_PREFIX) {
        return DisplayEvent::Panic(unescape_panic(message));
    }
    DisplayEvent::Stream(format!("{line}\n"))
}

fn display_event(line: DisplayLine) -> DisplayEvent {
    let DisplayLine { data, metadata, display_id, update } = line;
    let data = data.into_iter().map(|(mime, content)| (mime.clone(), mime_value(&mime, content))).collect();
    let metadata = metadata.into_iter().collect();
    DisplayEvent::Display { data, metadata, display_id, update }
}

/// JSON MIME types carry JSON, not a string holding JSON.
fn mime_value(mime: &str, content: String) -> Value {
    if mime == "application/json" || mime.ends_with("+json") {
        if let Ok(value) = serde_json::from_str(&content) {
            return value;
        }
    }
    Value::String(content)
}

/// Undoes the panic hook's escaping: `\\` => `\`, `\n` => newline, `\r` => carriage return.
pub fn unescape_panic(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Hands one event to the sink. A `Panic` or `Returned` error is not an output; the caller
/// collects it.
pub fn forward(event: DisplayEvent, sink: &dyn OutputSink) {
    match event {
        DisplayEvent::Stream(text) => sink.stream(StreamName::Stdout, &text),
        DisplayEvent::Display { data, metadata, display_id, update } => {
            sink.display(data, metadata, display_id, update)
        }
        DisplayEvent::Clear { wait } => sink.clear_output(wait),
        DisplayEvent::Stderr(text) => sink.stream(StreamName::Stderr, &text),
        DisplayEvent::Panic(_) | DisplayEvent::Returned(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_all(lines: &[&str]) -> Vec<DisplayEvent> {
        let mut parser = LineParser::new();
        let mut events: Vec<DisplayEvent> = lines.iter().flat_map(|l| parser.feed(l)).collect();
        events.extend(parser.finish());
        events
    }

    #[test]
    fn plain_lines_are_stream_text() {
        assert_eq!(
            feed_all(&["hello", ""]),
            vec![DisplayEvent::Stream("hello\n".into()), DisplayEvent::Stream("\n".into())]
        );
    }

    #[test]
    fn consecutive_evcxr_blocks_form_one_bundle_with_text_plain_added() {
        let events = feed_all(&[
            "before",
            "EVCXR_BEGIN_CONTENT text/html",
            "<b>x</b>",
            "<i>y</i>",
            "EVCXR_END_CONTENT",
            "EVCXR_BEGIN_CONTENT image/svg+xml",
            "<svg/>",
            "EVCXR_END_CONTENT",
            "after",
        ]);
        assert_eq!(events.len(), 3);
        assert_eq!(events[0], DisplayEvent::Stream("before\n".into()));
        let DisplayEvent::Display { data, update, display_id, .. } = &events[1] else { panic!("{events:?}") };
        assert_eq!(data["text/html"], "<b>x</b>\n<i>y</i>");
        assert_eq!(data["image/svg+xml"], "<svg/>");
        assert!(!data.contains_key("text/plain"), "the protocol layer adds it: {data:?}");
        assert!(!update && display_id.is_none());
        assert_eq!(events[2], DisplayEvent::Stream("after\n".into()));
    }

    #[test]
    fn a_block_at_the_end_of_the_cell_is_flushed_by_finish() {
        let events = feed_all(&["EVCXR_BEGIN_CONTENT text/plain", "42", "EVCXR_END_CONTENT"]);
        let DisplayEvent::Display { data, .. } = &events[0] else { panic!() };
        assert_eq!(data["text/plain"], "42");
    }

    #[test]
    fn distsim_display_lines_become_display_and_update_events() {
        let events = feed_all(&[
            r#"DISTSIM_DISPLAY {"data":{"text/html":"<p>1</p>","application/json":"{\"a\":1}"},"metadata":{},"display_id":"p1","update":false}"#,
            r#"DISTSIM_DISPLAY {"data":{"text/plain":"2/2"},"metadata":{},"display_id":"p1","update":true}"#,
        ]);
        let DisplayEvent::Display { data, display_id, update, .. } = &events[0] else { panic!() };
        assert_eq!(display_id.as_deref(), Some("p1"));
        assert!(!update);
        assert_eq!(data["application/json"], serde_json::json!({"a": 1}));
        let DisplayEvent::Display { update, .. } = &events[1] else { panic!() };
        assert!(update);
    }

    #[test]
    fn clear_output_and_panic_lines() {
        let events =
            feed_all(&[r#"DISTSIM_CLEAR_OUTPUT {"wait":true}"#, "DISTSIM_CLEAR_OUTPUT", r"DISTSIM_PANIC a\nb \\ c"]);
        assert_eq!(
            events,
            vec![
                DisplayEvent::Clear { wait: true },
                DisplayEvent::Clear { wait: false },
                DisplayEvent::Panic("a\nb \\ c".into())
            ]
        );
    }

    #[test]
    fn the_librarys_own_lines_parse_back() {
        let bundle = distsim::render::MimeBundle::text("t").with("text/html", "<b>t</b>");
        let line = distsim::render::protocol_display_line(&bundle, Some("distsim-3"), true);
        let events = feed_all(&[line.trim_end()]);
        let DisplayEvent::Display { data, display_id, update, .. } = &events[0] else { panic!("{events:?}") };
        assert_eq!((data["text/plain"].as_str(), data["text/html"].as_str()), (Some("t"), Some("<b>t</b>")));
        assert_eq!((display_id.as_deref(), *update), (Some("distsim-3"), true));
    }

    #[test]
    fn an_error_value_is_the_cells_error_only_when_its_return_is_confirmed() {
        let value = r#"DISTSIM_ERROR {"ename":"alloc::string::String","evalue":"boom"}"#;
        assert_eq!(
            feed_all(&[value, "DISTSIM_ERROR_RETURNED"]),
            vec![DisplayEvent::Returned(ErrorLine { ename: "alloc::string::String".into(), evalue: "boom".into() })]
        );
        // The user's own `eprintln!("{}", error)`: shown on stderr, in order with what follows.
        assert_eq!(
            feed_all(&[value, "after", value]),
            vec![
                DisplayEvent::Stderr("boom\n".into()),
                DisplayEvent::Stream("after\n".into()),
                DisplayEvent::Stderr("boom\n".into())
            ]
        );
    }

    #[test]
    fn malformed_protocol_lines_are_shown_as_text() {
        let events = feed_all(&["DISTSIM_DISPLAY {not json", "DISTSIM_CLEAR_OUTPUTX"]);
        assert_eq!(
            events,
            vec![
                DisplayEvent::Stream("DISTSIM_DISPLAY {not json\n".into()),
                DisplayEvent::Stream("DISTSIM_CLEAR_OUTPUTX\n".into())
            ]
        );
    }
}
