//! The client history a check records, for linearizability: which operations clients invoked and
//! what came back, with just enough real-time order to decide which operation preceded which.

use super::hash::{mix, FpHasher};
use crate::engine::NodeId;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

/// How a message takes part in the client history (see [`Checker::linearizable`](super::Checker::linearizable)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call<Op, Ret> {
    /// A client sends this request: an operation starts (recorded when the message is sent).
    Invoke(Op),
    /// A client receives this response: its pending operation ends (recorded on delivery).
    Return(Ret),
}

/// One operation of the history, as the messages that started and ended it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Recorded<M> {
    /// The client (node) that invoked it.
    pub client: NodeId,
    /// The request message.
    pub invoke: M,
    /// The response message, once it arrived.
    pub ret: Option<M>,
    /// For every client, how many of its operations had completed when this one was invoked:
    /// those precede this one in real time. Clients with none are left out.
    pub after: Vec<(NodeId, u16)>,
}

/// The operations of all clients, grouped by client in id order, each client's in program order.
///
/// Only the order facts that linearizability depends on are kept (which operations completed
/// before which were invoked), so two executions that differ only in the interleaving of
/// concurrent calls record the same history.
pub struct History<M> {
    ops: Vec<Recorded<M>>,
    fp: u64,
    /// What the properties of the history alone said about it: two bits per property, (known,
    /// holds), for the first 32. Millions of states share a few histories, and a property like
    /// linearizability costs far more than a look here. Not part of the value: equality and the
    /// fingerprint ignore it, and a change to the history clears it.
    verdicts: AtomicU64,
}

/// Properties past this many are checked every time, not remembered.
const REMEMBERED: usize = 32;

impl<M> Default for History<M> {
    fn default() -> Self {
        History { ops: Vec::new(), fp: 0, verdicts: AtomicU64::new(0) }
    }
}

impl<M: Clone> Clone for History<M> {
    fn clone(&self) -> Self {
        History { ops: self.ops.clone(), fp: self.fp, verdicts: AtomicU64::new(self.verdicts.load(Ordering::Relaxed)) }
    }
}

impl<M: PartialEq> PartialEq for History<M> {
    fn eq(&self, other: &Self) -> bool {
        self.fp == other.fp && self.ops == other.ops
    }
}

impl<M: Eq> Eq for History<M> {}

impl<M: std::fmt::Debug> std::fmt::Debug for History<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("History").field("ops", &self.ops).finish()
    }
}

impl<M> History<M> {
    /// The recorded operations.
    pub fn ops(&self) -> &[Recorded<M>] {
        &self.ops
    }

    pub(crate) fn fingerprint(&self) -> u64 {
        self.fp
    }

    /// Whether property number `property`, which depends on the history alone, holds for it:
    /// `check` says so the first time, and the answer is remembered with this history. (Two
    /// threads may both check before either remembers: they get the same answer.)
    pub(crate) fn verdict(&self, property: usize, check: impl FnOnce() -> bool) -> bool {
        if property >= REMEMBERED {
            return check();
        }
        let bits = self.verdicts.load(Ordering::Relaxed) >> (2 * property) & 0b11;
        if bits & 0b01 == 1 {
            return bits == 0b11;
        }
        let holds = check();
        self.verdicts.fetch_or((0b01 | (holds as u64) << 1) << (2 * property), Ordering::Relaxed);
        holds
    }

    /// Forgets every remembered verdict (the history just changed).
    fn changed(&mut self) {
        *self.verdicts.get_mut() = 0;
    }
}

/// Operation number `rank` of `client`'s (a request `invoke`, its response `ret`, the clients'
/// completed counts `after`): its term of the history's fingerprint. A history's fingerprint is
/// the sum of its operations' terms, so that recording a call or a response changes it by a term
/// or two instead of hashing every operation again, and the fingerprint of a step's successor
/// needs no copy of the history ([`History::fingerprint_after`]).
fn op_term<M: Hash>(
    rank: usize,
    client: NodeId,
    invoke: &M,
    ret: Option<&M>,
    after: impl Iterator<Item = (NodeId, u16)>,
) -> u64 {
    let mut h = FpHasher::default();
    (client, invoke, ret).hash(&mut h);
    let mut len = 0usize;
    for pair in after {
        pair.hash(&mut h);
        len += 1;
    }
    h.write_usize(len);
    mix(0x6f70_6572 ^ (rank as u64) << 32, h.finish())
}

