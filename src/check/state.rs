//! A global state of the system under check: every node's state, the messages in flight (a
//! multiset), the pending timers, which nodes are down, the partition, and the client history.

use super::hash::{fingerprint, FpHasher};
use super::history::History;
use crate::engine::{Node, NodeId, TimerId};
use std::hash::{Hash, Hasher};
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
    pub(crate) nodes: Vec<N>,
    pub(crate) node_hashes: Vec<u64>,
    /// Sorted by key (unordered network) or by link, oldest first (FIFO links).
    pub(crate) in_flight: Vec<Envelope<N::Msg>>,
    /// Sorted by (node, id).
    pub(crate) timers: Vec<PendingTimer<N::Timer>>,
    pub(crate) crashed: u64,
    pub(crate) crashes: u8,
    pub(crate) partition: PartitionState,
    pub(crate) history: Arc<History<N::Msg>>,
}

impl<N: Node> State<N> {
    /// Every node's state, in id order.
    pub fn nodes(&self) -> &[N] {
        &self.nodes
    }
    /// Node `id`'s state.
    pub fn node(&self, id: NodeId) -> &N {
        &self.nodes[id]
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
        let mut h = FpHasher::default();
        self.node_hashes.hash(&mut h);
        h.write_usize(self.in_flight.len());
        for e in &self.in_flight {
            h.write_u64(e.key);
        }
        h.write_usize(self.timers.len());
        for t in &self.timers {
            h.write_usize(t.node);
            h.write_u64(t.id.seq());
        }
        h.write_u64(self.crashed);
        h.write_u8(self.crashes);
        self.partition.hash(&mut h);
        h.write_u64(self.history.fingerprint());
        h.finish()
    }
}

impl<M: Hash> Envelope<M> {
    pub(crate) fn new(from: NodeId, to: NodeId, msg: M) -> Self {
        let key = fingerprint(&(from, to, &msg));
        Envelope { from, to, msg, key }
    }
}
