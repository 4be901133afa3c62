//! The kernel's own log: protocol problems (forged or malformed messages, socket errors).
//!
//! It goes to the kernel process's stderr, which Jupyter shows in the server's terminal and
//! never in the notebook, or to the file named by `DISTSIM_KERNEL_LOG` when that is set.
//! Notebook cells only ever see what user code writes (nbgrader fails a test cell that has any
//! stderr output, so the kernel must never add its own).

use std::io::Write;

/// Logs one line, prefixed so it is easy to find among the server's output.
pub fn warn(message: &str) {
    let line = format!("[distsim-kernel] {message}\n");
    if let Some(path) = std::env::var_os("DISTSIM_KERNEL_LOG") {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path);
        if let Ok(mut file) = file {
            let _ = file.write_all(line.as_bytes());
            return;
        }
    }
    let _ = std::io::stderr().write_all(line.as_bytes());
}
