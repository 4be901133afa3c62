//! A minimal Jupyter client: spawns the kernel binary with a fresh connection file and talks to
//! it over ZeroMQ with independently written framing and signing.

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const KEY: &str = "integration-test-key";

/// The binary under test (built by `cargo test --release`, in the same target dir).
fn kernel_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_distsim-kernel"))
}

/// Five ports for one kernel: free now, distinct from each other and from every port this test
/// process handed out before (the tests start kernels in parallel, and the OS may offer a port
/// again as soon as its probe listener is closed, so two kernels could be given the same one).
fn free_ports() -> Vec<u16> {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    let mut held = Vec::new(); // kept bound until all five are chosen
    while held.len() < 5 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        if !given.contains(&port) {
            given.push(port);
            held.push(listener);
        }
    }
    held.iter().map(|l| l.local_addr().unwrap().port()).collect()
}

/// A decoded message as the client sees it (untyped on purpose: this is the other side).
#[derive(Debug, Clone)]
pub struct Msg {
    pub header: Value,
    pub parent_header: Value,
    pub content: Value,
}

impl Msg {
    pub fn msg_type(&self) -> &str {
        self.header["msg_type"].as_str().unwrap()
    }
    pub fn parent_id(&self) -> Option<&str> {
        self.parent_header["msg_id"].as_str()
    }
}

pub struct Kernel {
    pub process: Child,
    _context: zmq::Context,
    pub shell: zmq::Socket,
    pub control: zmq::Socket,
    pub stdin: zmq::Socket,
    pub iopub: zmq::Socket,
    pub hb: zmq::Socket,
    session: String,
    dir: PathBuf,
}

