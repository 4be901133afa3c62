//! The shell handlers on ordinary requests: ordering, counting, results, history, comms.

use crate::support::*;
use distsim_kernel::protocol::content::*;
use serde_json::json;

#[test]
fn a_cell_publishes_busy_input_outputs_result_then_idle_in_order() {
    let client = Client::start();
    let (reply, iopub) = client.execute("print one\ndisplay two\neprint three\nvalue 4");
    assert_eq!(
        types(&iopub),
        ["status", "execute_input", "stream", "display_data", "stream", "execute_result", "status"]
    );
    assert_eq!(iopub[0].content::<Status>().unwrap().execution_state, ExecutionState::Busy);
    assert_eq!(iopub[2].content::<Stream>().unwrap(), Stream { name: StreamKind::Stdout, text: "one\n".into() });
    assert_eq!(iopub[4].content::<Stream>().unwrap(), Stream { name: StreamKind::Stderr, text: "three\n".into() });
    let result: ExecuteResult = only(&iopub);
    assert_eq!(result.execution_count, 1);
    assert_eq!(result.data["text/plain"], json!("4"));
    assert!(matches!(reply, ExecuteReply::Ok { execution_count: 1, .. }));
    client.shutdown();
}

#[test]
fn counting_starts_at_one_and_skips_silent_and_unstored_runs() {
    let client = Client::start();
    let (first, _) = client.execute("value a");
    assert!(matches!(first, ExecuteReply::Ok { execution_count: 1, .. }));

    let mut unstored = execute_request("value b");
    unstored.store_history = false;
    let (reply, iopub) = client.execute_with(unstored);
    assert!(matches!(reply, ExecuteReply::Ok { execution_count: 1, .. }), "{reply:?}");
    assert_eq!(only::<ExecuteInput>(&iopub).execution_count, 1);

    let mut silent = execute_request("print hidden\nvalue c");
    silent.silent = true;
    let (reply, iopub) = client.execute_with(silent);
    assert!(matches!(reply, ExecuteReply::Ok { execution_count: 1, .. }));
    assert_eq!(types(&iopub), ["status", "status"], "silent publishes nothing but busy/idle");

    let (after, iopub) = client.execute("value d");
    assert!(matches!(after, ExecuteReply::Ok { execution_count: 2, .. }));
    assert_eq!(only::<ExecuteResult>(&iopub).execution_count, 2);
    client.shutdown();
}

#[test]
fn an_error_reply_carries_the_same_fields_as_the_error_output() {
    let client = Client::start();
    let (reply, iopub) = client.execute("print before\npanic it broke");
    let error: ErrorOutput = only(&iopub);
    assert_eq!(error.ename, "Panic");
    assert_eq!(
        reply,
        ExecuteReply::Error {
            execution_count: 1,
            ename: error.ename,
            evalue: error.evalue,
            traceback: error.traceback
        }
    );
    assert_eq!(types(&iopub).last(), Some(&"status"), "idle after the error output");
    client.shutdown();
}

#[test]
fn a_result_without_text_plain_gets_one() {
    let client = Client::start();
    let (_, iopub) = client.execute("html <b>x</b>");
    let result: ExecuteResult = only(&iopub);
    assert_eq!(result.data["text/html"], json!("<b>x</b>"));
    // The one fallback (`distsim::render::text_plain_fallback`): the HTML's text.
    assert_eq!(result.data["text/plain"], "x");
    client.shutdown();
}

#[test]
fn updatable_displays_and_clear_output_are_forwarded() {
    let client = Client::start();
    let (_, iopub) = client.execute("show bar 0%\nupdate bar 100%\nclear");
    assert_eq!(types(&iopub)[2..5], ["display_data", "update_display_data", "clear_output"]);
    let update: UpdateDisplayData = only(&iopub);
    assert_eq!(update.transient.display_id.as_deref(), Some("bar"));
    assert_eq!(only::<DisplayData>(&iopub).transient.display_id.as_deref(), Some("bar"));
    client.shutdown();
}

#[test]
fn kernel_info_has_the_exact_language_info() {
    let client = Client::start();
    let sent = client.send(Chan::Shell, &KernelInfoRequest {});
    let info: KernelInfoReply = client.reply(Chan::Shell, &sent);
    let expected = LanguageInfo {
        name: "rust".into(),
        version: "0.0.0-fake".into(),
        mimetype: "text/rust".into(),
        file_extension: ".rs".into(),
        pygments_lexer: "rust".into(),
        codemirror_mode: "rust".into(),
    };
    assert_eq!(info.language_info, expected);
    assert_eq!(info.protocol_version, "5.3");
    assert_eq!(info.implementation, "distsim-kernel");
    assert!(!info.help_links.is_empty());
    let statuses = client.iopub_for(&sent);
    assert_eq!(types(&statuses), ["status", "status"]);
    client.shutdown();
}

