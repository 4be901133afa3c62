//! Message authentication codes: the defence against a network that forges messages.
//!
//! A tamper rule can rewrite any message, so a receiver that trusts what arrives can be fooled.
//! With a key shared by sender and receiver (and not by the attacker), the sender attaches
//! `sign(key, bytes)` and the receiver checks it with `verify`: the attacker cannot compute a valid
//! tag for a changed message without the key. We use HMAC-SHA-256, the standard construction.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// A 32-byte HMAC-SHA-256 tag.
pub type Tag = [u8; 32];

/// The tag of `bytes` under `key`.
pub fn sign(key: &[u8], bytes: &[u8]) -> Tag {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(bytes);
    mac.finalize().into_bytes().into()
}

/// Whether `tag` is the tag of `bytes` under `key` (compared in constant time).
pub fn verify(key: &[u8], bytes: &[u8], tag: &Tag) -> bool {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(bytes);
    mac.verify_slice(tag).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_message_or_key_fails_verification() {
        let tag = sign(b"secret", b"transfer 10");
        assert!(verify(b"secret", b"transfer 10", &tag));
        assert!(!verify(b"secret", b"transfer 99", &tag));
        assert!(!verify(b"guess", b"transfer 10", &tag));
        assert_eq!(tag, sign(b"secret", b"transfer 10"));
    }
}
