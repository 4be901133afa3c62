//! Message signing: HMAC over the four JSON frames, as the connection file's
//! `signature_scheme` says.
//!
//! The signature is the lowercase hex HMAC of `header`, `parent_header`, `metadata` and `content`
//! concatenated (buffers are not signed). An empty key means no signing: the signature frame is
//! empty and every incoming signature is accepted, as the protocol specifies.
//!
//! Verification decodes the received hex and compares MACs with `Mac::verify_slice`, which is
//! constant-time, so an attacker cannot learn the right signature byte by byte from timings.
//! (Comparing hex strings with `==` would leak exactly that.)

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Signs and verifies messages for one kernel session.
#[derive(Clone, Debug)]
pub struct Signer {
    key: Option<Vec<u8>>,
}

impl Signer {
    /// Builds a signer from the connection file's `key` and `signature_scheme`.
    /// Only `hmac-sha256` is supported; an empty key disables signing whatever the scheme.
    pub fn new(key: &str, scheme: &str) -> Result<Self, String> {
        if key.is_empty() {
            return Ok(Self { key: None });
        }
        match scheme {
            "hmac-sha256" => Ok(Self { key: Some(key.as_bytes().to_vec()) }),
            other => {
                Err(format!("signature_scheme {other:?} is not supported; expected \"hmac-sha256\" (or an empty key)"))
            }
        }
    }

    /// Whether messages are signed at all.
    pub fn is_signing(&self) -> bool {
        self.key.is_some()
    }

    fn mac(&self, parts: &[&[u8]]) -> Option<HmacSha256> {
        let key = self.key.as_ref()?;
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
        for part in parts {
            mac.update(part);
        }
        Some(mac)
    }

    /// The hex signature of `parts` (empty when not signing).
    pub fn sign(&self, parts: &[&[u8]]) -> String {
        match self.mac(parts) {
            Some(mac) => hex::encode(mac.finalize().into_bytes()),
            None => String::new(),
        }
    }

    /// Checks `signature` (hex) over `parts` in constant time.
    pub fn verify(&self, parts: &[&[u8]], signature: &[u8]) -> bool {
        let Some(mac) = self.mac(parts) else { return true };
        match hex::decode(signature) {
            Ok(bytes) => mac.verify_slice(&bytes).is_ok(),
            Err(_) => false,
        }
    }
}

/// HMAC-SHA256 of `data` under `key`, as raw bytes (exposed for the RFC 4231 test vectors).
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}
