//! The comm protocol through the shell handlers: open to a known and an unknown target, routing of
//! comm_msg, close from either side, comm_info with and without its target filter, and the IOPub
//! order (busy, the comm's messages, idle) around each comm message.

use crate::support::*;
use distsim_kernel::comm::{CommTarget, Data, Outbox};
use distsim_kernel::protocol::content::*;
use serde_json::{json, Map};
use std::sync::{Arc, Mutex};

/// What the test target saw, as `event comm_id data` lines.
type Log = Arc<Mutex<Vec<String>>>;

/// A target that logs every call and answers by its data's `do`: `echo` sends the data back on
/// the same comm, `open` opens a new comm from the kernel to `echo.back`, `close` closes the comm
/// from the kernel side. A comm_open whose data has `refuse` is refused.
struct Echo {
    log: Log,
}

impl CommTarget for Echo {
    fn names(&self) -> &'static [&'static str] {
        &["echo", "echo.back"]
    }

    fn opened(&mut self, _out: &mut Outbox, target: &str, comm_id: &str, data: &Data) -> Result<(), String> {
        self.log.lock().unwrap().push(format!("open {target} {comm_id} {}", json!(data)));
        if data.contains_key("refuse") {
            return Err("refused on request".into());
        }
        Ok(())
    }

    fn message(&mut self, out: &mut Outbox, comm_id: &str, data: &Data) {
        self.log.lock().unwrap().push(format!("msg {comm_id} {}", json!(data)));
        match data.get("do").and_then(|d| d.as_str()) {
            Some("echo") => out.send(comm_id, data.clone()),
            Some("open") => {
                let id = out.open("echo.back", data.clone(), crate::support::data(json!({"version": "1"})));
                out.send(comm_id, crate::support::data(json!({ "opened": id })));
            }
            Some("close") => out.close(comm_id, Map::new()),
            _ => {}
        }
    }

    fn closed(&mut self, _out: &mut Outbox, comm_id: &str, data: &Data) {
        self.log.lock().unwrap().push(format!("close {comm_id} {}", json!(data)));
    }

    fn as_any(&mut self) -> &mut dyn std::any::Any {
        self
    }
}

fn start() -> (Client, Log) {
    let log = Log::default();
    (Client::start_with_comm_targets(vec![Box::new(Echo { log: log.clone() })]), log)
}

fn open(comm_id: &str, target: &str, data: serde_json::Value) -> CommOpen {
    CommOpen {
        comm_id: comm_id.into(),
        target_name: target.into(),
        data: crate::support::data(data),
        target_module: None,
    }
}

fn msg(comm_id: &str, data: serde_json::Value) -> CommMsg {
    CommMsg { comm_id: comm_id.into(), data: crate::support::data(data) }
}

fn info(client: &Client, target_name: Option<&str>) -> Map<String, serde_json::Value> {
    let sent = client.send(Chan::Shell, &CommInfoRequest { target_name: target_name.map(str::to_owned) });
    let reply: CommInfoReply = client.reply(Chan::Shell, &sent);
    assert_eq!(reply.status, ReplyStatus::Ok);
    reply.comms
}

