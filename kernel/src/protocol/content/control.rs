//! interrupt and shutdown, served on the control channel.

use super::ReplyStatus;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterruptRequest {}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterruptReply {
    pub status: ReplyStatus,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShutdownRequest {
    /// True when the front end means to start the kernel again.
    #[serde(default)]
    pub restart: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShutdownReply {
    pub status: ReplyStatus,
    pub restart: bool,
}
