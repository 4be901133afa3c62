//! The [`OutputSink`] handed to the interpreter for one cell: it turns the interpreter's output
//! into IOPub messages parented to that cell's execute_request, and asks for input over stdin.

use super::content::{
    ClearOutput, DisplayData, InputReply, InputRequest, Stream, StreamKind, Transient, UpdateDisplayData,
};
use super::dispatch::receive;
use super::message::{Content, Message};
use super::shared::{lock, Shared};
use crate::interpreter::{MimeBundle, OutputSink, StreamName};
use crate::widgets::{view_bundle, Widgets};
use distsim::render::{WidgetRequest, WIDGET_MIME};
use serde_json::Value;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// How often a cell waiting for input looks at the interrupt flag.
const INPUT_POLL: Duration = Duration::from_millis(100);

/// Output of one cell.
pub struct CellSink<'a> {
    pub shared: &'a Shared,
    /// The execute_request: the parent of every output, and the route for input_request.
    pub request: &'a Message,
    /// `silent: true` cells publish nothing.
    pub silent: bool,
    pub allow_stdin: bool,
}

/// Front ends show a bundle by its richest type they know, but nbconvert text exports, consoles
/// and graders read `text/plain`; the protocol layer guarantees it is there, for every bundle from
/// any interpreter, with the project's one fallback ([`distsim::render::text_plain_fallback`]).
pub fn ensure_text_plain(mut data: MimeBundle) -> MimeBundle {
    if !data.contains_key("text/plain") {
        let plain = distsim::render::text_plain_fallback(data.iter().map(|(mime, v)| (mime.as_str(), v.as_str())));
        data.insert("text/plain".to_owned(), Value::String(plain));
    }
    data
}

impl CellSink<'_> {
    fn publish<T: Content>(&self, content: &T) {
        if !self.silent {
            self.shared.publisher.publish(Some(self.request), content);
        }
    }
}

impl CellSink<'_> {
    /// A bundle with a widget request ([`WIDGET_MIME`], from `distsim::widgets`): the widget's model
    /// is created (its comm_opens go out first) and the bundle becomes the display of its view. A
    /// request with a side-channel key or a start output gets an Output below the control
    /// ([`Widgets::create_live`]). A
    /// request the kernel cannot honour is reported on stderr and only its text is shown. A silent
    /// cell creates nothing, as it shows nothing.
    fn widget(&self, mut data: MimeBundle) -> MimeBundle {
        let request = data.remove(WIDGET_MIME).unwrap_or_default();
        if self.silent {
            return data;
        }
        let parsed = match request {
            Value::String(json) => serde_json::from_str::<WidgetRequest>(&json),
            other => serde_json::from_value::<WidgetRequest>(other),
        };
        let created = parsed.map_err(|e| format!("a widget request is not valid: {e}")).and_then(|request| {
            let shared = self.shared;
            let mut comms = shared.comms();
            comms
                .with_target(&shared.publisher, Some(self.request), |widgets: &mut Widgets, out| {
                    widgets.show(out, &request)
                })
                .ok_or_else(|| "this kernel has no widget comm target".to_owned())?
        });
        match created {
            Ok(model_id) => {
                let text = data.get("text/plain").and_then(Value::as_str).unwrap_or("a widget").to_owned();
                view_bundle(&model_id, &text)
            }
            Err(why) => {
                self.stream(StreamName::Stderr, &format!("widget not shown: {why}\n"));
                data
            }
        }
    }
}

impl OutputSink for CellSink<'_> {
    fn stream(&self, name: StreamName, text: &str) {
        if text.is_empty() {
            return;
        }
        let name = match name {
            StreamName::Stdout => StreamKind::Stdout,
            StreamName::Stderr => StreamKind::Stderr,
        };
        self.publish(&Stream { name, text: text.to_owned() });
    }

    fn display(&self, data: MimeBundle, metadata: MimeBundle, display_id: Option<String>, update: bool) {
        let data = if data.contains_key(WIDGET_MIME) { self.widget(data) } else { data };
        let data = ensure_text_plain(data);
        let transient = Transient { display_id };
        if update && transient.display_id.is_some() {
            self.publish(&UpdateDisplayData { data, metadata, transient });
        } else {
            // An update without an id cannot target anything; show it as a new display.
            self.publish(&DisplayData { data, metadata, transient });
        }
    }

    fn clear_output(&self, wait: bool) {
        self.publish(&ClearOutput { wait });
    }

    fn input(&self, prompt: &str, password: bool) -> Option<String> {
        if !self.allow_stdin {
            return None;
        }
        let shared = self.shared;
        let mut stdin = lock(&shared.stdin);
        // Replies to an earlier, abandoned request must not answer this one.
        while let Ok(Some(_stale)) = stdin.recv(Duration::ZERO) {}
        let request = InputRequest { prompt: prompt.to_owned(), password };
        // The front end's stdin socket has the same identity as its shell socket.
        let message = shared.identity.message(Some(self.request), self.request.identities.clone(), &request);
        let asked = message.header.msg_id.clone();
        if let Err(e) = stdin.send(message.encode().into_frames(&shared.signer)) {
            crate::log::warn(&format!("could not send input_request: {e}"));
            return None;
        }
        loop {
            if shared.input_cancel.load(Ordering::SeqCst) {
                return None;
            }
            let frames = match stdin.recv(INPUT_POLL) {
                Ok(Some(frames)) => frames,
                Ok(None) => continue,
                Err(e) => {
                    crate::log::warn(&format!("stdin failed while waiting for input: {e}"));
                    return None;
                }
            };
            let Some(reply) = receive(frames, shared, "stdin") else { continue };
            let answers_us = reply.parent_header.as_ref().is_none_or(|p| p.msg_id == asked);
            if reply.msg_type() != InputReply::MSG_TYPE || !answers_us {
                continue;
            }
            match reply.content::<InputReply>() {
                Ok(InputReply { value }) => return Some(value),
                Err(e) => crate::log::warn(&format!("input_reply content is not valid: {e}")),
            }
        }
    }
}
