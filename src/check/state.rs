//! A global state of the system under check: every node's state, the messages in flight (a
//! multiset), the pending timers, which nodes are down, the partition, and the client history.

use super::hash::{fingerprint, mix, FpHasher};
use super::history::History;
use crate::engine::{Node, NodeId, TimerId};
use std::hash::{Hash, Hasher};
use std::ptr::NonNull;
use std::sync::Arc;

/// A message in flight.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Envelope<M> {
    /// The sender.
    pub from: NodeId,
    /// The receiver.
    pub to: NodeId,
    /// The message.
    pub msg: M,
    /// Its fingerprint, which orders the unordered network canonically (a message type need not
    /// be `Ord`) and stands for it in the state's fingerprint.
    pub(crate) key: u64,
}

/// A timer that was set and has neither fired nor been cancelled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingTimer<T> {
    /// The node that set it.
    pub node: NodeId,
    /// The value it carries (what `on_timer` will get).
    pub value: T,
    /// The id the node got back (`id.seq()` is a hash of the value under the checker).
    pub id: TimerId,
}

/// Whether the one partition the checker may open has opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PartitionState {
    /// Not yet.
    Never,
    /// Open: the nodes whose bit is set are on one side, the others on the other.
    Open(u64),
    /// Opened and healed.
    Healed,
}

/// One global state. Properties read it through its accessors.
#[derive(Clone)]
pub struct State<N: Node> {
    /// Shared, not copied: a step changes one node, and its successor shares the others (a
    /// breadth-first level holds millions of states).
    pub(crate) nodes: Vec<Slot<N>>,
    /// Sorted by key (unordered network) or by link, oldest first (FIFO links).
    pub(crate) in_flight: Vec<Envelope<N::Msg>>,
    /// Sorted by (node, id).
    pub(crate) timers: Vec<PendingTimer<N::Timer>>,
    pub(crate) crashed: u64,
    pub(crate) crashes: u8,
    pub(crate) partition: PartitionState,
    pub(crate) history: Shared<History<N::Msg>>,
    /// The sum of the terms of every part (see [`State::fingerprint`]), kept up to date by each
    /// step so that a successor's fingerprint costs only the parts the step changed.
    pub(crate) sum: u64,
}

/// The fingerprint of a state is a sum of one well-mixed term per part: node `i`'s hash (with
/// `i`), each message in flight, each pending timer, the crash and partition flags, the history.
/// A sum does not depend on the order of the parts, which is what a multiset of messages needs,
/// and a step that changes one node and a few messages updates it with a few additions instead of
/// rehashing the whole state (the simpler alternative, rejected: it cost more than the handler).
pub(crate) mod term {
    use super::mix;
    pub(crate) fn node(i: usize, hash: u64) -> u64 {
        mix(0x6e6f_6465 ^ (i as u64) << 32, hash)
    }
    pub(crate) fn message(key: u64) -> u64 {
        mix(0x6d73_6721, key)
    }
    pub(crate) fn timer(node: usize, seq: u64) -> u64 {
        mix(0x7469_6d65 ^ (node as u64) << 32, seq)
    }
    pub(crate) fn flags(crashed: u64, crashes: u8, partition: u64) -> u64 {
        mix(mix(0x666c_6167 ^ (crashes as u64) << 32, crashed), partition)
    }
    pub(crate) fn history(fp: u64) -> u64 {
        mix(0x6869_7374, fp)
    }
    /// The terms of every pending timer in `ts`.
    pub(crate) fn timers<T>(ts: &[super::PendingTimer<T>]) -> u64 {
        ts.iter().map(|t| timer(t.node, t.id.seq())).fold(0, u64::wrapping_add)
    }
    /// The terms of a state's parts besides its nodes and messages (what the breadth-first
    /// frontier interns as one "rest"): its pending timers, crash and partition flags, history.
    pub(crate) fn rest<T>(
        timers: &[super::PendingTimer<T>],
        crashed: u64,
        crashes: u8,
        partition: super::PartitionState,
        history_fp: u64,
    ) -> u64 {
        flags(crashed, crashes, partition.code()).wrapping_add(history(history_fp)).wrapping_add(self::timers(timers))
    }
}