#[test]
fn complete_inspect_and_is_complete_answer_from_the_interpreter() {
    let client = Client::start();
    // cursor_pos counts code points: "é " is 2 of them (3 bytes).
    let sent = client.send(Chan::Shell, &CompleteRequest { code: "é pri".into(), cursor_pos: 5 });
    let reply: CompleteReply = client.reply(Chan::Shell, &sent);
    assert_eq!((reply.matches, reply.cursor_start, reply.cursor_end), (vec!["print".to_owned()], 2, 5));

    let sent = client.send(Chan::Shell, &InspectRequest { code: "sleep".into(), cursor_pos: 5, detail_level: 0 });
    let reply: InspectReply = client.reply(Chan::Shell, &sent);
    assert!(reply.found && reply.data.contains_key("text/plain"));

    for (code, expected) in [
        ("value {", IsCompleteReply::Incomplete { indent: "    ".into() }),
        ("value 1", IsCompleteReply::Complete),
        ("@invalid", IsCompleteReply::Invalid),
    ] {
        let sent = client.send(Chan::Shell, &IsCompleteRequest { code: code.into() });
        assert_eq!(client.reply::<IsCompleteReply>(Chan::Shell, &sent), expected, "{code}");
    }
    client.shutdown();
}

fn history(client: &Client, request: HistoryRequest) -> Vec<HistoryEntry> {
    let sent = client.send(Chan::Shell, &request);
    client.reply::<HistoryReply>(Chan::Shell, &sent).history
}

fn history_request(kind: HistAccess) -> HistoryRequest {
    HistoryRequest {
        output: false,
        raw: true,
        hist_access_type: kind,
        session: 0,
        start: 0,
        stop: 0,
        n: None,
        pattern: String::new(),
        unique: false,
    }
}

#[test]
fn history_answers_tail_range_and_search() {
    let client = Client::start();
    for code in ["value 10", "print x", "value 12", "value 10"] {
        client.execute(code);
    }
    let tail = history(&client, HistoryRequest { n: Some(2), output: true, ..history_request(HistAccess::Tail) });
    assert_eq!(
        tail,
        [
            HistoryEntry::WithOutput(1, 3, ("value 12".into(), Some("12".into()))),
            HistoryEntry::WithOutput(1, 4, ("value 10".into(), Some("10".into()))),
        ]
    );
    let range = history(&client, HistoryRequest { start: 2, stop: 4, ..history_request(HistAccess::Range) });
    assert_eq!(range, [HistoryEntry::Input(1, 2, "print x".into()), HistoryEntry::Input(1, 3, "value 12".into())]);
    let search = history(
        &client,
        HistoryRequest { pattern: "value 1?".into(), unique: true, ..history_request(HistAccess::Search) },
    );
    assert_eq!(search, [HistoryEntry::Input(1, 3, "value 12".into()), HistoryEntry::Input(1, 4, "value 10".into())]);
    client.shutdown();
}

#[test]
fn comm_info_is_empty_and_an_unknown_comm_is_closed() {
    let client = Client::start();
    let sent = client.send(Chan::Shell, &CommInfoRequest { target_name: None });
    let reply: CommInfoReply = client.reply(Chan::Shell, &sent);
    assert!(reply.comms.is_empty());

    let open = CommOpen {
        comm_id: "c-1".into(),
        target_name: "jupyter.widget".into(),
        data: Default::default(),
        target_module: None,
    };
    let sent = client.send(Chan::Shell, &open);
    let iopub = client.iopub_for(&sent);
    assert_eq!(types(&iopub), ["status", "comm_close", "status"]);
    assert_eq!(only::<CommClose>(&iopub).comm_id, "c-1");
    // A reply would have gone out before the idle just seen.
    assert!(client.try_recv_now(Chan::Shell).is_none(), "comm_open has no reply");
    client.shutdown();
}

#[test]
fn user_expressions_are_answered_as_unsupported() {
    let client = Client::start();
    let mut request = execute_request("value 1");
    request.user_expressions.insert("x".into(), json!("1 + 1"));
    let (reply, _) = client.execute_with(request);
    let ExecuteReply::Ok { user_expressions, .. } = reply else { panic!("{reply:?}") };
    let entry: ErrorReply = serde_json::from_value(user_expressions["x"].clone()).unwrap();
    assert_eq!((entry.status, entry.ename.as_str()), (ReplyStatus::Error, "NotSupported"));
    client.shutdown();
}
