//! Broadcasts on IOPub: kernel status, streams, rich displays, clearing output.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What the kernel is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExecutionState {
    Starting,
    Busy,
    Idle,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    pub execution_state: ExecutionState,
}

/// The stream a chunk of text belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamKind {
    Stdout,
    Stderr,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stream {
    pub name: StreamKind,
    pub text: String,
}

/// Data that must not be stored in the notebook, such as the id of an updatable display.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transient {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_id: Option<String>,
}

/// A rich output shown now (mid-cell).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DisplayData {
    pub data: Map<String, Value>,
    #[serde(default)]
    pub metadata: Map<String, Value>,
    #[serde(default)]
    pub transient: Transient,
}

/// Replaces an earlier display with the same `transient.display_id` (progress bars).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpdateDisplayData {
    pub data: Map<String, Value>,
    #[serde(default)]
    pub metadata: Map<String, Value>,
    pub transient: Transient,
}

/// Clears the cell's output; with `wait`, only once new output arrives (no flicker).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearOutput {
    #[serde(default)]
    pub wait: bool,
}
