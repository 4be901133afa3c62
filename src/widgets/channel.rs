//! The side channel: how a widget change reaches a Rust closure without compiling a cell.
//!
//! Closures live in the process that runs cells (evcxr's evaluation process), and the kernel can
//! reach that process through evcxr only by compiling code. So the kernel listens on a Unix
//! socket whose address it puts in [`SOCKET_ENV`], and every widget shown in the kernel opens one
//! connection to it:
//!
//! ```text
//!  kernel                                         evaluation process (thread "distsim-widget")
//!    ── accept ───────── {"key": 3} ──────────────>  the widget's key; it goes into its request
//!    <── comm_msg update (value = 0.3) from a front end
//!    ── {"call": 17, "state": {"value": 0.3}} ───>  sets the value, runs the observers, capturing
//!    <── {"call": 17, "stdout": .., "stderr": .., "panic": null} ──  what they printed
//! ```
//!
//! One connection (and one blocked thread) per widget, not one per process: evcxr links the
//! library into each cell's shared object, so a registry in a `static` would exist once per cell.
//! A connection belongs to the widget's value (an `Arc` shared by its clones), wherever it lives.
//!
//! What a callback prints is captured at the file descriptors (`run_captured`): stdout and
//! stderr go to temporary files while it runs, because evcxr reads the process's stdout only
//! while a cell runs, and the callback's `display` calls may belong to any cell's copy of the
//! library. The kernel reads the captured text exactly like a cell's output (`DISTSIM_DISPLAY`
//! lines become tables and plots) and puts it in the widget's Output.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader, Write};
use std::sync::Arc;

/// The environment variable holding the kernel's socket: `@name` for a Linux abstract socket,
/// otherwise a filesystem path.
pub const SOCKET_ENV: &str = "DISTSIM_WIDGET_SOCKET";

/// The first line the kernel sends on a new connection: the widget's key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    pub key: u64,
}

/// The kernel asks the widget to take `state` (the keys a front end changed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub call: u64,
    pub state: Map<String, Value>,
}

/// What a callback (or a run of an `interact` closure) printed, and its panic message if it panicked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Captured {
    #[serde(default)]
    pub stdout: String,
    #[serde(default)]
    pub stderr: String,
    #[serde(default)]
    pub panic: Option<String>,
}

/// The answer to a [`Call`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {
    pub call: u64,
    #[serde(flatten)]
    pub output: Captured,
}

/// A widget's process-side value: takes the state a front end sent.
pub(crate) trait Receiver: Send + Sync + 'static {
    /// Applies `state` and runs the observers. `Err` (a value of the wrong type) is reported like
    /// a panic.
    fn receive(&self, state: &Map<String, Value>) -> Result<(), String>;
}

/// The message of a panic payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}

/// Connects `receiver` to the kernel named in [`SOCKET_ENV`] and serves its calls on a thread of
/// its own. `Ok(None)` outside the distsim kernel (no socket named): the widget is then shown
/// without a live value.
pub(crate) fn connect(receiver: Arc<dyn Receiver>) -> std::io::Result<Option<u64>> {
    let Some(address) = std::env::var_os(SOCKET_ENV) else { return Ok(None) };
    if !crate::render::in_kernel() {
        return Ok(None);
    }
    connect_to(&address.to_string_lossy(), receiver).map(Some)
}

#[cfg(unix)]
fn connect_to(address: &str, receiver: Arc<dyn Receiver>) -> std::io::Result<u64> {
    use std::os::unix::net::UnixStream;
    let stream = match address.strip_prefix('@') {
        #[cfg(target_os = "linux")]
        Some(name) => {
            use std::os::linux::net::SocketAddrExt;
            UnixStream::connect_addr(&std::os::unix::net::SocketAddr::from_abstract_name(name)?)?
        }
        _ => UnixStream::connect(address)?,
    };
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let hello: Hello = serde_json::from_str(&line).map_err(std::io::Error::other)?;
    std::thread::Builder::new().name("distsim-widget".into()).spawn(move || serve(reader, stream, receiver, true))?;
    Ok(hello.key)
}

#[cfg(not(unix))]
fn connect_to(_address: &str, _receiver: Arc<dyn Receiver>) -> std::io::Result<u64> {
    Err(std::io::Error::other("widget callbacks need a Unix socket"))
}

