//! The connection file Jupyter writes before starting a kernel: where to bind and how to sign.

use serde::{Deserialize, Serialize};
use std::path::Path;

/// The parsed connection file. Unknown keys (e.g. `kernel_name`, `jupyter_session`) are ignored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionInfo {
    /// `tcp` or `ipc`.
    #[serde(default = "default_transport")]
    pub transport: String,
    pub ip: String,
    pub shell_port: u16,
    pub control_port: u16,
    pub stdin_port: u16,
    pub iopub_port: u16,
    pub hb_port: u16,
    /// The HMAC key. Empty disables signing.
    #[serde(default)]
    pub key: String,
    /// `hmac-sha256` (the default everywhere), or empty when `key` is empty.
    #[serde(default = "default_scheme")]
    pub signature_scheme: String,
}

fn default_transport() -> String {
    "tcp".to_owned()
}

fn default_scheme() -> String {
    "hmac-sha256".to_owned()
}

impl ConnectionInfo {
    /// Reads and parses a connection file; the error names the file and what was wrong.
    pub fn from_file(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read connection file {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("connection file {} is not valid: {e}", path.display()))
    }

    /// The ZeroMQ endpoint for `port`: `tcp://ip:port`, or `ipc://ip-port` for the ipc transport
    /// (that is how jupyter_client names ipc endpoints).
    pub fn endpoint(&self, port: u16) -> String {
        match self.transport.as_str() {
            "ipc" => format!("ipc://{}-{}", self.ip, port),
            other => format!("{}://{}:{}", other, self.ip, port),
        }
    }
}
