//! Every content type against the JSON the protocol documents, in both directions.

use distsim_kernel::protocol::content::*;
use distsim_kernel::protocol::Header;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::fmt::Debug;

/// `value` serializes to exactly `wire`, and `wire` deserializes back to `value`.
fn check<T: Content + Serialize + DeserializeOwned + PartialEq + Debug>(value: T, wire: Value) {
    assert_eq!(serde_json::to_value(&value).unwrap(), wire, "{} serializes", T::MSG_TYPE);
    assert_eq!(serde_json::from_value::<T>(wire).unwrap(), value, "{} deserializes", T::MSG_TYPE);
}

fn bundle(text: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("text/plain".into(), json!(text));
    map
}

#[test]
fn kernel_info() {
    check(KernelInfoRequest {}, json!({}));
    let reply = KernelInfoReply {
        status: ReplyStatus::Ok,
        protocol_version: "5.3".into(),
        implementation: "distsim-kernel".into(),
        implementation_version: "0.1.0".into(),
        language_info: LanguageInfo {
            name: "rust".into(),
            version: "1.95.0".into(),
            mimetype: "text/rust".into(),
            file_extension: ".rs".into(),
            pygments_lexer: "rust".into(),
            codemirror_mode: "rust".into(),
        },
        banner: "b".into(),
        help_links: vec![HelpLink { text: "t".into(), url: "u".into() }],
        debugger: false,
    };
    check(
        reply,
        json!({"status": "ok", "protocol_version": "5.3", "implementation": "distsim-kernel",
            "implementation_version": "0.1.0", "banner": "b", "debugger": false,
            "help_links": [{"text": "t", "url": "u"}],
            "language_info": {"name": "rust", "version": "1.95.0", "mimetype": "text/rust", "file_extension": ".rs",
                "pygments_lexer": "rust", "codemirror_mode": "rust"}}),
    );
}

#[test]
fn execute() {
    let request = ExecuteRequest {
        code: "1".into(),
        silent: true,
        store_history: false,
        user_expressions: Map::new(),
        allow_stdin: false,
        stop_on_error: false,
    };
    check(
        request,
        json!({"code": "1", "silent": true, "store_history": false, "user_expressions": {}, "allow_stdin": false, "stop_on_error": false}),
    );
    check(
        ExecuteReply::Ok { execution_count: 3, user_expressions: Map::new(), payload: vec![] },
        json!({"status": "ok", "execution_count": 3, "user_expressions": {}, "payload": []}),
    );
    check(
        ExecuteReply::Error {
            execution_count: 3,
            ename: "Panic".into(),
            evalue: "x".into(),
            traceback: vec!["t".into()],
        },
        json!({"status": "error", "execution_count": 3, "ename": "Panic", "evalue": "x", "traceback": ["t"]}),
    );
    check(ExecuteReply::Aborted { execution_count: 3 }, json!({"status": "aborted", "execution_count": 3}));
    check(ExecuteInput { code: "c".into(), execution_count: 1 }, json!({"code": "c", "execution_count": 1}));
    check(
        ExecuteResult { execution_count: 1, data: bundle("2"), metadata: Map::new() },
        json!({"execution_count": 1, "data": {"text/plain": "2"}, "metadata": {}}),
    );
    check(
        ErrorOutput { ename: "E".into(), evalue: "v".into(), traceback: vec![] },
        json!({"ename": "E", "evalue": "v", "traceback": []}),
    );
}

#[test]
fn introspection() {
    check(CompleteRequest { code: "ab".into(), cursor_pos: 2 }, json!({"code": "ab", "cursor_pos": 2}));
    check(
        CompleteReply {
            status: ReplyStatus::Ok,
            matches: vec!["abc".into()],
            cursor_start: 0,
            cursor_end: 2,
            metadata: Map::new(),
        },
        json!({"status": "ok", "matches": ["abc"], "cursor_start": 0, "cursor_end": 2, "metadata": {}}),
    );
    check(
        InspectRequest { code: "x".into(), cursor_pos: 1, detail_level: 1 },
        json!({"code": "x", "cursor_pos": 1, "detail_level": 1}),
    );
    check(
        InspectReply { status: ReplyStatus::Ok, found: true, data: bundle("doc"), metadata: Map::new() },
        json!({"status": "ok", "found": true, "data": {"text/plain": "doc"}, "metadata": {}}),
    );
    check(IsCompleteRequest { code: "{".into() }, json!({"code": "{"}));
    check(IsCompleteReply::Complete, json!({"status": "complete"}));
    check(IsCompleteReply::Incomplete { indent: "  ".into() }, json!({"status": "incomplete", "indent": "  "}));
    check(IsCompleteReply::Invalid, json!({"status": "invalid"}));
    check(IsCompleteReply::Unknown, json!({"status": "unknown"}));
}

