//! A test client for the protocol core: in-memory sockets, signed messages, and helpers that
//! collect a request's IOPub messages up to its `idle`.

use distsim_kernel::comm::{builtin_targets, CommTarget};
use distsim_kernel::interpreter::Interpreter;
use distsim_kernel::protocol::content::*;
use distsim_kernel::protocol::{
    spawn_with_comm_targets, Content, KernelConfig, KernelHandle, KernelIdentity, KernelSockets, Message, RestartMode,
};
use distsim_kernel::testing::FakeInterpreter;
use distsim_kernel::transport::memory::{self, MemoryPeer, MemorySocket};
use distsim_kernel::transport::signing::Signer;
use distsim_kernel::transport::wire::RawMessage;
use distsim_kernel::transport::{Frames, RouterSocket};
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;

/// Long enough for any reply on a loaded machine, short enough to fail a hung test.
pub const WAIT: Duration = Duration::from_secs(20);
pub const KEY: &str = "test-key-0123456789";
/// The identity frame a ROUTER would prepend for this client.
pub const CLIENT_ID: &[u8] = b"client-1";

#[derive(Clone, Copy, Debug)]
pub enum Chan {
    Shell,
    Control,
    Stdin,
}

pub struct Client {
    shell: MemoryPeer,
    control: MemoryPeer,
    stdin: MemoryPeer,
    iopub: Receiver<Frames>,
    pub signer: Signer,
    identity: KernelIdentity,
    pub kernel: Option<KernelHandle>,
}

impl Client {
    pub fn start() -> Self {
        Self::start_with(RestartMode::InPlace)
    }

    pub fn start_with(restart_mode: RestartMode) -> Self {
        Self::start_custom(restart_mode, |socket, _| Box::new(socket))
    }

    /// A kernel whose comm targets are `targets` instead of the built-in ones.
    pub fn start_with_comm_targets(targets: Vec<Box<dyn CommTarget>>) -> Self {
        Self::start_full(RestartMode::InPlace, |socket, _| Box::new(socket), targets, Box::new(FakeInterpreter::new()))
    }

    /// A kernel with the built-in comm targets and `interpreter` instead of the fake one.
    pub fn start_with_interpreter(interpreter: Box<dyn Interpreter>) -> Self {
        Self::start_full(RestartMode::InPlace, |socket, _| Box::new(socket), builtin_targets(), interpreter)
    }

    /// Starts a kernel whose shell socket is `wrap`ped, e.g. to act like a client that answers
    /// faster than any real one. `wrap` also gets a sender into the kernel's shell inbox.
    pub fn start_custom(
        restart_mode: RestartMode,
        wrap: impl FnOnce(MemorySocket, Sender<Frames>) -> Box<dyn RouterSocket>,
    ) -> Self {
        Self::start_full(restart_mode, wrap, builtin_targets(), Box::new(FakeInterpreter::new()))
    }

    fn start_full(
        restart_mode: RestartMode,
        wrap: impl FnOnce(MemorySocket, Sender<Frames>) -> Box<dyn RouterSocket>,
        comm_targets: Vec<Box<dyn CommTarget>>,
        interpreter: Box<dyn Interpreter>,
    ) -> Self {
        let (shell_k, shell) = memory::pair();
        let shell_k = wrap(shell_k, shell.to_kernel.clone());
        let (control_k, control) = memory::pair();
        let (stdin_k, stdin) = memory::pair();
        let (iopub_k, iopub) = memory::publisher();
        let signer = Signer::new(KEY, "hmac-sha256").unwrap();
        let sockets = KernelSockets {
            shell: shell_k,
            control: Box::new(control_k),
            stdin: Box::new(stdin_k),
            iopub: Box::new(iopub_k),
        };
        let config = KernelConfig { signer: signer.clone(), restart_mode };
        let kernel = spawn_with_comm_targets(sockets, interpreter, config, comm_targets);
        Client { shell, control, stdin, iopub, signer, identity: KernelIdentity::new(), kernel: Some(kernel) }
    }

    fn peer(&self, chan: Chan) -> &MemoryPeer {
        match chan {
            Chan::Shell => &self.shell,
            Chan::Control => &self.control,
            Chan::Stdin => &self.stdin,
        }
    }

    /// A signed message ready to send.
    pub fn message<T: Content>(&self, content: &T) -> Message {
        self.identity.message(None, vec![CLIENT_ID.to_vec()], content)
    }

    pub fn frames(&self, message: &Message) -> Frames {
        message.encode().into_frames(&self.signer)
    }

    pub fn send_frames(&self, chan: Chan, frames: Frames) {
        self.peer(chan).to_kernel.send(frames).unwrap();
    }

