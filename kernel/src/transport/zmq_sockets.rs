//! The five ZeroMQ sockets of a kernel, bound as the connection file says.
//!
//! shell, control and stdin are ROUTER sockets (replies go back to whoever asked), IOPub is PUB
//! (broadcast to every front end), and heartbeat is REP, echoed on its own thread so a front end
//! sees the kernel alive even while a long cell keeps every other thread busy.
//! Each socket is used by exactly one thread at a time (ZeroMQ sockets are not thread-safe);
//! stdin is shared behind a mutex by whoever asks the user for input.

use super::connection::ConnectionInfo;
use super::{Frames, PubSocket, RouterSocket, TransportError};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long closing a socket may wait to flush queued messages (the shutdown reply, the last idle).
const LINGER_MS: i32 = 1000;
/// How often the heartbeat thread looks at the stop flag.
const HEARTBEAT_POLL: Duration = Duration::from_millis(200);

fn zmq_err(what: &str, e: zmq::Error) -> TransportError {
    TransportError(format!("{what}: {e}"))
}

/// A bound ROUTER socket (shell, control or stdin).
pub struct ZmqRouter {
    socket: zmq::Socket,
}

/// The bound IOPub PUB socket.
pub struct ZmqPub {
    socket: zmq::Socket,
}

/// Waits for a message. A signal arriving meanwhile (EINTR) counts as "nothing yet", not as a
/// broken socket: the kernel must not stop serving because a child process exited.
fn wait_readable(socket: &zmq::Socket, timeout: Duration) -> Result<bool, TransportError> {
    let ms = i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX);
    match socket.poll(zmq::POLLIN, ms) {
        Ok(ready) => Ok(ready > 0),
        Err(zmq::Error::EINTR) => Ok(false),
        Err(e) => Err(zmq_err("poll", e)),
    }
}

impl RouterSocket for ZmqRouter {
    fn recv(&mut self, timeout: Duration) -> Result<Option<Frames>, TransportError> {
        if !wait_readable(&self.socket, timeout)? {
            return Ok(None);
        }
        match self.socket.recv_multipart(0) {
            Ok(frames) => Ok(Some(frames)),
            Err(zmq::Error::EINTR) => Ok(None),
            Err(e) => Err(zmq_err("recv", e)),
        }
    }

    fn send(&mut self, frames: Frames) -> Result<(), TransportError> {
        self.socket.send_multipart(frames, 0).map_err(|e| zmq_err("send", e))
    }
}

impl PubSocket for ZmqPub {
    fn send(&mut self, frames: Frames) -> Result<(), TransportError> {
        self.socket.send_multipart(frames, 0).map_err(|e| zmq_err("publish", e))
    }
}

/// All sockets of one kernel. Keep `context` alive until every socket is closed: dropping the
/// last context handle waits (up to the linger time) for queued messages to go out.
pub struct ZmqSockets {
    pub context: zmq::Context,
    pub shell: ZmqRouter,
    pub control: ZmqRouter,
    pub stdin: ZmqRouter,
    pub iopub: ZmqPub,
    /// Echoes heartbeats until `heartbeat_stop` is set.
    pub heartbeat: JoinHandle<()>,
    pub heartbeat_stop: Arc<AtomicBool>,
}

fn bind(ctx: &zmq::Context, kind: zmq::SocketType, endpoint: &str) -> Result<zmq::Socket, TransportError> {
    let socket = ctx.socket(kind).map_err(|e| zmq_err("socket", e))?;
    socket.set_linger(LINGER_MS).map_err(|e| zmq_err("linger", e))?;
    socket.bind(endpoint).map_err(|e| zmq_err(&format!("bind {endpoint}"), e))?;
    Ok(socket)
}

impl ZmqSockets {
    /// Binds all five sockets and starts the heartbeat thread.
    pub fn bind(info: &ConnectionInfo) -> Result<Self, TransportError> {
        let context = zmq::Context::new();
        let router = |port| bind(&context, zmq::ROUTER, &info.endpoint(port)).map(|socket| ZmqRouter { socket });
        let shell = router(info.shell_port)?;
        let control = router(info.control_port)?;
        let stdin = router(info.stdin_port)?;
        let iopub = ZmqPub { socket: bind(&context, zmq::PUB, &info.endpoint(info.iopub_port))? };
        let hb = bind(&context, zmq::REP, &info.endpoint(info.hb_port))?;
        let heartbeat_stop = Arc::new(AtomicBool::new(false));
        let stop = heartbeat_stop.clone();
        let heartbeat = std::thread::Builder::new()
            .name("heartbeat".into())
            .spawn(move || echo_heartbeats(hb, &stop))
            .map_err(|e| TransportError(format!("cannot start heartbeat thread: {e}")))?;
        Ok(Self { context, shell, control, stdin, iopub, heartbeat, heartbeat_stop })
    }
}

/// Sends every heartbeat straight back, as the protocol asks.
fn echo_heartbeats(socket: zmq::Socket, stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        match wait_readable(&socket, HEARTBEAT_POLL) {
            Ok(false) => continue,
            Ok(true) => {}
            Err(e) => {
                crate::log::warn(&format!("heartbeat stopped: {e}"));
                return;
            }
        }
        let echoed = socket.recv_multipart(0).and_then(|frames| socket.send_multipart(frames, 0));
        if let Err(e) = echoed {
            crate::log::warn(&format!("heartbeat echo failed: {e}"));
        }
    }
}
