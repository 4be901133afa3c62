//! In-process sockets over channels, so the protocol core can be driven without ZeroMQ.
//!
//! [`pair`] gives the kernel's end (a [`RouterSocket`]) and the test's end ([`MemoryPeer`]).
//! The peer sends frames *without* the identity prefix handling a real ROUTER would do; the test
//! simply includes whatever identity frames it likes before the delimiter and gets them back.

use super::{Frames, PubSocket, RouterSocket, TransportError};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::Duration;

/// The kernel's end of an in-memory ROUTER-like socket.
pub struct MemorySocket {
    inbox: Receiver<Frames>,
    outbox: Sender<Frames>,
}

/// The client's end: send requests in, read what the kernel sent out.
pub struct MemoryPeer {
    pub to_kernel: Sender<Frames>,
    pub from_kernel: Receiver<Frames>,
}

/// A connected kernel/client pair.
pub fn pair() -> (MemorySocket, MemoryPeer) {
    let (to_kernel, inbox) = channel();
    let (outbox, from_kernel) = channel();
    (MemorySocket { inbox, outbox }, MemoryPeer { to_kernel, from_kernel })
}

impl RouterSocket for MemorySocket {
    fn recv(&mut self, timeout: Duration) -> Result<Option<Frames>, TransportError> {
        let gone = || TransportError("in-memory peer hung up".into());
        if timeout.is_zero() {
            return match self.inbox.try_recv() {
                Ok(frames) => Ok(Some(frames)),
                Err(TryRecvError::Empty) => Ok(None),
                Err(TryRecvError::Disconnected) => Err(gone()),
            };
        }
        match self.inbox.recv_timeout(timeout) {
            Ok(frames) => Ok(Some(frames)),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(gone()),
        }
    }

    fn send(&mut self, frames: Frames) -> Result<(), TransportError> {
        self.outbox.send(frames).map_err(|_| TransportError("in-memory peer hung up".into()))
    }
}

/// An in-memory PUB socket: everything published arrives on the returned receiver.
pub struct MemoryPub {
    outbox: Sender<Frames>,
}

/// A publisher and the receiver a test reads broadcasts from.
pub fn publisher() -> (MemoryPub, Receiver<Frames>) {
    let (outbox, rx) = channel();
    (MemoryPub { outbox }, rx)
}

impl PubSocket for MemoryPub {
    fn send(&mut self, frames: Frames) -> Result<(), TransportError> {
        // A PUB socket with no subscriber silently drops; so do we.
        let _ = self.outbox.send(frames);
        Ok(())
    }
}
