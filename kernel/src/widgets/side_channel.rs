//! The kernel's end of the side channel to widget values in the evaluation process (the other end
//! and the wire format: `distsim::widgets::channel`; the design: `HOW_IT_WORKS.md`, section 6).
//!
//! One listening Unix socket per kernel process, bound on first use; its address goes to the
//! evaluation process in `DISTSIM_WIDGET_SOCKET`. On Linux it is an abstract socket (no file to
//! clean up after a crash; the random name keeps kernels apart). Every connection is one widget
//! value: the accept thread gives it the next key and keeps it until a call finds it closed.
//! Calls come only from the shell thread ([`crate::protocol`]), one at a time.

use crate::comm::Data;
use distsim::widgets::channel::{Call, Captured, Done, Hello};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

struct Connection {
    writer: UnixStream,
    reader: BufReader<UnixStream>,
}

pub struct SideChannel {
    address: String,
    connections: Mutex<BTreeMap<u64, Connection>>,
    next_key: AtomicU64,
    next_call: AtomicU64,
}

static CHANNEL: OnceLock<Result<SideChannel, String>> = OnceLock::new();

/// The kernel's side channel, bound (and its accept thread started) on first use. `Err` says why
/// it could not be bound; widgets then show without callbacks.
pub fn global() -> Result<&'static SideChannel, String> {
    CHANNEL
        .get_or_init(|| SideChannel::bind().map_err(|e| format!("cannot bind the widget side channel: {e}")))
        .as_ref()
        .map_err(Clone::clone)
}

#[cfg(target_os = "linux")]
fn listen() -> std::io::Result<(UnixListener, String)> {
    use std::os::linux::net::SocketAddrExt;
    let name = format!("distsim-widgets-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let listener = UnixListener::bind_addr(&std::os::unix::net::SocketAddr::from_abstract_name(&name)?)?;
    Ok((listener, format!("@{name}")))
}

#[cfg(not(target_os = "linux"))]
fn listen() -> std::io::Result<(UnixListener, String)> {
    let path = std::env::temp_dir().join(format!("distsim-widgets-{}.sock", uuid::Uuid::new_v4().simple()));
    Ok((UnixListener::bind(&path)?, path.to_string_lossy().into_owned()))
}

fn line<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string(value).expect("side-channel messages are plain data");
    text.push('\n');
    text
}

impl SideChannel {
    fn bind() -> std::io::Result<SideChannel> {
        let (listener, address) = listen()?;
        let channel = SideChannel {
            address,
            connections: Mutex::new(BTreeMap::new()),
            next_key: AtomicU64::new(1),
            next_call: AtomicU64::new(1),
        };
        std::thread::Builder::new().name("widget-accept".into()).spawn(move || {
            // `global()` returns only after `bind` did, so the channel is there by the first accept.
            for stream in listener.incoming() {
                match stream {
                    Ok(stream) => match global() {
                        Ok(channel) => channel.accept(stream),
                        Err(_) => return,
                    },
                    Err(e) => crate::log::warn(&format!("widget side channel: accept failed: {e}")),
                }
            }
        })?;
        Ok(channel)
    }

    /// The address for `DISTSIM_WIDGET_SOCKET`.
    pub fn address(&self) -> &str {
        &self.address
    }

    fn accept(&self, mut stream: UnixStream) {
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        let reader = match stream.try_clone() {
            Ok(reader) => BufReader::new(reader),
            Err(e) => return crate::log::warn(&format!("widget side channel: {e}")),
        };
        // The greeting goes out under the lock that `call` takes, and the connection is in the map
        // before the lock is released: a value may be called (a click) as soon as it knows its
        // key, and a call that found no connection would report the value gone. (Registering
        // after the greeting made `kernel/tests/protocol` fail now and then on a loaded machine.)
        let mut connections = self.connections.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = stream.write_all(line(&Hello { key }).as_bytes()) {
            return crate::log::warn(&format!("widget side channel: cannot greet widget {key}: {e}"));
        }
        connections.insert(key, Connection { writer: stream, reader });
    }

    /// Sends `state` to the widget value under `key` and waits for what its observers printed.
    /// `Err` when no process holds that value any more (the kernel was restarted).
    pub fn call(&self, key: u64, state: &Data) -> Result<Captured, String> {
        let gone = || {
            format!(
                "this widget's value lived in an evaluation process that has ended (a restart, or a \
                 crashed cell); run the cell that shows it again (widget key {key})"
            )
        };
        // Taken out while the call runs, so the accept thread is never kept waiting.
        let taken = self.connections.lock().unwrap_or_else(|e| e.into_inner()).remove(&key);
        let mut connection = taken.ok_or_else(gone)?;
        let call = self.next_call.fetch_add(1, Ordering::Relaxed);
        let request = line(&Call { call, state: state.clone() });
        connection.writer.write_all(request.as_bytes()).map_err(|_| gone())?;
        let mut reply = String::new();
        match connection.reader.read_line(&mut reply) {
            Ok(0) | Err(_) => return Err(gone()),
            Ok(_) => {}
        }
        let done: Done = serde_json::from_str(&reply).map_err(|e| format!("widget {key} answered badly: {e}"))?;
        self.connections.lock().unwrap_or_else(|e| e.into_inner()).insert(key, connection);
        if done.call != call {
            return Err(format!("widget {key} answered call {} instead of {call}", done.call));
        }
        Ok(done.output)
    }
}