#[test]
fn history() {
    let request = HistoryRequest {
        output: true,
        raw: true,
        hist_access_type: HistAccess::Search,
        session: -1,
        start: 1,
        stop: 4,
        n: Some(3),
        pattern: "a*".into(),
        unique: true,
    };
    check(
        request,
        json!({"output": true, "raw": true, "hist_access_type": "search", "session": -1, "start": 1, "stop": 4,
            "n": 3, "pattern": "a*", "unique": true}),
    );
    let reply = HistoryReply {
        status: ReplyStatus::Ok,
        history: vec![
            HistoryEntry::Input(1, 2, "x".into()),
            HistoryEntry::WithOutput(1, 3, ("y".into(), Some("1".into()))),
        ],
    };
    check(reply, json!({"status": "ok", "history": [[1, 2, "x"], [1, 3, ["y", "1"]]]}));
}

#[test]
fn comms_control_and_stdin() {
    check(CommInfoRequest { target_name: Some("t".into()) }, json!({"target_name": "t"}));
    check(CommInfoRequest { target_name: None }, json!({}));
    check(CommInfoReply { status: ReplyStatus::Ok, comms: Map::new() }, json!({"status": "ok", "comms": {}}));
    check(
        CommOpen { comm_id: "c".into(), target_name: "t".into(), data: Map::new(), target_module: None },
        json!({"comm_id": "c", "target_name": "t", "data": {}}),
    );
    check(CommMsg { comm_id: "c".into(), data: Map::new() }, json!({"comm_id": "c", "data": {}}));
    check(CommClose { comm_id: "c".into(), data: Map::new() }, json!({"comm_id": "c", "data": {}}));
    check(InterruptRequest {}, json!({}));
    check(InterruptReply { status: ReplyStatus::Ok }, json!({"status": "ok"}));
    check(ShutdownRequest { restart: true }, json!({"restart": true}));
    check(ShutdownReply { status: ReplyStatus::Ok, restart: false }, json!({"status": "ok", "restart": false}));
    check(InputRequest { prompt: "? ".into(), password: true }, json!({"prompt": "? ", "password": true}));
    check(InputReply { value: "v".into() }, json!({"value": "v"}));
}

#[test]
fn iopub_broadcasts() {
    check(Status { execution_state: ExecutionState::Starting }, json!({"execution_state": "starting"}));
    check(Status { execution_state: ExecutionState::Busy }, json!({"execution_state": "busy"}));
    check(Stream { name: StreamKind::Stderr, text: "e".into() }, json!({"name": "stderr", "text": "e"}));
    check(
        DisplayData { data: bundle("d"), metadata: Map::new(), transient: Transient::default() },
        json!({"data": {"text/plain": "d"}, "metadata": {}, "transient": {}}),
    );
    check(
        UpdateDisplayData {
            data: bundle("d"),
            metadata: Map::new(),
            transient: Transient { display_id: Some("p".into()) },
        },
        json!({"data": {"text/plain": "d"}, "metadata": {}, "transient": {"display_id": "p"}}),
    );
    check(ClearOutput { wait: true }, json!({"wait": true}));
}

#[test]
fn headers_round_trip_and_tolerate_missing_optional_keys() {
    let header = Header {
        msg_id: "m".into(),
        session: "s".into(),
        username: "u".into(),
        date: "2026-01-01T00:00:00.000000Z".into(),
        msg_type: "status".into(),
        version: "5.3".into(),
    };
    let wire = json!({"msg_id": "m", "session": "s", "username": "u", "date": "2026-01-01T00:00:00.000000Z",
        "msg_type": "status", "version": "5.3"});
    assert_eq!(serde_json::to_value(&header).unwrap(), wire);
    assert_eq!(serde_json::from_value::<Header>(wire).unwrap(), header);
    let sparse: Header = serde_json::from_value(json!({"msg_id": "m", "session": "s", "msg_type": "x"})).unwrap();
    assert_eq!(sparse.date, "");
}

#[test]
fn error_replies_for_bad_requests() {
    let wire = json!({"status": "error", "ename": "BadRequest", "evalue": "v", "traceback": []});
    let reply: ErrorReply = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(serde_json::to_value(&reply).unwrap(), wire);
}