impl<M: Hash> History<M> {
    /// Where client `client`'s operations are in `ops`.
    fn group(&self, client: NodeId) -> std::ops::Range<usize> {
        self.ops.partition_point(|o| o.client < client)..self.ops.partition_point(|o| o.client <= client)
    }

    /// The index of client `client`'s oldest operation still waiting for its response.
    fn pending(&self, client: NodeId) -> Option<usize> {
        let group = self.group(client);
        self.ops[group.clone()].iter().position(|o| o.ret.is_none()).map(|i| group.start + i)
    }

    /// For every client with completed operations, how many, in client order (the `after` of an
    /// operation invoked now); with one more for `bumped`, whose pending operation just ended.
    fn completed(&self, bumped: Option<NodeId>) -> impl Iterator<Item = (NodeId, u16)> + '_ {
        self.ops
            .chunk_by(|a, b| a.client == b.client)
            .map(move |ops| {
                let client = ops[0].client;
                let done = ops.iter().filter(|o| o.ret.is_some()).count() + usize::from(bumped == Some(client));
                (client, done as u16)
            })
            .filter(|&(_, done)| done > 0)
    }

    /// The term of operation `i` (of client `client`) with response `ret`.
    fn term_of(&self, i: usize, client: NodeId, ret: Option<&M>) -> u64 {
        let op = &self.ops[i];
        op_term(i - self.group(client).start, client, &op.invoke, ret, op.after.iter().copied())
    }

    /// Client `client` invoked an operation with request `msg`.
    pub(crate) fn invoke(&mut self, client: NodeId, msg: M) {
        let after: Vec<(NodeId, u16)> = self.completed(None).collect();
        let group = self.group(client);
        self.fp = self.fp.wrapping_add(op_term(group.len(), client, &msg, None, after.iter().copied()));
        self.ops.insert(group.end, Recorded { client, invoke: msg, ret: None, after });
        self.changed();
    }

    /// Client `client` received response `msg`: it ends the client's oldest pending operation
    /// (a response with none pending is ignored).
    pub(crate) fn ret(&mut self, client: NodeId, msg: M) {
        if let Some(i) = self.pending(client) {
            let (old, new) = (self.term_of(i, client, None), self.term_of(i, client, Some(&msg)));
            self.fp = self.fp.wrapping_sub(old).wrapping_add(new);
            self.ops[i].ret = Some(msg);
            self.changed();
        }
    }

    /// The fingerprint this history would have once node `client` received response `returned`
    /// (if any) and then sent the requests `invoked`, in order, as [`History::ret`] and
    /// [`History::invoke`] would record them, without copying the history. The checker asks
    /// this of every step that it only fingerprints; copying the history for it took 6% of a
    /// check.
    pub(crate) fn fingerprint_after<'m>(
        &self,
        client: NodeId,
        returned: Option<&M>,
        invoked: impl Iterator<Item = &'m M>,
    ) -> u64
    where
        M: 'm,
    {
        let mut fp = self.fp;
        let mut bumped = None;
        if let Some(i) = returned.and_then(|_| self.pending(client)) {
            fp = fp.wrapping_sub(self.term_of(i, client, None)).wrapping_add(self.term_of(i, client, returned));
            bumped = Some(client);
        }
        let mut rank = None;
        for msg in invoked {
            let r = rank.get_or_insert_with(|| self.group(client).len());
            fp = fp.wrapping_add(op_term(*r, client, msg, None, self.completed(bumped)));
            *r += 1;
        }
        fp
    }

    /// The fingerprint of this history with every node id renamed by `perm` and every message by
    /// `rename` (clients stay grouped in id order, each one's operations in program order; see
    /// [`super::symmetry`]).
    pub(crate) fn permuted_fingerprint(&self, perm: &[NodeId], rename: impl Fn(&M) -> M) -> u64 {
        let mut fp = 0u64;
        for ops in self.ops.chunk_by(|a, b| a.client == b.client) {
            for (rank, o) in ops.iter().enumerate() {
                let mut after: Vec<(NodeId, u16)> = o.after.iter().map(|&(c, k)| (perm[c], k)).collect();
                after.sort_unstable();
                let (invoke, ret) = (rename(&o.invoke), o.ret.as_ref().map(&rename));
                fp = fp.wrapping_add(op_term(rank, perm[o.client], &invoke, ret.as_ref(), after.into_iter()));
            }
        }
        fp
    }
}
