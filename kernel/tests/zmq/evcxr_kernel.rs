//! The binary as Jupyter runs it: evcxr with distsim preloaded.
//!
//! These need a Rust toolchain and the shared distsim cache (built on first use, which takes
//! minutes); each test starts its own kernel.

use crate::client::*;
use serde_json::json;
use std::time::Duration;

/// The first cell may wait for evcxr's start (and, the very first time, the cache build).
const FIRST: Duration = Duration::from_secs(900);
const T: Duration = Duration::from_secs(120);

fn started() -> Kernel {
    let kernel = Kernel::start(&[]);
    kernel.wait_ready(Duration::from_secs(60));
    kernel
}

#[test]
fn kernel_info_reports_the_rustc_version_before_the_interpreter_is_up() {
    let kernel = started();
    kernel.send(&kernel.control, "kernel_info_request", json!({}));
    let reply = Kernel::recv(&kernel.control, Duration::from_secs(10));
    let version = reply.content["language_info"]["version"].as_str().unwrap().to_owned();
    let rustc =
        String::from_utf8(std::process::Command::new("rustc").arg("--version").output().unwrap().stdout).unwrap();
    assert!(rustc.contains(&version), "{version} vs {rustc}");
}

#[test]
fn rust_cells_count_from_one_and_a_panic_keeps_earlier_variables() {
    let kernel = started();
    let (reply, _) = kernel.execute("let x = 40;", FIRST);
    assert_eq!(reply.content["status"], "ok", "{:?}", reply.content);
    assert_eq!(reply.content["execution_count"], 1);
    let (reply, iopub) = kernel.execute("x + 2", T);
    assert_eq!(reply.content["execution_count"], 2);
    let result = iopub.iter().find(|m| m.msg_type() == "execute_result").expect("a result");
    assert_eq!(result.content["data"]["text/plain"], "42");

    let (reply, iopub) = kernel.execute("panic!(\"boom\");", T);
    assert_eq!(reply.content["status"], "error");
    assert_eq!(reply.content["ename"], "Panic");
    let error = iopub.iter().find(|m| m.msg_type() == "error").expect("an error output");
    assert_eq!(error.content["ename"], reply.content["ename"]);
    assert_eq!(error.content["evalue"], reply.content["evalue"]);
    assert_eq!(error.content["traceback"], reply.content["traceback"]);
    assert!(iopub.iter().all(|m| !(m.msg_type() == "stream" && m.content["name"] == "stderr")), "no stderr noise");

    let (_, iopub) = kernel.execute("x", T);
    let result = iopub.iter().find(|m| m.msg_type() == "execute_result").expect("x survived the panic");
    assert_eq!(result.content["data"]["text/plain"], "40");
}

#[test]
fn a_compile_error_replies_with_ename_evalue_and_traceback() {
    let kernel = started();
    let (reply, iopub) = kernel.execute("let y: u32 = \"text\";", FIRST);
    assert_eq!(reply.content["status"], "error", "{:?}\nkernel stderr:\n{}", reply.content, kernel.stderr());
    assert_eq!(reply.content["ename"], "CompileError");
    assert!(!reply.content["evalue"].as_str().unwrap().is_empty());
    assert!(!reply.content["traceback"].as_array().unwrap().is_empty());
    assert_eq!(iopub.iter().filter(|m| m.msg_type() == "error").count(), 1);
}
