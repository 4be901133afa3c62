//! Fingerprints: a fast, fixed-key 64-bit hash of anything that is `Hash`.
//!
//! The checker keeps only a state's fingerprint, so the hash must be the same on every run and
//! every machine (std's `RandomState` is seeded per process) and well spread (a collision merges
//! two different states). Each 64-bit word is folded in with a full 64×64→128-bit multiply, as
//! wyhash does, and a final avalanche spreads every input bit over the output. With 41 million
//! states the chance of any collision between ideal 64-bit fingerprints is about 1 in 20,000.

use std::hash::{Hash, Hasher};

const K1: u64 = 0xa076_1d64_78bd_642f;
const K2: u64 = 0xe703_7ed1_a0b4_28db;

#[inline(always)]
fn fold(h: u64, w: u64) -> u64 {
    let r = ((h ^ w) as u128).wrapping_mul(K1 as u128);
    ((r as u64) ^ ((r >> 64) as u64)).wrapping_add(K2)
}

/// Two words mixed into one, well spread (one step of the hasher).
#[inline]
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let h = fold(fold(K2, a), b);
    // fmix64, so that a term's bits are independent of each other (terms are summed).
    let h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

/// The hasher behind every fingerprint.
pub(crate) struct FpHasher(u64);

impl Default for FpHasher {
    fn default() -> Self {
        FpHasher(K2)
    }
}

impl Hasher for FpHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.0 = fold(self.0, u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.0 = fold(self.0, u64::from_le_bytes(w) ^ ((rest.len() as u64) << 56));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = fold(self.0, i as u64);
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.0 = fold(self.0, i as u64);
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.0 = fold(self.0, i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = fold(self.0, i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.0 = fold(self.0, i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        // murmur3's fmix64: every input bit affects every output bit.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// The fingerprint of one value.
#[inline]
pub(crate) fn fingerprint<T: Hash + ?Sized>(value: &T) -> u64 {
    let mut h = FpHasher::default();
    value.hash(&mut h);
    h.finish()
}
