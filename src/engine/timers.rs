//! The values of pending timers, kept beside the event queue rather than in it.
//!
//! A timer's value has the node's own type (`Node::Timer`), which may be large (a retry that
//! carries its request). The queue entry of a timer holds only the index of its slot here, so every
//! queue entry stays as small as before typed timers, and the queue code does not depend on the
//! node's timer type. A slot is freed when its queue entry is popped (fired, cancelled or discarded
//! after a crash) and reused by the next timer set; the timer's sequence number, kept in the slot
//! and in its [`TimerId`], tells a reused slot from the one a stale handle names.

use super::TimerId;

enum State<T> {
    /// Not in use; its index is on the free list.
    Free,
    /// Set and not yet fired: the value the node will get.
    Pending(T),
    /// Cancelled before it fired; the queue entry still points here until it is popped.
    Cancelled,
}

struct Slot<T> {
    seq: u64,
    state: State<T>,
}

/// The slab of pending timer values, indexed by the slot a queue entry carries.
pub(crate) struct TimerSlab<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    next_seq: u64,
}

impl<T> TimerSlab<T> {
    pub(crate) fn new() -> Self {
        TimerSlab { slots: Vec::new(), free: Vec::new(), next_seq: 0 }
    }

    /// Stores `value` for a new timer and returns its handle.
    #[inline]
    pub(crate) fn insert(&mut self, value: T) -> TimerId {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = Slot { seq, state: State::Pending(value) };
                i
            }
            None => {
                self.slots.push(Slot { seq, state: State::Pending(value) });
                // A slot per pending timer: more than u32::MAX at once would not fit in memory.
                (self.slots.len() - 1) as u32
            }
        };
        TimerId { seq, slot }
    }

    /// Cancels the timer `id` names if it is still pending; a stale handle (the timer fired, was
    /// cancelled, or its slot now holds a later timer) changes nothing. Returns whether it did.
    pub(crate) fn cancel(&mut self, id: TimerId) -> bool {
        match self.slots.get_mut(id.slot as usize) {
            Some(slot) if slot.seq == id.seq && matches!(slot.state, State::Pending(_)) => {
                slot.state = State::Cancelled;
                true
            }
            _ => false,
        }
    }

    /// Frees the slot whose queue entry was just popped: its sequence number and value if the
    /// timer is still pending, `None` if it was cancelled.
    #[inline]
    pub(crate) fn take(&mut self, slot: u32) -> Option<(u64, T)> {
        let entry = &mut self.slots[slot as usize];
        let state = std::mem::replace(&mut entry.state, State::Free);
        self.free.push(slot);
        match state {
            State::Pending(value) => Some((entry.seq, value)),
            State::Cancelled => None,
            State::Free => unreachable!("timer slot {slot} popped twice"),
        }
    }

    /// How many slots are in use (pending or cancelled but not yet popped).
    #[cfg(test)]
    pub(crate) fn in_use(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_handle_cancels_nothing_even_when_its_slot_is_reused() {
        let mut slab = TimerSlab::new();
        let first = slab.insert("first");
        assert_eq!(slab.take(first.slot), Some((0, "first")));
        let second = slab.insert("second");
        assert_eq!(second.slot, first.slot, "the freed slot is reused");
        assert!(!slab.cancel(first), "the first timer already fired");
        assert_eq!(slab.take(second.slot), Some((1, "second")));
        assert_eq!(slab.in_use(), 0);
    }

    #[test]
    fn a_cancelled_timer_holds_its_slot_until_popped_and_then_frees_it() {
        let mut slab = TimerSlab::new();
        let id = slab.insert(7u8);
        assert!(slab.cancel(id));
        assert!(!slab.cancel(id), "cancelling twice changes nothing");
        assert_eq!(slab.in_use(), 1);
        assert_eq!(slab.take(id.slot), None);
        assert_eq!(slab.in_use(), 0);
    }

    /// The engine-level defect this slab fixes: cancelling a timer that had already fired used to
    /// leave its id in a `cancelled` set for the rest of the run (and turned off the fast path of
    /// every later firing). Now nothing is left behind, also for a timer held during a pause and
    /// then discarded by a crash.
    mod engine {
        use crate::engine::{Context, Node, Simulation, TimerId};
        use crate::faults::Fault;
        use crate::time::{micros, millis, Time};

        struct Stale {
            first: Option<TimerId>,
            fired: u32,
        }

        impl Node for Stale {
            type Msg = ();
            type Timer = u8;
            fn on_start(&mut self, ctx: &mut Context<(), u8>) {
                self.first = Some(ctx.set_timer(millis(1), 1));
                ctx.set_timer(millis(5), 2);
            }
            fn on_timer(&mut self, ctx: &mut Context<(), u8>, _: u8) {
                self.fired += 1;
                ctx.cancel_timer(self.first.expect("set at start"));
            }
        }

        #[test]
        fn cancelling_a_fired_timer_leaves_nothing_behind() {
            let mut sim = Simulation::new(1, vec![Stale { first: None, fired: 0 }]).unwrap();
            sim.run_until(Time::ZERO + millis(2)).unwrap();
            assert_eq!(sim.typed.timers.in_use(), 1, "only the 5 ms timer is pending");
            sim.run_until_quiet().unwrap();
            assert_eq!(sim.node(0).fired, 2);
            assert_eq!(sim.typed.timers.in_use(), 0);
        }

        #[test]
        fn a_timer_held_by_a_pause_and_discarded_by_a_crash_frees_its_slot() {
            let mut sim = Simulation::new(1, vec![Stale { first: None, fired: 0 }]).unwrap();
            sim.schedule(Time::ZERO + micros(500), Fault::Pause { node: 0, for_: millis(10) }).unwrap();
            sim.schedule(Time::ZERO + millis(6), Fault::Crash(0)).unwrap();
            sim.run_until_quiet().unwrap();
            assert_eq!(sim.node(0).fired, 0);
            assert_eq!(sim.typed.timers.in_use(), 0);
        }
    }
}
