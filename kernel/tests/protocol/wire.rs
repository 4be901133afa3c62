//! Multipart framing: identities, delimiter, signature, four JSON frames, buffers.

use distsim_kernel::protocol::content::{ExecuteRequest, KernelInfoRequest};
use distsim_kernel::protocol::{Content, KernelIdentity, Message};
use distsim_kernel::transport::connection::ConnectionInfo;
use distsim_kernel::transport::signing::Signer;
use distsim_kernel::transport::wire::{RawMessage, WireError, DELIMITER};

fn signer() -> Signer {
    Signer::new("k", "hmac-sha256").unwrap()
}

#[test]
fn frames_round_trip_with_identities_and_buffers() {
    let mut message = KernelIdentity::new().message(None, vec![b"a".to_vec(), b"b".to_vec()], &KernelInfoRequest {});
    message.buffers = vec![vec![0, 1, 2], vec![]];
    let frames = message.encode().into_frames(&signer());
    assert_eq!(frames[2], DELIMITER);
    assert_eq!(frames[5], b"{}", "no parent is sent as {{}}");
    assert_eq!(frames.len(), 2 + 1 + 5 + 2);
    let back = Message::decode(RawMessage::from_frames(frames, &signer()).unwrap()).unwrap();
    assert_eq!(back, message);
}

#[test]
fn missing_delimiter_or_frames_are_rejected() {
    assert_eq!(RawMessage::from_frames(vec![b"x".to_vec()], &signer()), Err(WireError::NoDelimiter));
    let short = vec![DELIMITER.to_vec(), b"sig".to_vec(), b"{}".to_vec()];
    assert_eq!(RawMessage::from_frames(short, &signer()), Err(WireError::TooFewFrames { after_delimiter: 2 }));
}

#[test]
fn a_sparse_request_decodes_with_the_protocol_defaults() {
    let header = br#"{"msg_id":"1","session":"s","msg_type":"execute_request"}"#.to_vec();
    let raw = RawMessage {
        identities: vec![],
        header,
        parent_header: b"{}".to_vec(),
        metadata: b"{}".to_vec(),
        content: br#"{"code":"1"}"#.to_vec(),
        buffers: vec![],
    };
    let message = Message::decode(raw).unwrap();
    assert_eq!(message.msg_type(), ExecuteRequest::MSG_TYPE);
    let request: ExecuteRequest = message.content().unwrap();
    assert!(!request.silent && request.store_history && request.allow_stdin && request.stop_on_error);
}

#[test]
fn connection_files_parse_and_name_endpoints() {
    let text = r#"{"shell_port":5001,"iopub_port":5002,"stdin_port":5003,"control_port":5004,"hb_port":5005,
        "ip":"127.0.0.1","key":"abc","transport":"tcp","signature_scheme":"hmac-sha256","kernel_name":"distsim"}"#;
    let info: ConnectionInfo = serde_json::from_str(text).unwrap();
    assert_eq!(info.endpoint(info.shell_port), "tcp://127.0.0.1:5001");
    let ipc = ConnectionInfo { transport: "ipc".into(), ip: "/tmp/k".into(), ..info };
    assert_eq!(ipc.endpoint(7), "ipc:///tmp/k-7");
}