/// One node's state in a global state, and its hash.
pub(crate) struct Slot<N> {
    pub(crate) node: Shared<N>,
    pub(crate) hash: u64,
}

/// A shared value of a state (a node's state, the history), counted or borrowed.
///
/// A breadth-first search decodes every state of a level from its interned parts, twice, and
/// most of a state's parts are values that millions of states share. Counting each decoded
/// reference (an atomic increment, and a decrement when the state is dropped) made both threads
/// write the same few counters all the time: 10% of a two-thread check went to those two
/// instructions. So a decoded state borrows the interner's `Arc`s instead of counting them.
pub(crate) enum Shared<T> {
    /// Counted: this state keeps the value alive.
    Owned(Arc<T>),
    /// Not counted: an `Arc` that the search's interner holds, which stays at its address until
    /// the search ends. Only [`Shared::interned`] makes one, for a state that the search drops
    /// before its interner ([`super::frontier::Codec::decode_into`]); [`Shared::share`] keeps it for
    /// a successor that the search also drops in time. Any other copy, the public `State::clone`
    /// included, is counted, so no state that a property keeps can outlive what it points to.
    Interned(NonNull<Arc<T>>),
}

// SAFETY: a `Shared` only hands out `&T` and `&Arc<T>`; `Interned` is a shared reference to an
// `Arc<T>` that outlives it (see `Shared`), and `&Arc<T>` is `Send + Sync` when `T` is.
unsafe impl<T: Send + Sync> Send for Shared<T> {}
unsafe impl<T: Send + Sync> Sync for Shared<T> {}

impl<T> Shared<T> {
    /// A reference that borrows `value` without counting it.
    ///
    /// # Safety
    /// `value` must stay where it is, alive, until this reference and every [`Shared::share`] of
    /// it are dropped.
    pub(crate) unsafe fn interned(value: &Arc<T>) -> Self {
        Shared::Interned(NonNull::from(value))
    }

    /// A copy for a successor of the state that holds this one: borrowed if this one is, so the
    /// successor must be dropped no later than this one's state would have to be.
    pub(crate) fn share(&self) -> Self {
        match self {
            Shared::Owned(arc) => Shared::Owned(arc.clone()),
            Shared::Interned(ptr) => Shared::Interned(*ptr),
        }
    }

    #[inline]
    pub(crate) fn arc(&self) -> &Arc<T> {
        match self {
            Shared::Owned(arc) => arc,
            // SAFETY: the interner's `Arc` outlives this reference (see `Shared::Interned`).
            Shared::Interned(ptr) => unsafe { ptr.as_ref() },
        }
    }
}

impl<T> Clone for Shared<T> {
    /// A counted copy, which may live as long as it likes.
    fn clone(&self) -> Self {
        Shared::Owned(self.arc().clone())
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        self.arc()
    }
}

impl<N> Clone for Slot<N> {
    fn clone(&self) -> Self {
        Slot { node: self.node.clone(), hash: self.hash }
    }
}

impl<N: Hash> Slot<N> {
    pub(crate) fn new(node: N) -> Self {
        Slot { hash: fingerprint(&node), node: Shared::Owned(Arc::new(node)) }
    }
}

impl<N> Slot<N> {
    /// A copy for a successor (see [`Shared::share`]).
    pub(crate) fn share(&self) -> Self {
        Slot { node: self.node.share(), hash: self.hash }
    }

    #[inline]
    pub(crate) fn node(&self) -> &N {
        &self.node
    }
}