/// Answers calls until the kernel closes the connection. Without `capture` (unit tests, whose
/// harness shares the process's stdout) the observers' output is not captured.
fn serve(reader: impl BufRead, mut writer: impl Write, receiver: Arc<dyn Receiver>, capture: bool) {
    for line in reader.lines() {
        let Ok(line) = line else { return };
        let done = match serde_json::from_str::<Call>(&line) {
            Ok(call) => {
                let (result, mut output) = if capture {
                    run_captured(|| receiver.receive(&call.state))
                } else {
                    let result =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| receiver.receive(&call.state)));
                    let panic = result.as_ref().err().map(|payload| panic_message(payload.as_ref()));
                    (result, Captured { panic, ..Captured::default() })
                };
                if let Ok(Err(wrong)) = result {
                    output.panic.get_or_insert(wrong);
                }
                Done { call: call.call, output }
            }
            Err(e) => {
                Done { call: 0, output: Captured { panic: Some(format!("bad call: {e}")), ..Captured::default() } }
            }
        };
        let mut reply = serde_json::to_string(&done).expect("a Done is plain data");
        reply.push('\n');
        if writer.write_all(reply.as_bytes()).and_then(|()| writer.flush()).is_err() {
            return;
        }
    }
}

/// Runs `f` with the process's stdout and stderr going to temporary files, and returns what it
/// wrote (from any thread) and how it ended; a panic is caught and its message recorded.
///
/// Only safe while nothing else in the process writes output, which the kernel guarantees: it
/// never calls a widget while a cell runs, and a cell that runs `interact` runs nothing else
/// meanwhile.
pub(crate) fn run_captured<R>(f: impl FnOnce() -> R) -> (std::thread::Result<R>, Captured) {
    let redirect = redirect::Redirect::start();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let (stdout, stderr) = match redirect {
        Ok(redirect) => redirect.finish(),
        Err(e) => (String::new(), format!("(output not captured: {e})\n")),
    };
    let panic = result.as_ref().err().map(|payload| panic_message(payload.as_ref()));
    (result, Captured { stdout, stderr, panic })
}

#[cfg(unix)]
mod redirect {
    use std::fs::File;
    use std::io::{Read, Seek, SeekFrom, Write};
    use std::os::fd::{AsFd, AsRawFd, OwnedFd};

    // The standard library has `dup` (`try_clone_to_owned`) but not `dup2`; the C library it
    // links provides it, which saves a dependency on the `libc` crate for one function.
    extern "C" {
        fn dup2(from: i32, to: i32) -> i32;
    }

    /// Stdout and stderr pointed at two unlinked temporary files, and the originals kept.
    pub struct Redirect {
        saved: [OwnedFd; 2],
        files: [File; 2],
    }

    fn anonymous_file() -> std::io::Result<File> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path = std::env::temp_dir().join(format!("distsim-widget-{}-{n}", std::process::id()));
            match std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(&path) {
                Ok(file) => {
                    std::fs::remove_file(&path)?;
                    return Ok(file);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn point(fd: i32, at: i32) -> std::io::Result<()> {
        // SAFETY: both are open descriptors owned by this process; dup2 only replaces `at`.
        if unsafe { dup2(fd, at) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    impl Redirect {
        pub fn start() -> std::io::Result<Redirect> {
            let _ = std::io::stdout().flush();
            let _ = std::io::stderr().flush();
            let saved =
                [std::io::stdout().as_fd().try_clone_to_owned()?, std::io::stderr().as_fd().try_clone_to_owned()?];
            let files = [anonymous_file()?, anonymous_file()?];
            point(files[0].as_raw_fd(), 1)?;
            if let Err(e) = point(files[1].as_raw_fd(), 2) {
                let _ = point(saved[0].as_raw_fd(), 1);
                return Err(e);
            }
            Ok(Redirect { saved, files })
        }

        /// Restores stdout and stderr and returns what was written meanwhile.
        pub fn finish(self) -> (String, String) {
            let _ = std::io::stdout().flush();
            let _ = std::io::stderr().flush();
            let _ = point(self.saved[0].as_raw_fd(), 1);
            let _ = point(self.saved[1].as_raw_fd(), 2);
            let [mut out, mut err] = self.files;
            (read_all(&mut out), read_all(&mut err))
        }
    }

    fn read_all(file: &mut File) -> String {
        let mut text = String::new();
        let _ = file.seek(SeekFrom::Start(0)).and_then(|_| file.read_to_string(&mut text));
        text
    }
}

#[cfg(not(unix))]
mod redirect {
    pub struct Redirect;
    impl Redirect {
        pub fn start() -> std::io::Result<Redirect> {
            Err(std::io::Error::other("output capture needs Unix file descriptors"))
        }
        pub fn finish(self) -> (String, String) {
            (String::new(), String::new())
        }
    }
}

#[cfg(test)]
pub(crate) fn serve_for_test(reader: impl BufRead, writer: impl Write, receiver: Arc<dyn Receiver>) {
    serve(reader, writer, receiver, false)
}