#[test]
fn an_open_to_a_known_target_is_kept_listed_and_gets_no_reply() {
    let (client, log) = start();
    let (_, iopub) = comm_request(&client, &open("c-1", "echo", json!({"x": 1})));
    assert_eq!(types(&iopub), ["status", "status"], "busy/idle and nothing else: the comm stays open");
    assert_eq!(*log.lock().unwrap(), [r#"open echo c-1 {"x":1}"#]);
    assert!(client.try_recv_now(Chan::Shell).is_none(), "comm_open has no reply");
    assert_eq!(json!(info(&client, None)), json!({"c-1": {"target_name": "echo"}}));
    client.shutdown();
}

#[test]
fn an_open_to_an_unknown_target_is_closed_and_not_listed() {
    let (client, log) = start();
    let (_, iopub) = comm_request(&client, &open("c-9", "nobody.home", json!({})));
    assert_eq!(types(&iopub), ["status", "comm_close", "status"]);
    assert_eq!(only::<CommClose>(&iopub).comm_id, "c-9");
    assert!(log.lock().unwrap().is_empty());
    assert!(info(&client, None).is_empty());
    client.shutdown();
}

#[test]
fn a_refused_open_is_closed_and_not_listed() {
    let (client, _) = start();
    let (_, iopub) = comm_request(&client, &open("c-2", "echo", json!({"refuse": true})));
    assert_eq!(types(&iopub), ["status", "comm_close", "status"]);
    assert!(info(&client, None).is_empty());
    client.shutdown();
}

#[test]
fn a_comm_msg_reaches_its_target_and_the_answer_sits_between_busy_and_idle() {
    let (client, log) = start();
    comm_request(&client, &open("c-1", "echo", json!({})));
    let (sent, iopub) = comm_request(&client, &msg("c-1", json!({"do": "echo", "n": 7})));
    assert_eq!(types(&iopub), ["status", "comm_msg", "status"]);
    assert_eq!(iopub[0].content::<Status>().unwrap().execution_state, ExecutionState::Busy);
    let answer: CommMsg = only(&iopub);
    assert_eq!(answer, msg("c-1", json!({"do": "echo", "n": 7})));
    assert!(iopub.iter().all(|m| m.parent_header.as_ref().unwrap().msg_id == sent.header.msg_id));
    assert_eq!(log.lock().unwrap()[1], r#"msg c-1 {"do":"echo","n":7}"#);
    assert!(client.try_recv_now(Chan::Shell).is_none(), "comm_msg has no reply");
    client.shutdown();
}

#[test]
fn a_comm_msg_to_a_comm_that_is_not_open_is_dropped() {
    let (client, log) = start();
    let (_, iopub) = comm_request(&client, &msg("never-opened", json!({"do": "echo"})));
    assert_eq!(types(&iopub), ["status", "status"]);
    assert!(log.lock().unwrap().is_empty());
    client.shutdown();
}

#[test]
fn a_close_from_the_front_end_reaches_the_target_and_unlists_the_comm() {
    let (client, log) = start();
    comm_request(&client, &open("c-1", "echo", json!({})));
    comm_request(&client, &open("c-2", "echo", json!({})));
    let close = CommClose { comm_id: "c-1".into(), data: crate::support::data(json!({"why": "done"})) };
    let (_, iopub) = comm_request(&client, &close);
    assert_eq!(types(&iopub), ["status", "status"]);
    assert_eq!(log.lock().unwrap()[2], r#"close c-1 {"why":"done"}"#);
    assert_eq!(json!(info(&client, None)), json!({"c-2": {"target_name": "echo"}}));
    // The closed comm no longer routes.
    comm_request(&client, &msg("c-1", json!({"do": "echo"})));
    assert_eq!(log.lock().unwrap().len(), 3);
    client.shutdown();
}

#[test]
fn the_kernel_opens_and_closes_comms_and_info_filters_by_target() {
    let (client, _) = start();
    comm_request(&client, &open("c-1", "echo", json!({})));
    let (_, iopub) = comm_request(&client, &msg("c-1", json!({"do": "open", "k": "v"})));
    assert_eq!(types(&iopub), ["status", "comm_open", "comm_msg", "status"], "the open comes before its use");
    let opened: CommOpen = only(&iopub);
    assert_eq!(opened.target_name, "echo.back");
    assert_eq!(json!(opened.data), json!({"do": "open", "k": "v"}));
    let open_message = iopub.iter().find(|m| m.msg_type() == "comm_open").unwrap();
    assert_eq!(json!(open_message.metadata), json!({"version": "1"}), "the kernel's comm_open carries metadata");
    assert_eq!(only::<CommMsg>(&iopub).data["opened"], json!(opened.comm_id));

    assert_eq!(info(&client, None).len(), 2);
    let back = info(&client, Some("echo.back"));
    assert_eq!(json!(back), json!({ opened.comm_id.clone(): {"target_name": "echo.back"} }));
    assert_eq!(json!(info(&client, Some("echo"))), json!({"c-1": {"target_name": "echo"}}));
    assert!(info(&client, Some("nothing")).is_empty());

    // A message on the kernel-opened comm routes to the same target, which can close it.
    let (_, iopub) = comm_request(&client, &msg(&opened.comm_id, json!({"do": "close"})));
    assert_eq!(types(&iopub), ["status", "comm_close", "status"]);
    assert_eq!(only::<CommClose>(&iopub).comm_id, opened.comm_id);
    assert!(info(&client, Some("echo.back")).is_empty());
    client.shutdown();
}

#[test]
fn comms_survive_across_cells() {
    let (client, _) = start();
    comm_request(&client, &open("c-1", "echo", json!({})));
    let (reply, _) = client.execute("print between");
    assert!(matches!(reply, ExecuteReply::Ok { .. }));
    client.execute("value 3");
    let (_, iopub) = comm_request(&client, &msg("c-1", json!({"do": "echo"})));
    assert_eq!(only::<CommMsg>(&iopub).comm_id, "c-1");
    assert_eq!(info(&client, None).len(), 1);
    client.shutdown();
}

#[test]
fn comm_info_answers_while_no_comm_is_open() {
    let client = Client::start();
    assert!(info(&client, None).is_empty());
    assert!(info(&client, Some("jupyter.widget")).is_empty());
    client.shutdown();
}
