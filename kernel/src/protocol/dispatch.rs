//! The handler table and the request cycle every channel shares:
//! verify and decode, publish busy, run the handler, send the reply, publish idle.
//!
//! Handlers are plain functions from a request to a [`Handled`]; they look up their content type
//! with [`decode`] and never touch sockets for the reply. A table maps `msg_type` to handler,
//! instead of an if/else chain on strings, so each channel's repertoire reads as one list.

use super::content::{Content, ErrorReply, ExecutionState, ReplyStatus};
use super::message::Message;
use super::shared::Shared;
use crate::transport::wire::RawMessage;
use crate::transport::{Frames, RouterSocket};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A reply body with its message type.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub msg_type: String,
    pub content: Value,
}

impl Reply {
    pub fn new<T: Content>(content: &T) -> Self {
        Self::typed(T::MSG_TYPE, content)
    }

    fn typed<T: Serialize>(msg_type: &str, content: &T) -> Self {
        // Plain data structs always serialize.
        let content = serde_json::to_value(content).expect("reply content serializes");
        Self { msg_type: msg_type.to_owned(), content }
    }
}

/// What a handler asks for after its request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    /// A cell failed with stop_on_error: abort the execute requests queued behind it.
    AbortQueuedExecutes,
    /// Shut the kernel down.
    Stop,
}

/// What the channel loop should do after [`serve_one`].
#[derive(Debug)]
pub enum Served {
    Continue,
    /// A cell failed with stop_on_error. These requests were already waiting when its reply went
    /// out (read before the reply was sent); the loop answers their execute requests `aborted`.
    AbortQueued(Vec<Message>),
    Stop,
}

/// A handler's result: maybe a reply, and what happens next.
pub struct Handled {
    pub reply: Option<Reply>,
    pub next: Next,
}

impl Handled {
    pub fn reply<T: Content>(content: &T) -> Self {
        Self { reply: Some(Reply::new(content)), next: Next::Continue }
    }

    pub fn no_reply() -> Self {
        Self { reply: None, next: Next::Continue }
    }

    pub fn then(mut self, next: Next) -> Self {
        self.next = next;
        self
    }
}

/// A request whose content does not fit its message type.
#[derive(Debug)]
pub struct BadRequest(pub String);

/// Reads the request's content as `T`, or explains why it cannot.
pub fn decode<T: DeserializeOwned + Content>(message: &Message) -> Result<T, BadRequest> {
    message.content::<T>().map_err(|e| BadRequest(format!("{} content is not valid: {e}", message.msg_type())))
}

pub type Handler = fn(&Shared, &Message) -> Result<Handled, BadRequest>;

/// `msg_type` -> handler, for one channel.
#[derive(Default)]
pub struct HandlerTable {
    handlers: BTreeMap<&'static str, Handler>,
}

impl HandlerTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the handler for request type `T`.
    pub fn on<T: Content>(self, handler: Handler) -> Self {
        self.on_type(T::MSG_TYPE, handler)
    }

    fn on_type(mut self, msg_type: &'static str, handler: Handler) -> Self {
        self.handlers.insert(msg_type, handler);
        self
    }

    pub fn get(&self, msg_type: &str) -> Option<Handler> {
        self.handlers.get(msg_type).copied()
    }
}

/// What waiting on a ROUTER channel produced.
pub enum Poll {
    /// A valid, correctly signed request.
    Request(Message),
    /// Nothing arrived in time, or what arrived was dropped (bad signature, malformed JSON).
    Nothing,
    /// The socket failed: the channel's loop should end.
    Closed,
}

/// How long a channel loop waits before looking at the stop flag again.
pub const POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// Waits up to [`POLL`] for the next request on `socket`. Shared by the shell and control loops, so
/// both drop forged or malformed messages and log a closed channel the same way.
pub fn next_request(shared: &Shared, socket: &mut dyn RouterSocket, channel: &str) -> Poll {
    next_request_within(shared, socket, channel, POLL)
}

