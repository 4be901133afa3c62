//! The messages in flight, as the event queue carries them.
//!
//! A queue entry of a delivery holds a [`Payload`]: the message itself when it is small and has
//! no destructor (a number, a small enum of numbers), or else the index of its slot in this slab,
//! as a timer's entry holds its slot in the timer slab. Either way the entry has one type whatever
//! the node's message type, so the queue, the run loop and the network's routing are compiled
//! once, inside distsim, at full optimisation: a notebook cell that defines a node type then
//! compiles only its handlers and this file, not the engine (see `core.rs`).
//!
//! Why small messages travel inline: a slab slot is written at the send and read at the delivery,
//! often a million events later, so with many messages in flight that read misses the cache. The
//! `memory` workload of `examples/bench_engine.rs` (a million in flight) ran 1.3x slower with every
//! message in the slab.

use std::mem::{align_of, needs_drop, size_of, MaybeUninit};

/// A message in a queue entry: the message's own bytes, or its slot in a [`MessageSlab`]. Only the
/// slab of the message's type can read it (it knows whether its messages travel inline).
pub(crate) type Payload = MaybeUninit<u64>;

/// The slab of message values that do not travel inline, indexed by the slot a delivery carries.
/// A slot is freed when its message is handed to a handler or dropped, and reused by the next
/// message sent.
pub(crate) struct MessageSlab<M> {
    slots: Vec<Option<M>>,
    free: Vec<u32>,
}

impl<M> MessageSlab<M> {
    /// Whether an `M` travels inline: it fits in a payload and can be forgotten without a leak
    /// (a message dropped with the simulation is never read again, so nothing would drop it).
    const INLINE: bool =
        size_of::<M>() <= size_of::<u64>() && align_of::<M>() <= align_of::<u64>() && !needs_drop::<M>();

    pub(crate) fn new() -> Self {
        MessageSlab { slots: Vec::new(), free: Vec::new() }
    }

    #[cfg(test)]
    pub(crate) fn is_inline() -> bool {
        Self::INLINE
    }

    /// Stores `msg` and returns the payload that stands for it until [`MessageSlab::take`].
    #[inline]
    pub(crate) fn insert(&mut self, msg: M) -> Payload {
        if Self::INLINE {
            let mut payload = Payload::uninit();
            // SAFETY: `INLINE` says an `M` fits in a `u64` and needs no stricter alignment.
            unsafe { payload.as_mut_ptr().cast::<M>().write(msg) };
            return payload;
        }
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot as usize] = Some(msg);
                slot
            }
            None => {
                self.slots.push(Some(msg));
                // A slot per message in flight: more than u32::MAX at once would not fit in memory.
                (self.slots.len() - 1) as u32
            }
        };
        Payload::new(u64::from(slot))
    }

    /// Takes the message back out of `payload` (from [`MessageSlab::insert`] of this slab, taken
    /// once: the engine takes each delivery's payload exactly once, to deliver or to discard it).
    #[inline]
    pub(crate) fn take(&mut self, payload: Payload) -> M {
        if Self::INLINE {
            // SAFETY: `insert` wrote an `M` here (see `INLINE`), and it is read once.
            return unsafe { payload.as_ptr().cast::<M>().read() };
        }
        let slot = Self::slot(payload);
        let msg = self.slots[slot as usize].take();
        self.free.push(slot);
        msg.unwrap_or_else(|| unreachable!("message slot {slot} taken twice"))
    }

    /// The message `payload` stands for, still in flight.
    pub(crate) fn get<'a>(&'a self, payload: &'a Payload) -> &'a M {
        if Self::INLINE {
            // SAFETY: `insert` wrote an `M` here (see `INLINE`); it is borrowed, not moved.
            return unsafe { &*payload.as_ptr().cast::<M>() };
        }
        let slot = Self::slot(*payload);
        self.slots[slot as usize].as_ref().unwrap_or_else(|| unreachable!("message slot {slot} is free"))
    }

    fn slot(payload: Payload) -> u32 {
        // SAFETY: without `INLINE`, `insert` wrote a whole `u64`, a slot number.
        unsafe { payload.assume_init() as u32 }
    }

    /// How many messages are in the slab (in flight and not inline).
    #[cfg(test)]
    pub(crate) fn in_use(&self) -> usize {
        self.slots.len() - self.free.len()
    }
}

