//! The near future: a timing wheel of [`SLOTS`] slots, each [`SLOT_BITS`] bits of nanoseconds wide.
//!
//! Slot number `time >> SLOT_BITS` is absolute; the wheel holds slot numbers `cur .. cur + SLOTS`,
//! where `cur` is the slot of the last event taken out, so the array index `slot % SLOTS` is never
//! shared by two live slot numbers. Pushing is a shift, a mask and a `Vec::push`. A slot is put in
//! order once, when it becomes the earliest, and then kept in order while it drains; a two-level
//! bitmap finds the next occupied slot in a few word operations, however far ahead it is.
//!
//! **Ordering a slot without moving its entries.** Entries are 64 bytes in the engine, and sorting
//! them in place (insertion sort over about ten of them) moved each one several times: 14% of the
//! fan-out benchmark. Instead the slot's entries stay where they were pushed, and a separate list
//! of 16-byte order keys is sorted: the entry's time within the slot, its `seq` and its index in the
//! bucket, packed into one `u128` whose order is exactly `(time, seq)` order (all times in a slot
//! share their high bits). Taking the earliest pops the last key and takes the entry out of its
//! place, leaving a `None` hole; the bucket is cleared when its last entry is gone.
//!
//! The sizes suit message latencies from microseconds to a few milliseconds (one data center):
//! 1,024 ns slots, 4,096 of them, a horizon of about 4.2 ms; anything later waits in the radix heap.
//! Measured with `examples/bench_engine --workload fanout` (exponential latency, mean 1 ms, 10,000
//! messages in flight): 256 ns x 16,384 slots was *slower* than the radix heap alone (its 4 MB of
//! scattered slot allocations missed the cache on every push), while 1 to 2 µs slots with a 2 to 4 ms
//! horizon ran 30% faster. Wider slots mean more entries to sort per slot; fewer slots, more traffic
//! through the heap.

use super::Entry;

/// Bits of an order key below the `seq`: the entry's index in its bucket.
const INDEX_BITS: u32 = 54;
const _: () = assert!(SLOT_BITS + 64 + INDEX_BITS <= 128, "an order key must fit in a u128");

/// The order key of the entry at `index` of its bucket: `(time within the slot, seq, index)`.
#[inline(always)]
fn order_key(time: u64, seq: u64, index: usize) -> u128 {
    debug_assert!((index as u64) < 1 << INDEX_BITS);
    let within = time & ((1 << SLOT_BITS) - 1);
    (within as u128) << (64 + INDEX_BITS) | (seq as u128) << INDEX_BITS | index as u128
}

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
    /// Entries stay where they were pushed; a taken one leaves `None` until its slot is empty.
    /// (For the engine's events `Option` costs no space: the event's tag has room for `None`.)
    slots: Vec<Vec<Option<Entry<E>>>>,
    /// Buckets of slots that drained, kept with their capacity for the next slot that fills, so a
    /// run allocates as many buckets as it has slots occupied at once, not one per slot it ever
    /// touches (a long run with few events in flight sweeps all 4,096 slots: allocating and freeing
    /// a bucket for each was half the time of a sweep of 2,000 short simulations).
    spare: Vec<Vec<Option<Entry<E>>>>,
    /// Bit `i` set when slot index `i` is non-empty.
    occupied: Vec<u64>,
    /// Bit `w` set when word `w` of `occupied` is non-zero.
    summary: [u64; SUMMARY_WORDS],
    /// The absolute slot number of the last event taken out (or jumped to).
    cur: u64,
    /// The absolute slot number whose entries `order` lists.
    sorted: Option<u64>,
    /// Order keys of the live entries of slot `sorted`, largest first, so the earliest is last.
    order: Vec<u128>,
    len: usize,
}

impl<E> Wheel<E> {
    pub(super) fn new() -> Self {
        Wheel {
            slots: Vec::new(),
            spare: Vec::new(),
            occupied: Vec::new(),
            summary: [0; SUMMARY_WORDS],
            cur: 0,
            sorted: None,
            order: Vec::new(),
            len: 0,
        }
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
        if bucket.capacity() == 0 {
            if let Some(reused) = self.spare.pop() {
                *bucket = reused;
            }
        }
        if self.sorted == Some(slot) {
            // Keep the slot being drained in order: the new key goes after every larger one.
            let key = order_key(entry.time, entry.seq, bucket.len());
            let at = self.order.partition_point(|&k| k > key);
            self.order.insert(at, key);
        }
        bucket.push(Some(entry));
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
        if self.sorted == Some(slot) {
            self.order.last().map(|&k| Self::time_of(slot, k))
        } else {
            let bucket = &self.slots[(slot & MASK) as usize];
            bucket.iter().flatten().map(|e| e.key()).min().map(|k| (k >> 64) as u64)
        }
    }

    /// The time of the entry with order key `key` in slot `slot`.
    #[inline(always)]
    fn time_of(slot: u64, key: u128) -> u64 {
        slot << SLOT_BITS | (key >> (64 + INDEX_BITS)) as u64
    }

    /// Makes `slot` the one that `order` lists. No entry of the slot has been taken yet (taking
    /// one would have made it the current slot, which stays first until it is empty), so its bucket
    /// has no holes; a slot listed before and left without being drained is simply listed again.
    fn sort_slot(&mut self, slot: u64) {
        let bucket = &self.slots[(slot & MASK) as usize];
        self.order.clear();
        let keys = bucket.iter().enumerate().filter_map(|(i, e)| e.as_ref().map(|e| order_key(e.time, e.seq, i)));
        self.order.extend(keys);
        self.order.sort_unstable_by(|a, b| b.cmp(a));
        self.sorted = Some(slot);
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
            self.sort_slot(slot);
        }
        let key = *self.order.last().expect("occupied slots are non-empty");
        if Self::time_of(slot, key) > limit {
            return None;
        }
        self.order.pop();
        let bucket = &mut self.slots[index];
        let entry = bucket[(key & ((1 << INDEX_BITS) - 1)) as usize].take().expect("a listed entry is there");
        if self.order.is_empty() {
            bucket.clear();
            self.spare.push(std::mem::take(bucket));
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
