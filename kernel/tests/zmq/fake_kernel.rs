//! The real binary and transport with the scripted interpreter (`--fake-interpreter`).

use crate::client::*;
use serde_json::json;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn started(args: &[&str]) -> Kernel {
    let mut all = vec!["--fake-interpreter"];
    all.extend_from_slice(args);
    let kernel = Kernel::start(&all);
    kernel.wait_ready(T);
    kernel
}

#[test]
fn heartbeat_echoes() {
    let kernel = started(&[]);
    kernel.hb.send(&b"ping-1"[..], 0).unwrap();
    assert_eq!(kernel.hb.poll(zmq::POLLIN, 5000).unwrap(), 1);
    assert_eq!(kernel.hb.recv_bytes(0).unwrap(), b"ping-1");
}

#[test]
fn execute_over_zmq_streams_output_and_counts_from_one() {
    let kernel = started(&[]);
    let (reply, iopub) = kernel.execute("print hi\nvalue 2", T);
    assert_eq!(reply.content["status"], "ok");
    assert_eq!(reply.content["execution_count"], 1);
    assert_eq!(types(&iopub), ["status", "execute_input", "stream", "execute_result", "status"]);
    assert_eq!(iopub[2].content, json!({"name": "stdout", "text": "hi\n"}));
}

#[test]
fn kernel_info_on_both_channels_has_the_exact_language_info() {
    let kernel = started(&[]);
    for socket in [&kernel.shell, &kernel.control] {
        kernel.send(socket, "kernel_info_request", json!({}));
        let reply = Kernel::recv(socket, T);
        let info = &reply.content["language_info"];
        assert_eq!(info["name"], "rust");
        assert_eq!(info["file_extension"], ".rs");
        assert_eq!(info["mimetype"], "text/rust");
        assert_eq!(info["codemirror_mode"], "rust");
        assert_eq!(info["pygments_lexer"], "rust");
        assert_eq!(reply.content["protocol_version"], "5.3");
    }
}

#[test]
fn a_forged_request_is_logged_and_the_kernel_keeps_answering() {
    let kernel = started(&[]);
    let forged = kernel.header("execute_request");
    let frames = Kernel::frames(&forged, &json!({}), &json!({"code": "print pwned"}), Some("00".repeat(32)));
    kernel.shell.send_multipart(frames, 0).unwrap();
    let malformed =
        vec![b"<IDS|MSG>".to_vec(), b"".to_vec(), b"{broken".to_vec(), b"{}".to_vec(), b"{}".to_vec(), b"{}".to_vec()];
    kernel.shell.send_multipart(malformed, 0).unwrap();
    for _ in 0..3 {
        let (reply, iopub) = kernel.execute("value ok", T);
        assert_eq!(reply.content["status"], "ok");
        assert!(iopub.iter().all(|m| m.content["text"] != "pwned\n"));
    }
    let (reply, _) = kernel.execute("value 1", T);
    assert_eq!(reply.content["execution_count"], 4, "the forged cell was never counted");
    let log = kernel.log();
    assert!(log.contains("signature does not match"), "log: {log}");
}

#[test]
fn control_answers_while_a_cell_runs_and_interrupt_ends_it() {
    let kernel = started(&[]);
    kernel.execute("let x = 7", T);
    let running = kernel.send(&kernel.shell, "execute_request", json!({"code": "print go\nsleep"}));
    loop {
        let message = Kernel::recv(&kernel.iopub, T);
        if message.msg_type() == "stream" && message.parent_id() == running["msg_id"].as_str() {
            break;
        }
    }
    kernel.send(&kernel.control, "kernel_info_request", json!({}));
    assert_eq!(Kernel::recv(&kernel.control, T).msg_type(), "kernel_info_reply");
    // The reply below is `Interrupted`: the cell was still running when the interrupt came.
    kernel.send(&kernel.control, "interrupt_request", json!({}));
    assert_eq!(Kernel::recv(&kernel.control, T).content["status"], "ok");
    let reply = Kernel::recv(&kernel.shell, T);
    assert_eq!(
        (reply.content["status"].as_str(), reply.content["ename"].as_str()),
        (Some("error"), Some("Interrupted"))
    );
    let (reply, iopub) = kernel.execute("get x", T);
    assert_eq!(reply.content["status"], "ok");
    assert_eq!(iopub[2].content["data"]["text/plain"], "7");
}

#[test]
fn input_request_reaches_the_client_on_stdin() {
    let kernel = started(&[]);
    let request = kernel.send(&kernel.shell, "execute_request", json!({"code": "input name?", "allow_stdin": true}));
    let asked = Kernel::recv(&kernel.stdin, T);
    assert_eq!(asked.msg_type(), "input_request");
    assert_eq!(asked.content["prompt"], "name?");
    kernel.send_with_parent(&kernel.stdin, "input_reply", &asked.header, json!({"value": "Ada"}));
    assert_eq!(Kernel::recv(&kernel.shell, T).content["status"], "ok");
    let iopub = kernel.iopub_for(&request, T);
    assert!(iopub.iter().any(|m| m.content["text"] == "got: Ada\n"));
}

#[test]
fn shutdown_replies_then_the_process_exits_cleanly() {
    let mut kernel = started(&[]);
    kernel.send(&kernel.control, "shutdown_request", json!({"restart": false}));
    let reply = Kernel::recv(&kernel.control, T);
    assert_eq!(reply.content, json!({"status": "ok", "restart": false}));
    let status = kernel.wait_exit(Duration::from_secs(10)).expect("the kernel exits after shutdown");
    assert!(status.success());
}

#[test]
fn restart_in_place_keeps_the_process_and_resets_state() {
    let mut kernel = started(&["--restart-in-place"]);
    kernel.execute("let x = 1", T);
    kernel.send(&kernel.control, "shutdown_request", json!({"restart": true}));
    assert_eq!(Kernel::recv(&kernel.control, T).content, json!({"status": "ok", "restart": true}));
    let (reply, _) = kernel.execute("get x", T);
    assert_eq!(reply.content["ename"], "CompileError");
    assert_eq!(reply.content["execution_count"], 1);
    // It just answered a cell after the restart; it has not exited since.
    assert!(kernel.process.try_wait().unwrap().is_none(), "still running");
}

#[test]
fn the_cli_installs_and_uninstalls_the_kernelspec() {
    let prefix = std::env::temp_dir().join(format!("distsim-cli-{}", uuid::Uuid::new_v4()));
    let exe = env!("CARGO_BIN_EXE_distsim-kernel");
    let run = |args: &[&str]| std::process::Command::new(exe).args(args).output().unwrap();
    let out = run(&["install", "--prefix", prefix.to_str().unwrap(), "--no-prewarm"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let spec: serde_json::Value =
        serde_json::from_slice(&std::fs::read(prefix.join("share/jupyter/kernels/distsim/kernel.json")).unwrap())
            .unwrap();
    let argv0 = spec["argv"][0].as_str().unwrap();
    assert!(std::path::Path::new(argv0).is_absolute() && argv0.ends_with("distsim-kernel"));
    assert_eq!(spec["interrupt_mode"], "message");
    assert!(run(&["uninstall", "--prefix", prefix.to_str().unwrap()]).status.success());
    assert!(!prefix.join("share/jupyter/kernels/distsim").exists());
    let both = run(&["install", "--user", "--sys-prefix"]);
    assert!(!both.status.success(), "location flags exclude each other");
    let version = run(&["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("distsim-kernel {}", env!("CARGO_PKG_VERSION"))
    );
    let _ = std::fs::remove_dir_all(prefix);
}
