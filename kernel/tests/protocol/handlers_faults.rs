//! The fault cases: stop_on_error, forged and malformed messages, control while a cell runs,
//! interrupt, stdin gating, restart and shutdown.

use crate::support::*;
use distsim_kernel::protocol::content::*;
use distsim_kernel::protocol::{KernelIdentity, Message, RestartMode};
use distsim_kernel::transport::memory::MemorySocket;
use distsim_kernel::transport::signing::Signer;
use distsim_kernel::transport::{Frames, RouterSocket, TransportError};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// Starts a cell that blocks on input, so later requests are surely queued behind it.
fn blocked_cell(client: &Client, rest: &str) -> (Message, Message) {
    let sent = client.send(Chan::Shell, &execute_request(&format!("input go?\n{rest}")));
    let asked = client.recv(Chan::Stdin);
    assert_eq!(asked.msg_type(), "input_request");
    (sent, asked)
}

#[test]
fn stop_on_error_aborts_the_executes_queued_behind_the_failure() {
    let client = Client::start();
    let (failing, asked) = blocked_cell(&client, "panic boom");
    let queued: Vec<Message> =
        ["value 2", "value 3"].iter().map(|c| client.send(Chan::Shell, &execute_request(c))).collect();
    client.send_reply_to(Chan::Stdin, &asked, &InputReply { value: "yes".into() });

    assert!(matches!(client.reply::<ExecuteReply>(Chan::Shell, &failing), ExecuteReply::Error { .. }));
    for request in &queued {
        let reply: ExecuteReply = client.reply(Chan::Shell, request);
        assert_eq!(reply, ExecuteReply::Aborted { execution_count: 1 });
        assert_eq!(types(&client.iopub_for(request)), ["status", "status"], "aborted cells publish only busy/idle");
    }
    // Requests sent after the abort run normally.
    let (reply, _) = client.execute("value 4");
    assert!(matches!(reply, ExecuteReply::Ok { execution_count: 2, .. }), "{reply:?}");
    client.shutdown();
}

/// A shell socket that behaves like the quickest possible client: the moment the kernel sends a
/// reply whose content contains `trigger`, the follow-up request is already in the kernel's inbox.
struct InstantFollowUp {
    inner: MemorySocket,
    to_kernel: Sender<Frames>,
    trigger: &'static [u8],
    follow_up: Option<Frames>,
}

impl RouterSocket for InstantFollowUp {
    fn recv(&mut self, timeout: Duration) -> Result<Option<Frames>, TransportError> {
        self.inner.recv(timeout)
    }

    fn send(&mut self, frames: Frames) -> Result<(), TransportError> {
        let trigger = self.trigger;
        let triggered = frames.last().is_some_and(|content| content.windows(trigger.len()).any(|w| w == trigger));
        self.inner.send(frames)?;
        if triggered {
            if let Some(follow_up) = self.follow_up.take() {
                self.to_kernel.send(follow_up).expect("the kernel's shell inbox is open");
            }
        }
        Ok(())
    }
}

/// A client whose next cell reaches the kernel the instant a reply containing `trigger` is sent.
fn client_with_instant_follow_up(trigger: &'static [u8]) -> (Client, Message) {
    let follow_up = KernelIdentity::new().message(None, vec![CLIENT_ID.to_vec()], &execute_request("value 9"));
    let frames = follow_up.encode().into_frames(&Signer::new(KEY, "hmac-sha256").unwrap());
    let client = Client::start_custom(RestartMode::InPlace, move |inner, to_kernel| {
        Box::new(InstantFollowUp { inner, to_kernel, trigger, follow_up: Some(frames) })
    });
    (client, follow_up)
}

#[test]
fn a_request_sent_after_an_aborted_reply_runs_however_fast_it_arrives() {
    let (client, follow_up) = client_with_instant_follow_up(b"\"aborted\"");
    let (failing, asked) = blocked_cell(&client, "panic boom");
    let queued = client.send(Chan::Shell, &execute_request("value 2"));
    client.send_reply_to(Chan::Stdin, &asked, &InputReply { value: "yes".into() });
    assert!(matches!(client.reply::<ExecuteReply>(Chan::Shell, &failing), ExecuteReply::Error { .. }));
    assert_eq!(client.reply::<ExecuteReply>(Chan::Shell, &queued), ExecuteReply::Aborted { execution_count: 1 });
    // Sent only once the client saw the abort, so it was never queued behind the failure.
    let reply: ExecuteReply = client.reply(Chan::Shell, &follow_up);
    assert!(matches!(reply, ExecuteReply::Ok { execution_count: 2, .. }), "{reply:?}");
    client.shutdown();
}