    /// Sends a request; returns it (for its msg_id).
    pub fn send<T: Content>(&self, chan: Chan, content: &T) -> Message {
        let message = self.message(content);
        self.send_frames(chan, self.frames(&message));
        message
    }

    /// Sends a message with a parent header (input_reply).
    pub fn send_reply_to<T: Content>(&self, chan: Chan, parent: &Message, content: &T) -> Message {
        let message = self.identity.message(Some(parent), vec![CLIENT_ID.to_vec()], content);
        self.send_frames(chan, self.frames(&message));
        message
    }

    fn decode(&self, frames: Frames) -> Message {
        let raw = RawMessage::from_frames(frames, &self.signer).expect("kernel messages are signed");
        Message::decode(raw).expect("kernel messages are valid JSON")
    }

    /// The next message the kernel sent on `chan`.
    pub fn recv(&self, chan: Chan) -> Message {
        let frames = self.peer(chan).from_kernel.recv_timeout(WAIT).expect("no message from the kernel");
        self.decode(frames)
    }

    /// A message the kernel has already sent on `chan`, if any; never waits. Call it once an event
    /// proves that the message would have been sent by now (e.g. the request's `idle`, which the
    /// kernel publishes after its reply), so that "nothing came" does not rest on a timeout.
    pub fn try_recv_now(&self, chan: Chan) -> Option<Message> {
        self.peer(chan).from_kernel.try_recv().ok().map(|f| self.decode(f))
    }

    /// The reply on `chan` to `request`, typed. Panics if another reply comes first.
    pub fn reply<T: Content>(&self, chan: Chan, request: &Message) -> T {
        let reply = self.recv(chan);
        assert_eq!(reply.parent_header.as_ref().unwrap().msg_id, request.header.msg_id, "reply to another request");
        assert_eq!(reply.msg_type(), T::MSG_TYPE);
        assert_eq!(reply.identities, vec![CLIENT_ID.to_vec()], "replies route back to the sender");
        reply.content().unwrap()
    }

    pub fn next_iopub(&self) -> Message {
        self.decode(self.iopub.recv_timeout(WAIT).expect("no IOPub message"))
    }

    /// IOPub messages caused by `request`, from its busy through its idle (others are skipped).
    pub fn iopub_for(&self, request: &Message) -> Vec<Message> {
        let mut out = Vec::new();
        loop {
            let message = self.next_iopub();
            if message.parent_header.as_ref().map(|p| &p.msg_id) != Some(&request.header.msg_id) {
                continue;
            }
            let idle = message.msg_type() == "status"
                && message.content::<Status>().unwrap().execution_state == ExecutionState::Idle;
            out.push(message);
            if idle {
                return out;
            }
        }
    }

    /// Runs `code` with default options; returns the reply and the cell's IOPub messages.
    pub fn execute(&self, code: &str) -> (ExecuteReply, Vec<Message>) {
        self.execute_with(execute_request(code))
    }

    pub fn execute_with(&self, request: ExecuteRequest) -> (ExecuteReply, Vec<Message>) {
        let sent = self.send(Chan::Shell, &request);
        let reply = self.reply::<ExecuteReply>(Chan::Shell, &sent);
        (reply, self.iopub_for(&sent))
    }

    /// Shuts down (no restart) and waits for the kernel threads to end.
    pub fn shutdown(mut self) {
        let sent = self.send(Chan::Control, &ShutdownRequest { restart: false });
        let reply: ShutdownReply = self.reply(Chan::Control, &sent);
        assert_eq!(reply.status, ReplyStatus::Ok);
        self.kernel.take().unwrap().wait();
    }
}

pub fn execute_request(code: &str) -> ExecuteRequest {
    ExecuteRequest {
        code: code.to_owned(),
        silent: false,
        store_history: true,
        user_expressions: Default::default(),
        allow_stdin: true,
        stop_on_error: true,
    }
}

pub fn types(messages: &[Message]) -> Vec<&str> {
    messages.iter().map(|m| m.msg_type()).collect()
}

/// The content of the only message of type `T` among `messages`.
pub fn only<T: Content>(messages: &[Message]) -> T {
    let found: Vec<&Message> = messages.iter().filter(|m| m.msg_type() == T::MSG_TYPE).collect();
    assert_eq!(found.len(), 1, "expected one {} in {:?}", T::MSG_TYPE, types(messages));
    found[0].content().unwrap()
}

/// Sends a comm message of type `T` on shell; returns it and its IOPub messages (busy to idle).
pub fn comm_request<T: Content>(client: &Client, content: &T) -> (Message, Vec<Message>) {
    let sent = client.send(Chan::Shell, content);
    let iopub = client.iopub_for(&sent);
    (sent, iopub)
}

pub fn data(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match value {
        serde_json::Value::Object(map) => map,
        other => panic!("comm data must be an object, not {other}"),
    }
}
