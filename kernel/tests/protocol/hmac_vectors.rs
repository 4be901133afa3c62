//! HMAC-SHA256 against RFC 4231's test vectors, and the Signer's accept/reject behaviour.

use distsim_kernel::transport::signing::{hmac_sha256, Signer};

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

#[test]
fn rfc4231_test_cases() {
    let long_key = vec![0xaa; 131];
    let cases: Vec<(Vec<u8>, Vec<u8>, &str)> = vec![
        (vec![0x0b; 20], b"Hi There".to_vec(), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec(), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (vec![0xaa; 20], vec![0xdd; 50], "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ((1..=25).collect(), vec![0xcd; 50], "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        (
            long_key.clone(),
            b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
        (
            long_key,
            b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        ),
    ];
    for (i, (key, data, expected)) in cases.iter().enumerate() {
        assert_eq!(hmac_sha256(key, data), unhex(expected), "RFC 4231 case {}", i + 1);
    }
    // Case 5 checks only the first 128 bits.
    let truncated = hmac_sha256(&[0x0c; 20], b"Test With Truncation");
    assert_eq!(truncated[..16], unhex("a3b6167473100ee06e0c796c2955552b")[..]);
}

#[test]
fn the_signature_covers_the_four_frames_in_order() {
    let signer = Signer::new("Jefe", "hmac-sha256").unwrap();
    let parts: [&[u8]; 4] = [b"what do ya ", b"want ", b"for nothing", b"?"];
    // Signing frames equals signing their concatenation (RFC 4231 case 2).
    assert_eq!(signer.sign(&parts), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    assert!(signer.verify(&parts, signer.sign(&parts).as_bytes()));
}

#[test]
fn verification_rejects_wrong_truncated_and_non_hex_signatures() {
    let signer = Signer::new("key", "hmac-sha256").unwrap();
    let parts: [&[u8]; 4] = [b"{}", b"{}", b"{}", b"{}"];
    let good = signer.sign(&parts);
    let mut flipped = good.clone().into_bytes();
    flipped[10] = if flipped[10] == b'0' { b'1' } else { b'0' };
    assert!(!signer.verify(&parts, &flipped));
    assert!(!signer.verify(&parts, &good.as_bytes()[..32]));
    assert!(!signer.verify(&parts, b"zz"));
    assert!(!signer.verify(&parts, b""));
    let other: [&[u8]; 4] = [b"{}", b"{}", b"{}", b"{\"x\":1}"];
    assert!(!signer.verify(&other, good.as_bytes()));
}

#[test]
fn an_empty_key_disables_signing() {
    let signer = Signer::new("", "hmac-sha256").unwrap();
    assert!(!signer.is_signing());
    assert_eq!(signer.sign(&[b"x"]), "");
    assert!(signer.verify(&[b"x"], b"anything"));
}

#[test]
fn unsupported_schemes_are_refused_with_a_clear_message() {
    let err = Signer::new("k", "hmac-md5").unwrap_err();
    assert!(err.contains("hmac-md5") && err.contains("hmac-sha256"), "{err}");
}
