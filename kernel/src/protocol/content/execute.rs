//! execute_request and everything it causes: execute_input, execute_result, error, execute_reply.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

fn yes() -> bool {
    true
}

/// Run a cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExecuteRequest {
    pub code: String,
    /// Run quietly: no IOPub output, no execute_result, not counted.
    #[serde(default)]
    pub silent: bool,
    /// Count this run and keep it in history. Forced off by `silent`.
    #[serde(default = "yes")]
    pub store_history: bool,
    /// Expressions to evaluate after the cell (answered as unsupported, see the handler).
    #[serde(default)]
    pub user_expressions: Map<String, Value>,
    /// Whether the cell may ask for input (input_request on stdin).
    #[serde(default = "yes")]
    pub allow_stdin: bool,
    /// After an error, abort the execute requests already queued.
    #[serde(default = "yes")]
    pub stop_on_error: bool,
}

/// The reply to execute_request; `status` picks the variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum ExecuteReply {
    Ok {
        execution_count: u32,
        #[serde(default)]
        user_expressions: Map<String, Value>,
        #[serde(default)]
        payload: Vec<Value>,
    },
    /// Carries the same ename/evalue/traceback as the `error` output (nbgrader reads these).
    Error { execution_count: u32, ename: String, evalue: String, traceback: Vec<String> },
    /// Not run, because an earlier cell failed with `stop_on_error`.
    Aborted { execution_count: u32 },
}

/// Broadcast of the code being run, so every front end can show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecuteInput {
    pub code: String,
    pub execution_count: u32,
}

/// The value of the cell's last expression, as a MIME bundle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExecuteResult {
    pub execution_count: u32,
    pub data: Map<String, Value>,
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

/// The `error` output of a failed cell.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorOutput {
    pub ename: String,
    pub evalue: String,
    pub traceback: Vec<String>,
}
