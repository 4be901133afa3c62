//! The event queue: a radix heap keyed by `(time, seq)`.
//!
//! `seq` is a global insertion counter, so two events scheduled for the same instant run in the order
//! they were scheduled (FIFO). That tie-break is what makes a run reproducible: without it, the queue
//! would order equal times by its own internal layout, which depends on everything else in it.
//!
//! **Why a radix heap.** A discrete-event simulation only ever schedules into the future: every new
//! key is larger than the last key taken out. A radix heap exploits that. It files each entry into
//! bucket `b` = the position of the highest bit in which its key differs from the last key taken
//! out. Bucket 0 holds the key equal to the last one; when it is empty, the first non-empty bucket
//! is scanned for its minimum, that becomes the new "last", and the bucket's entries are re-filed
//! into lower buckets. Each entry moves down at most 128 times (in practice a few), and the work is
//! cheap linear scans instead of a binary heap's unpredictable comparisons, which dominated the
//! profile of the benchmark's fan-out workload (42% of the time in `BinaryHeap::pop`).
//!
//! Keys are the 128-bit number `time << 64 | seq`, so the order is exactly time first, then seq.
//! Events are stored inline in the buckets. (A first version kept them in a slab and moved only
//! small keys, but fetching each event from a random slab slot was a cache miss per message; the
//! buckets are scanned sequentially, which the prefetcher handles well.) Bucket allocations are
//! reused, so a steady-state run allocates nothing per message.

use crate::time::Time;

struct Entry<E> {
    time: u64,
    seq: u64,
    event: E,
}

impl<E> Entry<E> {
    #[inline(always)]
    fn key(&self) -> u128 {
        ((self.time as u128) << 64) | self.seq as u128
    }
}

/// The bucket of `key` relative to the last key taken out: 0 if equal, else 1 + the index of the
/// highest differing bit.
#[inline(always)]
fn bucket_of(key: u128, last: u128) -> usize {
    128 - (key ^ last).leading_zeros() as usize
}

/// Buckets whose allocation grew beyond this many entries give it back after being emptied, so a
/// burst of a million events does not pin its memory for the rest of the run.
const KEEP_CAPACITY: usize = 1 << 12;

/// A priority queue of events of type `E`, ordered by time and then by scheduling order.
pub(crate) struct EventQueue<E> {
    buckets: Vec<Vec<Entry<E>>>,
    /// Bit `b` set when bucket `b` (0..=128) is non-empty; split in three words.
    occupied: [u64; 3],
    last: u128,
    len: usize,
    next_seq: u64,
}

impl<E> EventQueue<E> {
    pub(crate) fn new() -> Self {
        EventQueue { buckets: (0..129).map(|_| Vec::new()).collect(), occupied: [0; 3], last: 0, len: 0, next_seq: 0 }
    }

    #[inline(always)]
    fn file(&mut self, e: Entry<E>) {
        let b = bucket_of(e.key(), self.last);
        self.buckets[b].push(e);
        self.occupied[b >> 6] |= 1 << (b & 63);
    }

    /// Schedules `event` at `time`, after every event already scheduled for that same time.
    /// `time` must not be earlier than the last event taken out (the engine never schedules into
    /// the past; `Simulation` checks user-given times).
    #[inline]
    pub(crate) fn push(&mut self, time: Time, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = Entry { time: time.0, seq, event };
        debug_assert!(entry.key() >= self.last, "event scheduled before the last one taken out");
        self.file(entry);
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

    /// Removes and returns the earliest event if it is due no later than `limit`.
    #[inline]
    pub(crate) fn pop_due(&mut self, limit: Time) -> Option<(Time, E)> {
        let b = self.first_bucket()?;
        if b != 0 {
            let min = self.min_in(b);
            if self.buckets[b][min].time > limit.0 {
                return None;
            }
            self.refill(b, min);
        } else if self.buckets[0][0].time > limit.0 {
            return None;
        }
        let entry = self.buckets[0].pop().expect("bucket 0 holds the minimum");
        if self.buckets[0].is_empty() {
            self.occupied[0] &= !1;
        }
        self.len -= 1;
        Some((Time(entry.time), entry.event))
    }

    /// Removes and returns the earliest event (FIFO among equal times).
    #[cfg(test)]
    pub(crate) fn pop(&mut self) -> Option<(Time, E)> {
        self.pop_due(Time::MAX)
    }

    /// The time of the earliest event, if any.
    pub(crate) fn peek_time(&self) -> Option<Time> {
        let b = self.first_bucket()?;
        Some(Time(if b == 0 { self.buckets[0][0].time } else { self.buckets[b][self.min_in(b)].time }))
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn earlier_times_come_first() {
        let mut q = EventQueue::new();
        q.push(Time(30), "c");
        q.push(Time(10), "a");
        q.push(Time(20), "b");
        assert_eq!(q.peek_time(), Some(Time(10)));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["a", "b", "c"]);
    }

    #[test]
    fn equal_times_keep_scheduling_order() {
        let mut q = EventQueue::new();
        for i in 0..100 {
            q.push(Time(5), i);
            q.push(Time(1 + (i % 3) as u64 * 10), 1000 + i);
        }
        let mut fives = Vec::new();
        let mut last = Time(0);
        while let Some((t, e)) = q.pop() {
            assert!(t >= last);
            last = t;
            if t == Time(5) {
                fives.push(e);
            }
        }
        assert_eq!(fives, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn matches_a_sorted_reference_under_random_interleaving() {
        // Pops interleaved with pushes into the future, compared with a sort by (time, seq).
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let mut q = EventQueue::new();
        let mut reference: Vec<(u64, u64)> = Vec::new(); // (time, seq) not yet popped
        let (mut now, mut seq) = (0u64, 0u64);
        for step in 0..20_000 {
            if rng.random_bool(0.55) || reference.is_empty() {
                let bits: u32 = rng.random_range(1..40);
                let t = now + if rng.random_bool(0.2) { 0 } else { rng.random_range(0..1u64 << bits) };
                q.push(Time(t), seq);
                reference.push((t, seq));
                seq += 1;
            } else {
                let limit = if step % 7 == 0 { now + rng.random_range(0..1000) } else { u64::MAX };
                reference.sort();
                let expect = reference.first().copied().filter(|&(t, _)| t <= limit);
                let got = q.pop_due(Time(limit)).map(|(t, e)| (t.0, e));
                assert_eq!(got, expect, "step {step}");
                if let Some((t, _)) = got {
                    reference.remove(0);
                    now = t;
                }
            }
            assert_eq!(q.len(), reference.len());
        }
    }

    #[test]
    fn an_emptied_queue_is_empty() {
        let mut q = EventQueue::new();
        for round in 0..10u64 {
            q.push(Time(round), round);
            assert_eq!(q.pop(), Some((Time(round), round)));
        }
        assert_eq!(q.len(), 0);
        assert_eq!(q.pop(), None);
        assert_eq!(q.peek_time(), None);
    }
}
