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

/// Logs how long a step of the kernel's start took, only when `DISTSIM_KERNEL_LOG` names a file
/// (the start's phases are what a slow first cell is made of; the server's terminal need not see
/// them every time).
pub fn phase(name: &str, since: std::time::Instant) {
    detail(&format!("start: {name} took {:.3} s", since.elapsed().as_secs_f64()));
}

/// Logs a line only when `DISTSIM_KERNEL_LOG` names a file: what the kernel decided, for whoever
/// measures or debugs it, not for the server's terminal.
pub fn detail(message: &str) {
    if std::env::var_os("DISTSIM_KERNEL_LOG").is_some() {
        warn(message);
    }
}
