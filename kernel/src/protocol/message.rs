//! The typed envelope of a Jupyter message: header, parent header, metadata, content.
//!
//! Content stays a JSON value in the envelope and is read through [`Message::content`] into the
//! typed struct of its `msg_type` (see [`super::content`]), so no handler ever pokes at untyped
//! JSON. Outgoing messages are built from a typed [`Content`] whose `MSG_TYPE` names it.

use crate::transport::wire::RawMessage;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// The protocol version this kernel speaks.
pub const PROTOCOL_VERSION: &str = "5.3";

/// A message header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub msg_id: String,
    pub session: String,
    #[serde(default)]
    pub username: String,
    /// ISO 8601 with a time zone. Some clients omit it, so it is optional on input.
    #[serde(default)]
    pub date: String,
    pub msg_type: String,
    #[serde(default)]
    pub version: String,
}

/// A typed message body; `MSG_TYPE` is the header's `msg_type` for it.
pub trait Content: Serialize + DeserializeOwned {
    const MSG_TYPE: &'static str;
}

/// A decoded message.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// ROUTER identities of the sender (replies route back through them), or the IOPub topic.
    pub identities: Vec<Vec<u8>>,
    pub header: Header,
    /// `None` serializes as `{}`, the protocol's "no parent".
    pub parent_header: Option<Header>,
    pub metadata: Map<String, Value>,
    pub content: Value,
    pub buffers: Vec<Vec<u8>>,
}

/// Why a verified message could still not be understood.
#[derive(Debug)]
pub enum DecodeError {
    /// One of the JSON frames is not valid JSON, or the header lacks required keys.
    Json { frame: &'static str, error: serde_json::Error },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Json { frame, error } => write!(f, "malformed {frame}: {error}"),
        }
    }
}

fn parse<T: DeserializeOwned>(frame: &'static str, bytes: &[u8]) -> Result<T, DecodeError> {
    serde_json::from_slice(bytes).map_err(|error| DecodeError::Json { frame, error })
}

impl Message {
    /// Parses the JSON frames of a verified raw message.
    pub fn decode(raw: RawMessage) -> Result<Self, DecodeError> {
        let header: Header = parse("header", &raw.header)?;
        let parent: Value = parse("parent_header", &raw.parent_header)?;
        let parent_header = match parent {
            Value::Object(ref map) if map.is_empty() => None,
            Value::Null => None,
            other => Some(
                serde_json::from_value(other).map_err(|error| DecodeError::Json { frame: "parent_header", error })?,
            ),
        };
        let metadata: Map<String, Value> = parse("metadata", &raw.metadata)?;
        let content: Value = parse("content", &raw.content)?;
        Ok(Self { identities: raw.identities, header, parent_header, metadata, content, buffers: raw.buffers })
    }

    /// Serializes the JSON frames (unsigned; signing happens when frames are built).
    pub fn encode(&self) -> RawMessage {
        RawMessage {
            identities: self.identities.clone(),
            header: json(&self.header),
            parent_header: match &self.parent_header {
                Some(h) => json(h),
                None => b"{}".to_vec(),
            },
            metadata: json(&self.metadata),
            content: json(&self.content),
            buffers: self.buffers.clone(),
        }
    }

    /// Reads the content as the typed struct `T`.
    pub fn content<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.content)
    }

    pub fn msg_type(&self) -> &str {
        &self.header.msg_type
    }
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    // Plain data structs and JSON values always serialize.
    serde_json::to_vec(value).expect("message frames serialize")
}

/// Who the kernel is on the wire: the session id in every header it sends.
#[derive(Clone, Debug)]
pub struct KernelIdentity {
    pub session: String,
}

impl KernelIdentity {
    pub fn new() -> Self {
        Self { session: uuid::Uuid::new_v4().to_string() }
    }

    /// A fresh header for an outgoing message.
    pub fn header(&self, msg_type: &str) -> Header {
        Header {
            msg_id: uuid::Uuid::new_v4().to_string(),
            session: self.session.clone(),
            username: "kernel".to_owned(),
            date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            msg_type: msg_type.to_owned(),
            version: PROTOCOL_VERSION.to_owned(),
        }
    }

    /// A message with typed content, in reply to (or caused by) `parent`.
    pub fn message<T: Content>(&self, parent: Option<&Message>, identities: Vec<Vec<u8>>, content: &T) -> Message {
        // Plain data structs always serialize to JSON.
        let content = serde_json::to_value(content).expect("message content serializes");
        self.envelope(parent, identities, T::MSG_TYPE, content)
    }

    /// A message whose type is only known at run time (error replies to any `*_request`).
    pub fn envelope(
        &self,
        parent: Option<&Message>,
        identities: Vec<Vec<u8>>,
        msg_type: &str,
        content: Value,
    ) -> Message {
        Message {
            identities,
            header: self.header(msg_type),
            parent_header: parent.map(|p| p.header.clone()),
            metadata: Map::new(),
            content,
            buffers: Vec::new(),
        }
    }
}

impl Default for KernelIdentity {
    fn default() -> Self {
        Self::new()
    }
}