#[cfg(test)]
mod tests {
    use super::MessageSlab;
    use crate::engine::{Context, Node, NodeId, Simulation};
    use crate::faults::Fault;
    use crate::network::Network;
    use crate::time::{millis, Time};
    use std::rc::Rc;

    #[test]
    fn small_plain_messages_travel_inline_and_the_rest_in_the_slab() {
        assert!(MessageSlab::<u64>::is_inline() && MessageSlab::<()>::is_inline());
        assert!(MessageSlab::<(u32, char)>::is_inline());
        assert!(!MessageSlab::<u128>::is_inline(), "too big");
        assert!(!MessageSlab::<Box<u8>>::is_inline(), "small, but has a destructor");
        let mut inline = MessageSlab::new();
        let payload = inline.insert((7u32, 'x'));
        assert_eq!(inline.get(&payload), &(7, 'x'));
        assert_eq!(inline.take(payload), (7, 'x'));
        assert_eq!(inline.in_use(), 0);
    }

    #[test]
    fn a_freed_slot_is_reused_and_a_taken_message_comes_back_whole() {
        let mut slab = MessageSlab::new();
        let (a, b) = (slab.insert("a".to_string()), slab.insert("b".to_string()));
        assert_eq!(slab.take(a), "a");
        let c = slab.insert("c".to_string());
        assert_eq!(slab.in_use(), 2, "the freed slot is reused");
        assert_eq!((slab.get(&b), slab.get(&c)), (&"b".to_string(), &"c".to_string()));
    }

    /// Every node passes each hop count below 40 on to a random peer, with a share of `token`.
    struct Echo;
    impl Node for Echo {
        type Msg = (u32, Rc<()>);
        type Timer = ();
        fn on_message(&mut self, ctx: &mut Context<(u32, Rc<()>)>, _from: NodeId, (n, token): (u32, Rc<()>)) {
            if n < 40 {
                let peer = ctx.random_peer();
                ctx.send(peer, (n + 1, token));
            }
        }
    }

    /// Every way a message leaves the network drops it exactly once and frees its slot: delivered,
    /// lost, duplicated (the copy is a message of its own), dropped at a crashed receiver, held by
    /// a pause and then discarded by a crash, or still in flight when the simulation is dropped.
    /// Each message holds a share of one `Rc`, so a leak or a second drop shows in its count.
    #[test]
    fn no_path_of_a_message_leaks_it_or_drops_it_twice() {
        let token = Rc::new(());
        let net = Network::new().loss(0.1).duplicate(0.2);
        let mut sim = Simulation::new(3, vec![Echo, Echo, Echo, Echo]).unwrap().with_network(net).unwrap();
        for from in 0..4 {
            sim.inject(Time::ZERO, from, (from + 1) % 4, (0, Rc::clone(&token))).unwrap();
        }
        sim.schedule(Time::ZERO + millis(3), Fault::Crash(1)).unwrap();
        sim.schedule(Time::ZERO + millis(5), Fault::Pause { node: 2, for_: millis(20) }).unwrap();
        sim.schedule(Time::ZERO + millis(9), Fault::Crash(2)).unwrap();
        sim.run_until(Time::ZERO + millis(4)).unwrap();
        let in_flight = sim.pending_events() - 2; // the two faults still to come
        assert!(in_flight > 0);
        assert_eq!(sim.typed.messages.in_use(), in_flight);
        assert_eq!(Rc::strong_count(&token), 1 + in_flight);
        sim.run_until_quiet().unwrap();
        let m = sim.metrics();
        assert!(m.counter("duplicated") > 0 && m.counter("dropped") > 0, "both paths were taken");
        assert_eq!(sim.typed.messages.in_use(), 0);
        assert_eq!(Rc::strong_count(&token), 1);

        let mut sim = Simulation::new(3, vec![Echo, Echo]).unwrap();
        sim.inject(Time::ZERO, 0, 1, (0, Rc::clone(&token))).unwrap();
        sim.run_until(Time::ZERO + millis(5)).unwrap();
        assert_eq!(Rc::strong_count(&token), 2, "one message in flight");
        drop(sim);
        assert_eq!(Rc::strong_count(&token), 1);
    }
}
