//! Raw multipart framing of a Jupyter message:
//!
//! ```text
//! [identity ...] "<IDS|MSG>" signature header parent_header metadata content [buffer ...]
//! ```
//!
//! This module only splits frames and checks the signature; the JSON inside is parsed by the
//! protocol layer into typed structs. A message whose signature does not verify never leaves
//! [`RawMessage::from_frames`], so nothing downstream can act on a forged request.

use super::signing::Signer;
use super::Frames;
use std::fmt;

/// The frame separating routing identities from the message proper.
pub const DELIMITER: &[u8] = b"<IDS|MSG>";

/// A message split into its frames, signature already checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawMessage {
    /// Routing identities (ROUTER sockets) or the topic (IOPub).
    pub identities: Vec<Vec<u8>>,
    pub header: Vec<u8>,
    pub parent_header: Vec<u8>,
    pub metadata: Vec<u8>,
    pub content: Vec<u8>,
    pub buffers: Vec<Vec<u8>>,
}

/// Why incoming frames were rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WireError {
    /// No `<IDS|MSG>` frame.
    NoDelimiter,
    /// Fewer than the five frames (signature + four JSON parts) after the delimiter.
    TooFewFrames { after_delimiter: usize },
    /// The HMAC did not match (forged, corrupted, or signed with another key).
    BadSignature,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WireError::NoDelimiter => write!(f, "no <IDS|MSG> delimiter frame"),
            WireError::TooFewFrames { after_delimiter } => {
                write!(f, "{after_delimiter} frames after the delimiter, expected at least 5")
            }
            WireError::BadSignature => write!(f, "signature does not match"),
        }
    }
}

impl RawMessage {
    /// Splits `frames` and verifies the signature.
    pub fn from_frames(mut frames: Frames, signer: &Signer) -> Result<Self, WireError> {
        let split = frames.iter().position(|f| f == DELIMITER).ok_or(WireError::NoDelimiter)?;
        let after = frames.len() - split - 1;
        if after < 5 {
            return Err(WireError::TooFewFrames { after_delimiter: after });
        }
        let mut rest = frames.split_off(split + 1);
        frames.pop(); // the delimiter
        let identities = frames;
        let buffers = rest.split_off(5);
        let mut parts = rest.into_iter();
        let mut next = || parts.next().unwrap_or_default();
        let signature = next();
        let (header, parent_header, metadata, content) = (next(), next(), next(), next());
        let signed: [&[u8]; 4] = [&header, &parent_header, &metadata, &content];
        if !signer.verify(&signed, &signature) {
            return Err(WireError::BadSignature);
        }
        Ok(Self { identities, header, parent_header, metadata, content, buffers })
    }

    /// Joins the message into frames, signing it.
    pub fn into_frames(self, signer: &Signer) -> Frames {
        let signature = signer.sign(&[&self.header, &self.parent_header, &self.metadata, &self.content]);
        let mut frames = self.identities;
        frames.reserve(6 + self.buffers.len());
        frames.push(DELIMITER.to_vec());
        frames.push(signature.into_bytes());
        frames.push(self.header);
        frames.push(self.parent_header);
        frames.push(self.metadata);
        frames.push(self.content);
        frames.extend(self.buffers);
        frames
    }
}
