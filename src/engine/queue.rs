//! The event queue: a binary min-heap keyed by `(time, seq)`.
//!
//! `seq` is a global insertion counter, so two events scheduled for the same instant run in the order
//! they were scheduled (FIFO). That tie-break is what makes a run reproducible: without it, the heap
//! would order equal times by its own internal layout, which depends on everything else in it.
//!
//! Why a heap of small keys plus a slab of payloads, rather than a heap of whole events: sifting moves
//! entries up and down the heap, and a key is 24 bytes while an event carrying a user message can be
//! several times that. Payloads sit still in a slab (a `Vec` with a free list, so a steady-state run
//! allocates nothing per message) and only the keys move.

use crate::time::Time;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Where an event sits in the order of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    time: u64,
    seq: u64,
    slot: u32,
}

// `BinaryHeap` is a max-heap; reversing the comparison makes the smallest (time, seq) come out first.
impl Ord for Key {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}
impl PartialOrd for Key {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// A priority queue of events of type `E`, ordered by time and then by scheduling order.
pub(crate) struct EventQueue<E> {
    heap: BinaryHeap<Key>,
    slots: Vec<Option<E>>,
    free: Vec<u32>,
    next_seq: u64,
}

impl<E> EventQueue<E> {
    pub(crate) fn new() -> Self {
        EventQueue { heap: BinaryHeap::new(), slots: Vec::new(), free: Vec::new(), next_seq: 0 }
    }

    /// Schedules `event` at `time`, after every event already scheduled for that same time.
    #[inline]
    pub(crate) fn push(&mut self, time: Time, event: E) {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(event);
                slot
            }
            None => {
                self.slots.push(Some(event));
                (self.slots.len() - 1) as u32
            }
        };
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Key { time: time.0, seq, slot });
    }

    /// Removes and returns the earliest event (FIFO among equal times).
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<(Time, E)> {
        let key = self.heap.pop()?;
        let event = self.slots[key.slot as usize].take().expect("queue slot holds its event");
        self.free.push(key.slot);
        Some((Time(key.time), event))
    }

    /// Removes and returns the earliest event if it is due no later than `limit`.
    #[inline]
    pub(crate) fn pop_due(&mut self, limit: Time) -> Option<(Time, E)> {
        if self.heap.peek()?.time > limit.0 {
            return None;
        }
        self.pop()
    }

    /// The time of the earliest event, if any.
    #[inline]
    pub(crate) fn peek_time(&self) -> Option<Time> {
        self.heap.peek().map(|k| Time(k.time))
    }

    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn earlier_times_come_first() {
        let mut q = EventQueue::new();
        q.push(Time(30), "c");
        q.push(Time(10), "a");
        q.push(Time(20), "b");
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
        let mut last = (Time(0), -1i64);
        let mut fives = Vec::new();
        while let Some((t, e)) = q.pop() {
            assert!(t >= last.0);
            if t == Time(5) {
                fives.push(e);
            }
            last = (t, e as i64);
        }
        assert_eq!(fives, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn slots_are_reused_after_pop() {
        let mut q = EventQueue::new();
        for round in 0..10u64 {
            q.push(Time(round), round);
            assert_eq!(q.pop(), Some((Time(round), round)));
        }
        assert_eq!(q.slots.len(), 1);
        assert_eq!(q.len(), 0);
    }
}
