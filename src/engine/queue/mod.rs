//! The event queue: a timing wheel for the near future in front of a radix heap for the far future,
//! both ordered by `(time, seq)`.
//!
//! `seq` is a global insertion counter, so two events scheduled for the same instant run in the order
//! they were scheduled (FIFO). That tie-break is what makes a run reproducible: without it, the queue
//! would order equal times by its own internal layout, which depends on everything else in it.
//!
//! **Why two structures.** Most events in a network simulation land a little way ahead of `now`: a
//! message a few hundred microseconds out, a timer a few milliseconds out. The [`wheel`] files those
//! by arithmetic into slots of fixed width and sorts each slot only when time reaches it (a handful
//! of entries), so an event is moved about once between `push` and `pop`. Events beyond the wheel's
//! horizon wait in the [`radix`] heap, which handles any spread of times well but re-files each entry
//! several times (about 8 in the benchmark's fan-out workload, where it was 45% of the run time on
//! its own); when the wheel's horizon reaches them they move over. Both are exact: the wheel sorts by
//! the full `(time, seq)` key, so the order is the same as a sort of every event ever pushed.
//!
//! **One event in flight.** Many of the course's runs have a single event pending most of the time
//! (a ping-pong, a retry loop, one message crossing at a time). Then the queue keeps it aside, in
//! `lone`, and neither structure is touched: the push stores it, the pop takes it. A second push
//! files the lone event into the wheel or the heap like any other, so the order stays exact.

mod radix;
mod wheel;

use crate::time::Time;
use radix::RadixHeap;
use wheel::Wheel;

/// One scheduled event with its ordering key.
///
/// Aligned to a cache line: the engine's entries are 64 bytes, and without the alignment most of
/// them straddled two lines, so reading the key when a wheel slot is ordered fetched one line and
/// reading the message when it is taken out, about a millisecond of simulated traffic later,
/// missed the cache again on the other.
#[repr(align(64))]
pub(super) struct Entry<E> {
    pub(super) time: u64,
    pub(super) seq: u64,
    pub(super) event: E,
}

impl<E> Entry<E> {
    /// `time` first, then `seq`, as one number.
    #[inline(always)]
    pub(super) fn key(&self) -> u128 {
        ((self.time as u128) << 64) | self.seq as u128
    }
}

/// A priority queue of events of type `E`, ordered by time and then by scheduling order.
pub(crate) struct EventQueue<E> {
    /// The only pending event, when there is exactly one; `near` and `far` are then empty.
    lone: Option<Entry<E>>,
    near: Wheel<E>,
    far: RadixHeap<E>,
    next_seq: u64,
}

impl<E> EventQueue<E> {
    pub(crate) fn new() -> Self {
        EventQueue { lone: None, near: Wheel::new(), far: RadixHeap::new(), next_seq: 0 }
    }

    /// Schedules `event` at `time`, after every event already scheduled for that same time.
    /// `time` must not be earlier than the last event taken out (the engine never schedules into
    /// the past; `Simulation` checks user-given times).
    #[inline]
    pub(crate) fn push(&mut self, time: Time, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let entry = Entry { time: time.as_nanos(), seq, event };
        if self.lone.is_some() {
            self.file_lone();
        } else if self.near.is_empty() && self.far.len() == 0 {
            self.lone = Some(entry);
            return;
        }
        self.file(entry);
    }

    /// A second event arrived: the lone one joins the wheel or the heap. Kept out of line, so the
    /// busy path of `push` (many events pending) stays as small as it was.
    #[cold]
    #[inline(never)]
    fn file_lone(&mut self) {
        if let Some(lone) = self.lone.take() {
            self.file(lone);
        }
    }

    /// Puts `entry` in the wheel if its horizon covers it, else in the far heap.
    #[inline(always)]
    fn file(&mut self, entry: Entry<E>) {
        if self.near.covers(entry.time) {
            self.near.push(entry);
        } else {
            self.far.push(entry);
        }
    }

    /// Removes and returns the earliest event if it is due no later than `limit`.
    #[inline]
    pub(crate) fn pop_due(&mut self, limit: Time) -> Option<(Time, E)> {
        if let Some(lone) = &self.lone {
            if lone.time > limit.as_nanos() {
                return None;
            }
            let entry = self.lone.take().expect("checked above");
            // The wheel's window follows time even while it is bypassed.
            self.near.jump_to(entry.time);
            return Some((Time::from_nanos(entry.time), entry.event));
        }
        self.bring_near_what_is_due(limit.as_nanos());
        let entry = self.near.pop_due(limit.as_nanos())?;
        Some((Time::from_nanos(entry.time), entry.event))
    }

    /// Makes sure the earliest event of all is in the wheel: every far event that the wheel's
    /// horizon now covers moves over (moving one early is harmless, as the wheel orders exactly).
    /// When the wheel is empty its horizon first jumps ahead to the far heap's earliest event, but
    /// only if that is due by `limit`: the wheel never moves past an event not yet taken out,
    /// because the engine may still schedule events before it.
    #[inline(always)]
    fn bring_near_what_is_due(&mut self, limit: u64) {
        let Some(far_first) = self.far.first_time() else { return };
        if self.near.is_empty() {
            if far_first > limit {
                return;
            }
            self.near.jump_to(far_first);
        }
        while let Some(entry) = self.far.pop_if(|time| self.near.covers(time)) {
            self.near.push(entry);
        }
    }

    /// Removes and returns the earliest event (FIFO among equal times).
    #[cfg(test)]
    pub(crate) fn pop(&mut self) -> Option<(Time, E)> {
        self.pop_due(Time::MAX)
    }

    /// The time of the earliest event, if any.
    pub(crate) fn peek_time(&self) -> Option<Time> {
        if let Some(lone) = &self.lone {
            return Some(Time::from_nanos(lone.time));
        }
        match (self.near.first_time(), self.far.first_time()) {
            (Some(a), Some(b)) => Some(Time::from_nanos(a.min(b))),
            (a, b) => a.or(b).map(Time::from_nanos),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.lone.is_some() as usize + self.near.len() + self.far.len()
    }
}

#[cfg(test)]
mod tests;
