//! Typed message contents, one struct per message body, grouped by what they are about.
//!
//! Every struct implements [`Content`], tying it to its `msg_type`, so a handler that builds
//! a `KernelInfoReply` cannot send it under the wrong name. Optional request fields carry the
//! protocol's defaults through `#[serde(default)]`, so a sparse request from an old client decodes.

mod comm;
mod control;
mod execute;
mod history;
mod info;
mod introspect;
mod iopub;
mod stdin;

pub use comm::*;
pub use control::*;
pub use execute::*;
pub use history::*;
pub use info::*;
pub use introspect::*;
pub use iopub::*;
pub use stdin::*;

pub use super::message::Content;
use serde::{Deserialize, Serialize};

/// The `status` field of replies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReplyStatus {
    Ok,
    Error,
    Aborted,
}

/// The body of any reply whose request failed before it could be handled (e.g. content that does
/// not match the message type). Sent under the request's `*_reply` type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ErrorReply {
    pub status: ReplyStatus,
    pub ename: String,
    pub evalue: String,
    pub traceback: Vec<String>,
}

/// Ties each content struct to its `msg_type`.
macro_rules! msg_types {
    ($($ty:ty => $name:literal),* $(,)?) => {
        $(impl Content for $ty { const MSG_TYPE: &'static str = $name; })*
    };
}

msg_types! {
    KernelInfoRequest => "kernel_info_request",
    KernelInfoReply => "kernel_info_reply",
    ExecuteRequest => "execute_request",
    ExecuteReply => "execute_reply",
    ExecuteInput => "execute_input",
    ExecuteResult => "execute_result",
    ErrorOutput => "error",
    CompleteRequest => "complete_request",
    CompleteReply => "complete_reply",
    InspectRequest => "inspect_request",
    InspectReply => "inspect_reply",
    IsCompleteRequest => "is_complete_request",
    IsCompleteReply => "is_complete_reply",
    HistoryRequest => "history_request",
    HistoryReply => "history_reply",
    CommInfoRequest => "comm_info_request",
    CommInfoReply => "comm_info_reply",
    CommOpen => "comm_open",
    CommMsg => "comm_msg",
    CommClose => "comm_close",
    InterruptRequest => "interrupt_request",
    InterruptReply => "interrupt_reply",
    ShutdownRequest => "shutdown_request",
    ShutdownReply => "shutdown_reply",
    InputRequest => "input_request",
    InputReply => "input_reply",
    Status => "status",
    Stream => "stream",
    DisplayData => "display_data",
    UpdateDisplayData => "update_display_data",
    ClearOutput => "clear_output",
}
