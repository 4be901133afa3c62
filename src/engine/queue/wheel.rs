//! The near future: a timing wheel of [`SLOTS`] slots, each [`SLOT_BITS`] bits of nanoseconds wide.
//!
//! Slot number `time >> SLOT_BITS` is absolute; the wheel holds slot numbers `cur .. cur + SLOTS`,
//! where `cur` is the slot of the last event taken out, so the array index `slot % SLOTS` is never
//! shared by two live slot numbers. Pushing is a shift, a mask and a `Vec::push`. The one slot being
//! drained is kept sorted, largest key first, so taking the earliest is `Vec::pop`; any other slot is
//! sorted once, when it becomes the earliest. A two-level bitmap finds the next occupied slot in a
//! few word operations, however far ahead it is.
//!
//! The sizes suit message latencies from microseconds to a few milliseconds (one data center):
//! 1,024 ns slots, 4,096 of them, a horizon of about 4.2 ms; anything later waits in the radix heap.
//! Measured with `examples/bench_engine --workload fanout` (exponential latency, mean 1 ms, 10,000
//! messages in flight): 256 ns x 16,384 slots was *slower* than the radix heap alone (its 4 MB of
//! scattered slot allocations missed the cache on every push), while 1 to 2 µs slots with a 2 to 4 ms
//! horizon ran 30% faster. Wider slots mean more entries to sort per slot; fewer slots, more traffic
//! through the heap.

use super::Entry;

/// Slot width: `2^SLOT_BITS` nanoseconds (1.024 µs).
pub(super) const SLOT_BITS: u32 = 10;
/// `2^SLOTS_LOG2` slots (4,096): a horizon of about 4.2 ms.
pub(super) const SLOTS_LOG2: u32 = 12;
const SLOTS: u64 = 1 << SLOTS_LOG2;
const MASK: u64 = SLOTS - 1;
const WORDS: usize = (SLOTS / 64) as usize;
const SUMMARY_WORDS: usize = WORDS.div_ceil(64);

pub(super) struct Wheel<E> {
    /// Allocated on first use, so a simulation that never needs the wheel does not pay for it.
    slots: Vec<Vec<Entry<E>>>,
    /// Bit `i` set when slot index `i` is non-empty.
    occupied: Vec<u64>,
    /// Bit `w` set when word `w` of `occupied` is non-zero.
    summary: [u64; SUMMARY_WORDS],
    /// The absolute slot number of the last event taken out (or jumped to).
    cur: u64,
    /// The absolute slot number whose entries are sorted, largest key first.
    sorted: Option<u64>,
    len: usize,
}

impl<E> Wheel<E> {
    pub(super) fn new() -> Self {
        Wheel { slots: Vec::new(), occupied: Vec::new(), summary: [0; SUMMARY_WORDS], cur: 0, sorted: None, len: 0 }
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }

    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Whether an event at `time` belongs in the wheel (it is before the horizon).
    #[inline(always)]
    pub(super) fn covers(&self, time: u64) -> bool {
        (time >> SLOT_BITS) < self.cur + SLOTS
    }

    /// Moves an empty wheel's window so that it starts at the slot of `time`.
    pub(super) fn jump_to(&mut self, time: u64) {
        debug_assert!(self.is_empty() && time >> SLOT_BITS >= self.cur);
        self.cur = time >> SLOT_BITS;
    }

    /// Files `entry`, whose time must be covered and not before the last event taken out.
    #[inline]
    pub(super) fn push(&mut self, entry: Entry<E>) {
        let slot = entry.time >> SLOT_BITS;
        debug_assert!(slot >= self.cur && slot < self.cur + SLOTS);
        if self.slots.is_empty() {
            self.slots = (0..SLOTS).map(|_| Vec::new()).collect();
            self.occupied = vec![0; WORDS];
        }
        let index = (slot & MASK) as usize;
        let bucket = &mut self.slots[index];
        if self.sorted == Some(slot) {
            // Keep the sorted slot sorted: the new key goes after every larger one.
            let key = entry.key();
            let at = bucket.partition_point(|e| e.key() > key);
            bucket.insert(at, entry);
        } else {
            bucket.push(entry);
        }
        self.occupied[index >> 6] |= 1 << (index & 63);
        self.summary[index >> 12] |= 1 << ((index >> 6) & 63);
        self.len += 1;
    }

    /// The absolute number of the earliest occupied slot. The wheel must not be empty.
    #[inline]
    fn first_slot(&self) -> u64 {
        let start = self.cur & MASK;
        let index = self.next_occupied(start).or_else(|| self.next_occupied(0)).expect("the wheel is not empty");
        self.cur + (index.wrapping_sub(start) & MASK)
    }

    /// The first occupied slot index at or after `from` (no wrap-around).
    #[inline]
    fn next_occupied(&self, from: u64) -> Option<u64> {
        let word = (from >> 6) as usize;
        let bits = self.occupied[word] & (!0u64 << (from & 63));
        if bits != 0 {
            return Some((word as u64) << 6 | bits.trailing_zeros() as u64);
        }
        // Later words, found through the summary.
        let next_word = word + 1;
        for group in next_word >> 6..self.summary.len() {
            let mut mask = self.summary[group];
            if group == next_word >> 6 {
                mask &= !0u64 << (next_word & 63);
            }
            if mask != 0 {
                let w = group << 6 | mask.trailing_zeros() as usize;
                return Some((w as u64) << 6 | self.occupied[w].trailing_zeros() as u64);
            }
        }
        None
    }

    /// The time of the earliest event, if any.
    pub(super) fn first_time(&self) -> Option<u64> {
        if self.is_empty() {
            return None;
        }
        let slot = self.first_slot();
        let bucket = &self.slots[(slot & MASK) as usize];
        if self.sorted == Some(slot) {
            bucket.last().map(|e| e.time)
        } else {
            bucket.iter().map(|e| e.key()).min().map(|k| (k >> 64) as u64)
        }
    }

    /// Removes and returns the earliest event if it is due no later than `limit`.
    #[inline]
    pub(super) fn pop_due(&mut self, limit: u64) -> Option<Entry<E>> {
        if self.is_empty() {
            return None;
        }
        let slot = self.first_slot();
        let index = (slot & MASK) as usize;
        if self.sorted != Some(slot) {
            self.slots[index].sort_unstable_by_key(|e| std::cmp::Reverse(e.key()));
            self.sorted = Some(slot);
        }
        let bucket = &mut self.slots[index];
        if bucket.last().expect("occupied slots are non-empty").time > limit {
            return None;
        }
        let entry = bucket.pop().expect("occupied slots are non-empty");
        if bucket.is_empty() {
            self.occupied[index >> 6] &= !(1 << (index & 63));
            if self.occupied[index >> 6] == 0 {
                self.summary[index >> 12] &= !(1 << ((index >> 6) & 63));
            }
        }
        self.cur = slot;
        self.len -= 1;
        Some(entry)
    }
}