impl<N: Node> State<N> {
    /// Every node's state, in id order: `s.nodes().iter()`, `s.nodes()[i]`, `s.nodes().len()`.
    pub fn nodes(&self) -> Nodes<'_, N> {
        Nodes(&self.nodes)
    }
    /// Node `id`'s state.
    pub fn node(&self, id: NodeId) -> &N {
        self.nodes[id].node()
    }
    /// The messages in flight (a multiset: a message sent twice appears twice).
    pub fn in_flight(&self) -> &[Envelope<N::Msg>] {
        &self.in_flight
    }
    /// The pending timers.
    pub fn timers(&self) -> &[PendingTimer<N::Timer>] {
        &self.timers
    }
    /// Whether node `id` is crashed.
    pub fn is_crashed(&self, id: NodeId) -> bool {
        id < 64 && self.crashed >> id & 1 == 1
    }
    /// The partition, if one is open.
    pub fn partition(&self) -> PartitionState {
        self.partition
    }
    /// The client history recorded so far (empty unless the check records one).
    pub fn history(&self) -> &History<N::Msg> {
        &self.history
    }

    /// The state's fingerprint: what the checker stores to recognise it again.
    pub(crate) fn fingerprint(&self) -> u64 {
        finish(self.sum)
    }

    /// The sum of the terms of every part, computed from scratch.
    pub(crate) fn sum_from_scratch(&self) -> u64 {
        let nodes = self.nodes.iter().enumerate().map(|(i, s)| term::node(i, s.hash));
        let messages = self.in_flight.iter().map(|e| term::message(e.key));
        let rest = term::rest(&self.timers, self.crashed, self.crashes, self.partition, self.history.fingerprint());
        nodes.chain(messages).fold(rest, u64::wrapping_add)
    }
}

impl PartitionState {
    pub(crate) fn code(self) -> u64 {
        match self {
            PartitionState::Never => 0,
            PartitionState::Open(side) => side << 1 | 1,
            PartitionState::Healed => 2,
        }
    }
}

/// The fingerprint of a sum of terms: avalanched, so that sums that differ in few bits do not
/// give fingerprints that differ in few bits (the visited set is split by their top bits).
pub(crate) fn finish(sum: u64) -> u64 {
    let mut h = FpHasher::default();
    h.write_u64(sum);
    h.finish()
}

impl<M: Hash> Envelope<M> {
    pub(crate) fn new(from: NodeId, to: NodeId, msg: M) -> Self {
        let key = fingerprint(&(from, to, &msg));
        Envelope { from, to, msg, key }
    }
}

/// The nodes of a [`State`], in id order. States share the nodes a step did not change, so this is
/// a view over them rather than a slice; it reads like one.
pub struct Nodes<'a, N>(&'a [Slot<N>]);

impl<'a, N> Nodes<'a, N> {
    /// Each node's state, in id order.
    pub fn iter(&self) -> NodesIter<'a, N> {
        NodesIter(self.0.iter())
    }
    /// How many nodes.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// A copy of every node's state, for a function that takes a slice.
    pub fn to_vec(&self) -> Vec<N>
    where
        N: Clone,
    {
        self.iter().cloned().collect()
    }
}

impl<N> std::ops::Index<usize> for Nodes<'_, N> {
    type Output = N;
    fn index(&self, id: usize) -> &N {
        self.0[id].node()
    }
}

impl<'a, N> IntoIterator for Nodes<'a, N> {
    type Item = &'a N;
    type IntoIter = NodesIter<'a, N>;
    fn into_iter(self) -> NodesIter<'a, N> {
        NodesIter(self.0.iter())
    }
}

/// The iterator of [`Nodes`].
pub struct NodesIter<'a, N>(std::slice::Iter<'a, Slot<N>>);

impl<'a, N> Iterator for NodesIter<'a, N> {
    type Item = &'a N;
    fn next(&mut self) -> Option<&'a N> {
        self.0.next().map(Slot::node)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl<N> ExactSizeIterator for NodesIter<'_, N> {}
