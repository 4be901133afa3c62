//! The transport layer: sockets, connection files, multipart framing and signing.
//!
//! Nothing here knows what a message *means*. The protocol core receives verified
//! [`wire::RawMessage`]s and hands back frames to send. Sockets are behind two small traits,
//! [`RouterSocket`] and [`PubSocket`], with two implementations: ZeroMQ ([`zmq_sockets`]) for the
//! real kernel and in-process channels ([`memory`]) for tests of the protocol core.

pub mod connection;
pub mod memory;
pub mod signing;
pub mod wire;
pub mod zmq_sockets;

use std::fmt;
use std::time::Duration;

/// One multipart message as a list of frames.
pub type Frames = Vec<Vec<u8>>;

/// A socket failure (ZeroMQ error, or the other end of an in-memory channel went away).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError(pub String);

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "transport error: {}", self.0)
    }
}

impl std::error::Error for TransportError {}

/// A request/reply socket that knows who asked (a ZeroMQ ROUTER): shell, control and stdin.
/// The first frames of every message are the peer's routing identities.
pub trait RouterSocket: Send {
    /// Waits at most `timeout` for a message. `Ok(None)` means nothing arrived in time;
    /// `Duration::ZERO` only looks at what is already queued.
    fn recv(&mut self, timeout: Duration) -> Result<Option<Frames>, TransportError>;
    /// Sends one multipart message; the leading frames route it back to the peer.
    fn send(&mut self, frames: Frames) -> Result<(), TransportError>;
}

/// A broadcast socket (a ZeroMQ PUB): IOPub.
pub trait PubSocket: Send {
    fn send(&mut self, frames: Frames) -> Result<(), TransportError>;
}
