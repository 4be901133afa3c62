//! The set of visited fingerprints: 8 bytes a state plus the free slots.
//!
//! An *ordered* linear-probing table (Amble and Knuth, 1974): a fingerprint's home slot is
//! `fp × capacity / 2^64`, which grows with `fp`, and every run of occupied slots is kept sorted.
//! A search therefore stops at the first larger fingerprint, so a miss costs about as few probes as
//! a hit even at 90% load, and growing is one linear merge with no probing at all. The table grows
//! by 30% at 90% load, so it is 69–90% full, about 10 bytes per state; `std`'s `HashSet<u64>`
//! (power-of-two sizes, 87.5% maximum load, a control byte per slot) averages about 14.
//!
//! The checker keeps 64 of these, picked by a fingerprint's top bits, so that each is filled by one
//! thread in a fixed order (determinism) and growing one copies only a 64th of the whole. (It
//! rotates those bits to the bottom first: otherwise all of a shard's fingerprints would share
//! their top bits and crowd into a 64th of its slots.)

/// Slots past the last home slot, so that a run near the end never wraps around.
const SLACK: usize = 64;
/// Smallest number of home slots.
const MIN_CAPACITY: usize = 256;

/// A set of nonzero `u64` fingerprints (0 marks an empty slot; [`FpTable::insert`] maps 0 to 1).
pub(crate) struct FpTable {
    slots: Vec<u64>,
    capacity: usize,
    len: usize,
}

impl FpTable {
    pub(crate) fn new() -> Self {
        FpTable { slots: vec![0; MIN_CAPACITY + SLACK], capacity: MIN_CAPACITY, len: 0 }
    }

    /// How many fingerprints it holds.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Bytes of memory it holds.
    pub(crate) fn bytes(&self) -> usize {
        self.slots.capacity() * 8
    }

    #[inline]
    fn home(fp: u64, capacity: usize) -> usize {
        ((fp as u128 * capacity as u128) >> 64) as usize
    }

    /// Whether `fp` is in the set.
    #[inline]
    pub(crate) fn contains(&self, fp: u64) -> bool {
        let fp = fp.max(1);
        let mut i = Self::home(fp, self.capacity);
        while let Some(&cur) = self.slots.get(i) {
            if cur == fp {
                return true;
            }
            if cur == 0 || cur > fp {
                return false;
            }
            i += 1;
        }
        false
    }

    /// Adds `fp`; returns whether it was new.
    pub(crate) fn insert(&mut self, fp: u64) -> bool {
        let fp = fp.max(1);
        if self.len * 10 >= self.capacity * 9 {
            self.grow();
        }
        loop {
            match self.try_insert(fp) {
                Some(new) => return new,
                None => self.grow(), // the run reached the end of the slack
            }
        }
    }

    #[inline]
    fn try_insert(&mut self, fp: u64) -> Option<bool> {
        let mut i = Self::home(fp, self.capacity);
        loop {
            let cur = *self.slots.get(i)?;
            if cur == fp {
                return Some(false);
            }
            if cur == 0 || cur > fp {
                break;
            }
            i += 1;
        }
        // Find the end of the run first, so that a run that would overflow changes nothing.
        let mut end = i;
        while self.slots[end] != 0 {
            end += 1;
            if end == self.slots.len() {
                return None;
            }
        }
        self.slots.copy_within(i..end, i + 1);
        self.slots[i] = fp;
        self.len += 1;
        Some(true)
    }

    fn grow(&mut self) {
        let capacity = (self.capacity + self.capacity * 3 / 10).max(MIN_CAPACITY);
        let mut slots = vec![0u64; capacity + SLACK];
        let mut next = 0;
        // The old slots are in increasing order, so each goes to its home or just after the
        // previous one: a merge.
        for &fp in self.slots.iter().filter(|&&fp| fp != 0) {
            let at = Self::home(fp, capacity).max(next);
            if at >= slots.len() {
                slots.resize(at + SLACK, 0);
            }
            slots[at] = fp;
            next = at + 1;
        }
        self.slots = slots;
        self.capacity = capacity;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::hash::fingerprint;
    use std::collections::HashSet;

    #[test]
    fn agrees_with_a_hash_set_through_many_growths() {
        let mut table = FpTable::new();
        let mut set = HashSet::new();
        for i in 0..200_000u64 {
            let fp = fingerprint(&(i % 150_000));
            assert_eq!(table.contains(fp), set.contains(&fp));
            assert_eq!(table.insert(fp), set.insert(fp), "fingerprint {i}");
        }
        assert_eq!(table.len(), 150_000);
        assert!(table.bytes() / table.len() <= 12, "{} bytes per entry", table.bytes() / table.len());
        assert!(!table.insert(0) || table.insert(1) == false);
    }
}
