//! history_request: the cells run in this kernel, by range, tail or search.

use super::ReplyStatus;
use serde::{Deserialize, Serialize};

/// Which slice of history is wanted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HistAccess {
    Range,
    Tail,
    Search,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryRequest {
    /// Also return each cell's text/plain result.
    #[serde(default)]
    pub output: bool,
    /// Raw input rather than transformed (the same thing for Rust cells).
    #[serde(default)]
    pub raw: bool,
    pub hist_access_type: HistAccess,
    /// range: the session, where 0 (or a negative offset) counts back from the current one.
    #[serde(default)]
    pub session: i64,
    /// range: the first line (execution count), inclusive.
    #[serde(default)]
    pub start: i64,
    /// range: the line to stop before; 0 or less means "to the end".
    #[serde(default)]
    pub stop: i64,
    /// tail and search: how many entries, from the most recent.
    #[serde(default)]
    pub n: Option<usize>,
    /// search: a glob with `*` and `?`.
    #[serde(default)]
    pub pattern: String,
    /// search: drop repeated inputs.
    #[serde(default)]
    pub unique: bool,
}

/// One history entry: `[session, line, input]`, or `[session, line, [input, output]]` when
/// output was asked for. The protocol encodes these as JSON arrays, hence the tuple variants.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HistoryEntry {
    WithOutput(u32, u32, (String, Option<String>)),
    Input(u32, u32, String),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryReply {
    pub status: ReplyStatus,
    pub history: Vec<HistoryEntry>,
}