/// The CI flake of `control_answers_kernel_info_while_a_cell_runs_and_interrupt_stops_it`: the
/// client sent its next cell on seeing the error reply, and the abort that follows a failed cell
/// caught it when it arrived before the kernel had looked at its queue.
#[test]
fn a_request_sent_on_the_error_reply_runs_however_fast_it_arrives() {
    let (client, follow_up) = client_with_instant_follow_up(b"\"status\":\"error\"");
    let (reply, _) = client.execute("panic boom");
    assert!(matches!(reply, ExecuteReply::Error { execution_count: 1, .. }), "{reply:?}");
    let reply: ExecuteReply = client.reply(Chan::Shell, &follow_up);
    assert!(matches!(reply, ExecuteReply::Ok { execution_count: 2, .. }), "{reply:?}");
    client.shutdown();
}

#[test]
fn without_stop_on_error_queued_cells_still_run() {
    let client = Client::start();
    let mut failing = execute_request("input go?\npanic boom");
    failing.stop_on_error = false;
    let failing = client.send(Chan::Shell, &failing);
    let asked = client.recv(Chan::Stdin);
    let queued = client.send(Chan::Shell, &execute_request("value 2"));
    client.send_reply_to(Chan::Stdin, &asked, &InputReply { value: "yes".into() });
    assert!(matches!(client.reply::<ExecuteReply>(Chan::Shell, &failing), ExecuteReply::Error { .. }));
    assert!(matches!(client.reply::<ExecuteReply>(Chan::Shell, &queued), ExecuteReply::Ok { execution_count: 2, .. }));
    client.shutdown();
}

#[test]
fn a_forged_signature_is_ignored_and_the_next_valid_request_answered() {
    let client = Client::start();
    let forged = client.message(&execute_request("print pwned"));
    let forger = Signer::new("not-the-key", "hmac-sha256").unwrap();
    client.send_frames(Chan::Shell, forged.encode().into_frames(&forger));
    // A tampered copy of a correctly signed message is forged too.
    let mut tampered = client.frames(&client.message(&execute_request("value 1")));
    let content = tampered.len() - 1;
    tampered[content] = br#"{"code":"print pwned"}"#.to_vec();
    client.send_frames(Chan::Shell, tampered);

    let valid = client.send(Chan::Shell, &KernelInfoRequest {});
    let _: KernelInfoReply = client.reply(Chan::Shell, &valid);
    let (reply, _) = client.execute("value ok");
    assert!(matches!(reply, ExecuteReply::Ok { execution_count: 1, .. }), "forged cells never ran: {reply:?}");
    client.shutdown();
}

#[test]
fn malformed_messages_are_dropped_and_bad_content_gets_an_error_reply() {
    let client = Client::start();
    let mut broken = client.message(&KernelInfoRequest {}).encode();
    broken.header = b"{not json".to_vec();
    client.send_frames(Chan::Shell, broken.into_frames(&client.signer));
    client.send_frames(Chan::Shell, vec![b"no delimiter".to_vec()]);
    client.send_frames(Chan::Control, vec![CLIENT_ID.to_vec(), b"<IDS|MSG>".to_vec(), b"sig".to_vec()]);

    // Valid JSON of the wrong shape: answered, so the client is not left waiting.
    let mut wrong = client.message(&KernelInfoRequest {});
    wrong.header.msg_type = "execute_request".into();
    client.send_frames(Chan::Shell, client.frames(&wrong));
    let reply: ErrorReply = {
        let message = client.recv(Chan::Shell);
        assert_eq!(message.msg_type(), "execute_reply");
        message.content().unwrap()
    };
    assert_eq!((reply.status, reply.ename.as_str()), (ReplyStatus::Error, "BadRequest"));

    let valid = client.send(Chan::Control, &KernelInfoRequest {});
    let _: KernelInfoReply = client.reply(Chan::Control, &valid);
    client.shutdown();
}

#[test]
fn unknown_message_types_get_busy_idle_and_no_reply() {
    let client = Client::start();
    let mut odd = client.message(&KernelInfoRequest {});
    odd.header.msg_type = "frobnicate_request".into();
    client.send_frames(Chan::Shell, client.frames(&odd));
    assert_eq!(types(&client.iopub_for(&odd)), ["status", "status"]);
    // A reply would have gone out before the idle just seen.
    assert!(client.try_recv_now(Chan::Shell).is_none());
    client.shutdown();
}

