//! complete, inspect and is_complete: questions about code that do not run it.

use super::ReplyStatus;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Completions at `cursor_pos`, counted in Unicode code points.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompleteRequest {
    pub code: String,
    pub cursor_pos: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CompleteReply {
    pub status: ReplyStatus,
    pub matches: Vec<String>,
    pub cursor_start: usize,
    pub cursor_end: usize,
    #[serde(default)]
    pub metadata: Map<String, Value>,
}

/// Documentation for the name at `cursor_pos`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectRequest {
    pub code: String,
    pub cursor_pos: usize,
    #[serde(default)]
    pub detail_level: u8,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InspectReply {
    pub status: ReplyStatus,
    pub found: bool,
    pub data: Map<String, Value>,
    pub metadata: Map<String, Value>,
}

/// Would this code run as a cell, or does the console need another line?
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IsCompleteRequest {
    pub code: String,
}

/// The answer; `status` picks the variant, and only `incomplete` carries an indent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum IsCompleteReply {
    Complete,
    Incomplete { indent: String },
    Invalid,
    Unknown,
}