/// [`next_request`] waiting at most `wait` (`Duration::ZERO`: only what is queued now).
pub fn next_request_within(
    shared: &Shared,
    socket: &mut dyn RouterSocket,
    channel: &str,
    wait: std::time::Duration,
) -> Poll {
    match socket.recv(wait) {
        Ok(Some(frames)) => receive(frames, shared, channel).map_or(Poll::Nothing, Poll::Request),
        Ok(None) => Poll::Nothing,
        Err(e) => {
            crate::log::warn(&format!("{channel} channel closed: {e}"));
            Poll::Closed
        }
    }
}

/// Verifies and decodes frames from `channel`. A forged or malformed message is logged (never
/// shown in a notebook) and dropped; the caller simply goes on to the next one.
pub fn receive(frames: Frames, shared: &Shared, channel: &str) -> Option<Message> {
    let raw = match RawMessage::from_frames(frames, &shared.signer) {
        Ok(raw) => raw,
        Err(e) => {
            crate::log::warn(&format!("dropped a {channel} message: {e}"));
            return None;
        }
    };
    match Message::decode(raw) {
        Ok(message) => Some(message),
        Err(e) => {
            crate::log::warn(&format!("dropped a {channel} message: {e}"));
            None
        }
    }
}

/// Sends `reply` to whoever sent `request`.
pub fn send_reply(shared: &Shared, socket: &mut dyn RouterSocket, request: &Message, reply: Reply) {
    let message = shared.identity.envelope(Some(request), request.identities.clone(), &reply.msg_type, reply.content);
    if let Err(e) = socket.send(message.encode().into_frames(&shared.signer)) {
        crate::log::warn(&format!("could not send a reply: {e}"));
    }
}

/// Every request waiting on `socket` now, in arrival order (forged or malformed ones dropped).
fn drain(socket: &mut dyn RouterSocket, shared: &Shared, channel: &str) -> Vec<Message> {
    let mut waiting = Vec::new();
    while let Ok(Some(frames)) = socket.recv(std::time::Duration::ZERO) {
        waiting.extend(receive(frames, shared, channel));
    }
    waiting
}

/// Serves one request: busy, handler, reply, idle. Unknown types are logged and get no reply
/// (as the protocol suggests), but still busy/idle so front ends never wait on a status.
///
/// When the handler asks to abort the queue (a failed cell with stop_on_error), the queue is read
/// *before* the reply goes out, as ipykernel aborts only what was queued when the failing reply was
/// sent: a client that sends its next cell after seeing the error reply, however quickly, is never
/// caught by the abort.
pub fn serve_one(table: &HandlerTable, shared: &Shared, socket: &mut dyn RouterSocket, request: &Message) -> Served {
    shared.publisher.status(Some(request), ExecutionState::Busy);
    let served = match table.get(request.msg_type()) {
        Some(handler) => match handler(shared, request) {
            Ok(handled) => {
                let served = match handled.next {
                    Next::Continue => Served::Continue,
                    // Only execute_request (a shell request) asks for this.
                    Next::AbortQueuedExecutes => Served::AbortQueued(drain(socket, shared, "shell")),
                    Next::Stop => {
                        // Before the reply: a client that sees the reply (or the idle after it)
                        // finds the kernel already stopping.
                        shared.stop.store(true, std::sync::atomic::Ordering::SeqCst);
                        Served::Stop
                    }
                };
                if let Some(reply) = handled.reply {
                    send_reply(shared, socket, request, reply);
                }
                served
            }
            Err(BadRequest(why)) => {
                crate::log::warn(&why);
                if let Some(reply_type) = reply_type_for(request.msg_type()) {
                    let content = ErrorReply {
                        status: ReplyStatus::Error,
                        ename: "BadRequest".to_owned(),
                        evalue: why,
                        traceback: Vec::new(),
                    };
                    send_reply(shared, socket, request, Reply::typed(&reply_type, &content));
                }
                Served::Continue
            }
        },
        None => {
            crate::log::warn(&format!("no handler for message type {:?}", request.msg_type()));
            Served::Continue
        }
    };
    shared.publisher.status(Some(request), ExecutionState::Idle);
    served
}

/// `foo_request` -> `foo_reply`; other types (comm messages) have no reply.
pub fn reply_type_for(msg_type: &str) -> Option<String> {
    msg_type.strip_suffix("_request").map(|stem| format!("{stem}_reply"))
}