#[test]
fn control_answers_kernel_info_while_a_cell_runs_and_interrupt_stops_it() {
    let client = Client::start();
    client.execute("let kept = yes");
    let running = client.send(Chan::Shell, &execute_request("print started\nsleep"));
    // Wait until the cell is surely inside the interpreter.
    loop {
        let message = client.next_iopub();
        if message.msg_type() == "stream" {
            break;
        }
    }
    let info = client.send(Chan::Control, &KernelInfoRequest {});
    let _: KernelInfoReply = client.reply(Chan::Control, &info);
    assert!(client.try_recv_now(Chan::Shell).is_none(), "the cell is still running");

    let interrupt = client.send(Chan::Control, &InterruptRequest {});
    assert_eq!(client.reply::<InterruptReply>(Chan::Control, &interrupt).status, ReplyStatus::Ok);
    let reply: ExecuteReply = client.reply(Chan::Shell, &running);
    assert!(matches!(reply, ExecuteReply::Error { ref ename, .. } if ename == "Interrupted"), "{reply:?}");
    let (reply, iopub) = client.execute("get kept");
    assert!(matches!(reply, ExecuteReply::Ok { .. }));
    assert_eq!(only::<ExecuteResult>(&iopub).data["text/plain"], "yes");
    client.shutdown();
}

#[test]
fn input_goes_over_stdin_to_the_requesting_client() {
    let client = Client::start();
    let (sent, asked) = blocked_cell(&client, "");
    assert_eq!(asked.identities, vec![CLIENT_ID.to_vec()]);
    assert_eq!(asked.parent_header.as_ref().unwrap().msg_id, sent.header.msg_id);
    assert_eq!(asked.content::<InputRequest>().unwrap().prompt, "go?");
    client.send_reply_to(Chan::Stdin, &asked, &InputReply { value: "42".into() });
    let _: ExecuteReply = client.reply(Chan::Shell, &sent);
    let iopub = client.iopub_for(&sent);
    assert_eq!(only::<Stream>(&iopub).text, "got: 42\n");
    client.shutdown();
}

#[test]
fn allow_stdin_false_means_no_input_request() {
    let client = Client::start();
    let mut request = execute_request("input name?");
    request.allow_stdin = false;
    let (reply, _) = client.execute_with(request);
    assert!(matches!(reply, ExecuteReply::Error { ref ename, .. } if ename == "NoInput"));
    // An input_request would have gone out before the reply.
    assert!(client.try_recv_now(Chan::Stdin).is_none());
    client.shutdown();
}

#[test]
fn interrupt_ends_a_wait_for_input() {
    let client = Client::start();
    let (sent, _asked) = blocked_cell(&client, "");
    let interrupt = client.send(Chan::Control, &InterruptRequest {});
    let _: InterruptReply = client.reply(Chan::Control, &interrupt);
    assert!(matches!(client.reply::<ExecuteReply>(Chan::Shell, &sent), ExecuteReply::Error { .. }));
    client.shutdown();
}

#[test]
fn restart_in_place_clears_state_and_counting() {
    let client = Client::start_with(RestartMode::InPlace);
    client.execute("let x = 1");
    client.execute("get x");
    let sent = client.send(Chan::Control, &ShutdownRequest { restart: true });
    let reply: ShutdownReply = client.reply(Chan::Control, &sent);
    assert_eq!(reply, ShutdownReply { status: ReplyStatus::Ok, restart: true });
    let (reply, iopub) = client.execute("get x");
    assert!(matches!(reply, ExecuteReply::Error { execution_count: 1, .. }), "{reply:?}");
    assert_eq!(only::<ErrorOutput>(&iopub).ename, "CompileError");
    client.shutdown();
}

#[test]
fn shutdown_replies_and_stops_the_kernel() {
    let client = Client::start_with(RestartMode::NewProcess);
    let sent = client.send(Chan::Control, &ShutdownRequest { restart: true });
    let reply: ShutdownReply = client.reply(Chan::Control, &sent);
    assert_eq!(reply, ShutdownReply { status: ReplyStatus::Ok, restart: true });
    assert_eq!(types(&client.iopub_for(&sent)), ["status", "status"]);
    let mut client = client;
    let kernel = client.kernel.take().unwrap();
    assert!(kernel.is_stopping());
    kernel.wait(); // returns: every thread ended
}
