//! The IOPub thread: the single, ordered path for every broadcast.
//!
//! Shell, control and the interpreter's output threads all publish through one
//! [`Publisher`] (an mpsc channel), and one thread signs and sends. A channel keeps the order in
//! which messages were handed over, so `idle`, published after a request's last output, is
//! always the last message of that request: no sleeps needed to order anything.

use super::content::{ExecutionState, Status};
use super::message::{Content, KernelIdentity, Message};
use crate::transport::signing::Signer;
use crate::transport::PubSocket;
use std::sync::mpsc::{channel, Sender};
use std::thread::JoinHandle;

/// A handle for publishing on IOPub. Cheap to clone; thread-safe.
#[derive(Clone)]
pub struct Publisher {
    tx: Sender<Message>,
    identity: KernelIdentity,
}

impl Publisher {
    /// Publishes `content` with `parent` as its parent header (none for `starting`).
    pub fn publish<T: Content>(&self, parent: Option<&Message>, content: &T) {
        let topic = format!("kernel.{}.{}", self.identity.session, T::MSG_TYPE).into_bytes();
        let message = self.identity.message(parent, vec![topic], content);
        // The IOPub thread outlives every publisher; if it has gone, the kernel is shutting down.
        let _ = self.tx.send(message);
    }

    /// Publishes `content` with message metadata (a widget comm_open carries its protocol version).
    pub fn publish_with_metadata<T: Content>(
        &self,
        parent: Option<&Message>,
        content: &T,
        metadata: serde_json::Map<String, serde_json::Value>,
    ) {
        let topic = format!("kernel.{}.{}", self.identity.session, T::MSG_TYPE).into_bytes();
        let mut message = self.identity.message(parent, vec![topic], content);
        message.metadata = metadata;
        let _ = self.tx.send(message);
    }

    /// Publishes a `status` message.
    pub fn status(&self, parent: Option<&Message>, execution_state: ExecutionState) {
        self.publish(parent, &Status { execution_state });
    }
}

/// Starts the IOPub thread. It runs until every [`Publisher`] clone is dropped.
pub fn spawn(mut socket: Box<dyn PubSocket>, signer: Signer, identity: KernelIdentity) -> (Publisher, JoinHandle<()>) {
    let (tx, rx) = channel::<Message>();
    let thread = std::thread::Builder::new()
        .name("iopub".into())
        .spawn(move || {
            for message in rx {
                if let Err(e) = socket.send(message.encode().into_frames(&signer)) {
                    crate::log::warn(&format!("iopub send failed: {e}"));
                }
            }
        })
        .expect("cannot start the iopub thread");
    (Publisher { tx, identity }, thread)
}