fn sign(parts: &[&[u8]]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
    for part in parts {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}

impl Kernel {
    /// Starts the binary with `args` (e.g. `--fake-interpreter`) and connects every channel.
    pub fn start(args: &[&str]) -> Kernel {
        let dir = std::env::temp_dir().join(format!("distsim-zmq-{}-{}", std::process::id(), uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let ports = free_ports();
        let info = json!({
            "ip": "127.0.0.1", "transport": "tcp", "key": KEY, "signature_scheme": "hmac-sha256",
            "shell_port": ports[0], "iopub_port": ports[1], "stdin_port": ports[2],
            "control_port": ports[3], "hb_port": ports[4], "kernel_name": "distsim",
        });
        let file = dir.join("connection.json");
        std::fs::write(&file, info.to_string()).unwrap();
        let process = Command::new(kernel_binary())
            .arg("--connection-file")
            .arg(&file)
            .args(args)
            .env("DISTSIM_KERNEL_LOG", dir.join("kernel.log"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("kernel.stderr")).unwrap())
            .spawn()
            .expect("start the kernel binary");
        let context = zmq::Context::new();
        let identity = uuid::Uuid::new_v4().to_string();
        let connect = |kind, port: u16| {
            let socket = context.socket(kind).unwrap();
            if kind == zmq::DEALER {
                socket.set_identity(identity.as_bytes()).unwrap();
            }
            socket.set_linger(0).unwrap();
            socket.connect(&format!("tcp://127.0.0.1:{port}")).unwrap();
            socket
        };
        let kernel = Kernel {
            shell: connect(zmq::DEALER, ports[0]),
            iopub: connect(zmq::SUB, ports[1]),
            stdin: connect(zmq::DEALER, ports[2]),
            control: connect(zmq::DEALER, ports[3]),
            hb: connect(zmq::REQ, ports[4]),
            process,
            _context: context,
            session: uuid::Uuid::new_v4().to_string(),
            dir,
        };
        kernel.iopub.set_subscribe(b"").unwrap();
        kernel
    }

    /// The kernel's own log (forged/malformed messages end up here, not in any notebook).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("kernel.log")).unwrap_or_default()
    }

    /// What the kernel process wrote to stderr (evcxr's cache build progress, panics).
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.join("kernel.stderr")).unwrap_or_default()
    }

    pub fn header(&self, msg_type: &str) -> Value {
        json!({
            "msg_id": uuid::Uuid::new_v4().to_string(), "session": self.session, "username": "test",
            "date": "2026-01-01T00:00:00.000000Z", "msg_type": msg_type, "version": "5.3",
        })
    }

    /// Frames for a message, signed with `key_signature` (normally the right one).
    pub fn frames(header: &Value, parent: &Value, content: &Value, signature: Option<String>) -> Vec<Vec<u8>> {
        let parts: Vec<Vec<u8>> =
            [header, parent, &json!({}), content].iter().map(|v| v.to_string().into_bytes()).collect();
        let signature = signature.unwrap_or_else(|| sign(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>()));
        let mut frames = vec![b"<IDS|MSG>".to_vec(), signature.into_bytes()];
        frames.extend(parts);
        frames
    }

    /// Sends a request; returns its header.
    pub fn send(&self, socket: &zmq::Socket, msg_type: &str, content: Value) -> Value {
        let header = self.header(msg_type);
        socket.send_multipart(Self::frames(&header, &json!({}), &content, None), 0).unwrap();
        header
    }

    pub fn send_with_parent(&self, socket: &zmq::Socket, msg_type: &str, parent: &Value, content: Value) {
        let header = self.header(msg_type);
        socket.send_multipart(Self::frames(&header, parent, &content, None), 0).unwrap();
    }

    /// The next message on `socket`, signature checked; `None` after `timeout`.
    pub fn recv_within(socket: &zmq::Socket, timeout: Duration) -> Option<Msg> {
        if socket.poll(zmq::POLLIN, timeout.as_millis() as i64).unwrap() == 0 {
            return None;
        }
        let frames = socket.recv_multipart(0).unwrap();
        let at = frames.iter().position(|f| f == b"<IDS|MSG>").expect("delimiter");
        let parts: Vec<&[u8]> = frames[at + 2..at + 6].iter().map(Vec::as_slice).collect();
        assert_eq!(frames[at + 1], sign(&parts).into_bytes(), "the kernel signs what it sends");
        let parse = |b: &[u8]| serde_json::from_slice::<Value>(b).unwrap();
        Some(Msg { header: parse(parts[0]), parent_header: parse(parts[1]), content: parse(parts[3]) })
    }

    pub fn recv(socket: &zmq::Socket, timeout: Duration) -> Msg {
        Self::recv_within(socket, timeout).expect("no message from the kernel in time")
    }

    /// Sends kernel_info until IOPub is connected (PUB drops messages sent before a subscriber
    /// joins), as jupyter_client's wait_for_ready does.
    pub fn wait_ready(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let request = self.send(&self.shell, "kernel_info_request", json!({}));
            let reply = Self::recv_within(&self.shell, deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|| panic!("no kernel_info_reply; kernel stderr:\n{}", self.stderr()));
            assert_eq!(reply.msg_type(), "kernel_info_reply");
            while let Some(message) = Self::recv_within(&self.iopub, Duration::from_millis(200)) {
                if message.parent_id() == request["msg_id"].as_str() {
                    // Drain the rest of this request's statuses.
                    while Self::recv_within(&self.iopub, Duration::from_millis(100)).is_some() {}
                    return;
                }
            }
        }
        panic!("IOPub never connected; kernel stderr:\n{}", self.stderr());
    }

    /// IOPub messages of the request `header`, through its idle.
    pub fn iopub_for(&self, header: &Value, timeout: Duration) -> Vec<Msg> {
        let mut out = Vec::new();
        let deadline = Instant::now() + timeout;
        loop {
            let message = Self::recv(&self.iopub, deadline.saturating_duration_since(Instant::now()));
            if message.parent_id() != header["msg_id"].as_str() {
                continue;
            }
            let idle = message.msg_type() == "status" && message.content["execution_state"] == "idle";
            out.push(message);
            if idle {
                return out;
            }
        }
    }

    /// Runs a cell; returns its execute_reply and IOPub messages.
    pub fn execute(&self, code: &str, timeout: Duration) -> (Msg, Vec<Msg>) {
        let header = self.send(&self.shell, "execute_request", json!({"code": code, "silent": false}));
        let reply = Self::recv(&self.shell, timeout);
        assert_eq!(reply.parent_id(), header["msg_id"].as_str());
        let iopub = self.iopub_for(&header, timeout);
        (reply, iopub)
    }

    /// Waits for the process to exit; `None` if it is still running after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.process.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for Kernel {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn types(messages: &[Msg]) -> Vec<&str> {
    messages.iter().map(Msg::msg_type).collect()
}
