//! The far future: a radix heap keyed by `(time, seq)`.
//!
//! A discrete-event simulation only ever schedules into the future: every new key is larger than
//! the last key taken out. A radix heap exploits that. It files each entry into bucket `b` = the
//! position of the highest bit in which its key differs from the last key taken out. Bucket 0 holds
//! the key equal to the last one; when it is empty, the first non-empty bucket is scanned for its
//! minimum, that becomes the new "last", and the bucket's entries are re-filed into lower buckets.
//! Each entry moves down at most 128 times (in practice a few), with cheap linear scans instead of a
//! binary heap's unpredictable comparisons.
//!
//! Events are stored inline in the buckets: fetching each one from a slab slot instead was a cache
//! miss per message, while the buckets are scanned sequentially. Bucket allocations are reused, so a
//! steady-state run allocates nothing per message.

use super::Entry;

/// The bucket of `key` relative to the last key taken out: 0 if equal, else 1 + the index of the
/// highest differing bit.
#[inline(always)]
fn bucket_of(key: u128, last: u128) -> usize {
    128 - (key ^ last).leading_zeros() as usize
}

/// Buckets whose allocation grew beyond this many entries give it back after being emptied, so a
/// burst of a million events does not pin its memory for the rest of the run.
const KEEP_CAPACITY: usize = 1 << 12;

pub(super) struct RadixHeap<E> {
    buckets: Vec<Vec<Entry<E>>>,
    /// Bit `b` set when bucket `b` (0..=128) is non-empty; split in three words.
    occupied: [u64; 3],
    last: u128,
    len: usize,
    /// Where the earliest entry is (bucket, index) and its key, kept up to date so that looking at
    /// it costs nothing and taking it out needs no second scan. Pushes only append to buckets, so
    /// the position stays valid until the next removal.
    first: Option<(u128, usize, usize)>,
}

impl<E> RadixHeap<E> {
    pub(super) fn new() -> Self {
        RadixHeap { buckets: (0..129).map(|_| Vec::new()).collect(), occupied: [0; 3], last: 0, len: 0, first: None }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn first_time(&self) -> Option<u64> {
        self.first.map(|(key, _, _)| (key >> 64) as u64)
    }

    /// Files `e` and returns its bucket.
    #[inline(always)]
    fn file(&mut self, e: Entry<E>) -> usize {
        let b = bucket_of(e.key(), self.last);
        self.buckets[b].push(e);
        self.occupied[b >> 6] |= 1 << (b & 63);
        b
    }

    /// Adds `entry`, whose key must not be below the last key taken out.
    #[inline]
    pub(super) fn push(&mut self, entry: Entry<E>) {
        debug_assert!(entry.key() >= self.last, "event scheduled before the last one taken out");
        let key = entry.key();
        let b = self.file(entry);
        if self.first.map_or(true, |(first, _, _)| key < first) {
            self.first = Some((key, b, self.buckets[b].len() - 1));
        }
        self.len += 1;
    }

    /// The first non-empty bucket, if any.
    #[inline(always)]
    fn first_bucket(&self) -> Option<usize> {
        self.occupied.iter().enumerate().find(|(_, w)| **w != 0).map(|(i, w)| i * 64 + w.trailing_zeros() as usize)
    }

    /// The position of the smallest key in bucket `b` (non-empty).
    #[inline(always)]
    fn min_in(&self, b: usize) -> usize {
        let bucket = &self.buckets[b];
        let mut best = 0;
        let mut best_key = bucket[0].key();
        for (i, e) in bucket.iter().enumerate().skip(1) {
            let k = e.key();
            if k < best_key {
                best = i;
                best_key = k;
            }
        }
        best
    }

    /// Moves the minimum of bucket `b` into bucket 0 and re-files the rest of `b` around it.
    #[inline]
    fn refill(&mut self, b: usize, min: usize) {
        let mut moving = std::mem::take(&mut self.buckets[b]);
        self.occupied[b >> 6] &= !(1 << (b & 63));
        let first = moving.swap_remove(min);
        self.last = first.key();
        self.file(first);
        for e in moving.drain(..) {
            self.file(e);
        }
        // Hand a modest (now empty) allocation back so the bucket does not reallocate next time.
        if moving.capacity() <= KEEP_CAPACITY && self.buckets[b].is_empty() {
            self.buckets[b] = moving;
        }
    }

    /// Removes and returns the earliest entry if `take` accepts its time.
    ///
    /// Only a removal may move `last` forward: re-filing around a minimum that then stays would
    /// forbid later pushes below it, which the wheel in front of this heap may still need.
    #[inline]
    pub(super) fn pop_if(&mut self, take: impl Fn(u64) -> bool) -> Option<Entry<E>> {
        let (key, b, min) = self.first?;
        if !take((key >> 64) as u64) {
            return None;
        }
        if b != 0 {
            self.refill(b, min);
        }
        let entry = self.buckets[0].pop().expect("bucket 0 holds the minimum");
        if self.buckets[0].is_empty() {
            self.occupied[0] &= !1;
        }
        self.len -= 1;
        self.first = self.first_bucket().map(|b| {
            let min = self.min_in(b);
            (self.buckets[b][min].key(), b, min)
        });
        Some(entry)
    }
}
