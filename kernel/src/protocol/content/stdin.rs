//! Asking the user for a line of input, over the stdin channel.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRequest {
    pub prompt: String,
    /// Hide what is typed.
    #[serde(default)]
    pub password: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputReply {
    pub value: String,
}
