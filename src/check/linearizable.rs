//! Linearizability of a client history against a sequential specification: registers, key-value
//! maps, or any object given as a [`Spec`].
//!
//! A history is *linearizable* (Herlihy and Wing, 1990) if every operation can be placed at one
//! instant between its invocation and its response so that the operations, run one after another
//! in that order on the sequential object, return what they returned. An operation still pending
//! at the end may be placed anywhere after its invocation or left out (it may not have happened).
//!
//! The search is Wing and Gong's: repeatedly pick, among each client's next operation, one that no
//! unplaced operation precedes in real time, apply it, and backtrack when its return value
//! differs. Visited (progress per client, object state) pairs are remembered, as in Lowe's
//! just-in-time variant, so each is explored once. This generalises the register checker of
//! [`crate::concepts::cap`], which works on timed histories of a single register.
//!
//! ```
//! use distsim::check::linearizable::{linearize, Register, RegisterOp, RegisterRet, Timed};
//! // Client 0 writes 1 (t 0..10); client 1 reads 0 (t 5..6), then reads 1 (t 7..8): linearizable.
//! let h = vec![
//!     Timed { client: 0, invoke: 0, ret: Some(10), op: RegisterOp::Write(1), out: Some(RegisterRet::WriteOk) },
//!     Timed { client: 1, invoke: 5, ret: Some(6), op: RegisterOp::Read, out: Some(RegisterRet::ReadOk(0)) },
//!     Timed { client: 1, invoke: 7, ret: Some(8), op: RegisterOp::Read, out: Some(RegisterRet::ReadOk(1)) },
//! ];
//! assert!(linearize(&Register(0), &Timed::to_ops(&h)).is_some());
//! ```

use super::hash::fingerprint;
use crate::engine::NodeId;
use std::collections::{BTreeMap, HashSet};
use std::hash::Hash;

/// A sequential object: the specification a concurrent one must look like.
pub trait Spec: Clone + Hash + Eq {
    /// An operation on it.
    type Op;
    /// What an operation returns.
    type Ret: PartialEq;
    /// Runs `op` and returns its result.
    fn apply(&mut self, op: &Self::Op) -> Self::Ret;
}

/// A read/write register holding a `V`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Register<V>(pub V);

/// A register operation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RegisterOp<V> {
    /// Write this value.
    Write(V),
    /// Read the value.
    Read,
}

/// What a register operation returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum RegisterRet<V> {
    /// The write is done.
    WriteOk,
    /// The value read.
    ReadOk(V),
}

impl<V: Clone + Hash + Eq> Spec for Register<V> {
    type Op = RegisterOp<V>;
    type Ret = RegisterRet<V>;
    fn apply(&mut self, op: &RegisterOp<V>) -> RegisterRet<V> {
        match op {
            RegisterOp::Write(v) => {
                self.0 = v.clone();
                RegisterRet::WriteOk
            }
            RegisterOp::Read => RegisterRet::ReadOk(self.0.clone()),
        }
    }
}

/// A key-value map: `put(k, v)`, `get(k)` (absent keys read `None`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeyValue<K: Ord, V>(pub BTreeMap<K, V>);

/// A key-value operation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KvOp<K, V> {
    /// Store `v` under `k`.
    Put(K, V),
    /// Read the value under `k`.
    Get(K),
}

/// What a key-value operation returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum KvRet<V> {
    /// The put is done.
    PutOk,
    /// The value read (`None`: the key was never written).
    GetOk(Option<V>),
}

impl<K: Clone + Hash + Ord, V: Clone + Hash + Eq> Spec for KeyValue<K, V> {
    type Op = KvOp<K, V>;
    type Ret = KvRet<V>;
    fn apply(&mut self, op: &KvOp<K, V>) -> KvRet<V> {
        match op {
            KvOp::Put(k, v) => {
                self.0.insert(k.clone(), v.clone());
                KvRet::PutOk
            }
            KvOp::Get(k) => KvRet::GetOk(self.0.get(k).cloned()),
        }
    }
}

/// One operation of a history, as the linearizability search reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct Op<O, R> {
    /// The client that invoked it (operations of one client are in program order).
    pub client: NodeId,
    /// How many operations of each client had completed when this one was invoked (those
    /// precede it in real time).
    pub after: Vec<(NodeId, u16)>,
    /// The operation.
    pub op: O,
    /// What it returned (`None`: still pending).
    pub ret: Option<R>,
}

/// An operation with invocation and response times, a convenient way to write a history by hand.
#[derive(Clone, Debug, PartialEq)]
pub struct Timed<O, R> {
    /// The client.
    pub client: NodeId,
    /// When it was invoked.
    pub invoke: u64,
    /// When it returned (`None`: pending).
    pub ret: Option<u64>,
    /// The operation.
    pub op: O,
    /// What it returned.
    pub out: Option<R>,
}

impl<O: Clone, R: Clone> Timed<O, R> {
    /// The same history in the form [`linearize`] reads (program order = invocation order per client).
    pub fn to_ops(history: &[Timed<O, R>]) -> Vec<Op<O, R>> {
        let mut sorted: Vec<&Timed<O, R>> = history.iter().collect();
        sorted.sort_by_key(|t| (t.client, t.invoke));
        sorted
            .iter()
            .map(|t| {
                let mut after: BTreeMap<NodeId, u16> = BTreeMap::new();
                for u in history.iter().filter(|u| u.ret.is_some_and(|r| r < t.invoke)) {
                    *after.entry(u.client).or_default() += 1;
                }
                Op { client: t.client, after: after.into_iter().collect(), op: t.op.clone(), ret: t.out.clone() }
            })
            .collect()
    }
}

/// A linearization of `history` starting from `initial`: the operations' indices in the order
/// they take effect (pending operations that are left out do not appear), or `None` if there is
/// none. Operations must be grouped by client, each client's in program order.
pub fn linearize<S: Spec>(initial: &S, history: &[Op<S::Op, S::Ret>]) -> Option<Vec<usize>> {
    let mut clients: Vec<NodeId> = history.iter().map(|o| o.client).collect();
    clients.dedup();
    let start: Vec<usize> = clients.iter().map(|c| history.iter().position(|o| o.client == *c).unwrap_or(0)).collect();
    let end: Vec<usize> =
        clients.iter().map(|c| history.iter().rposition(|o| o.client == *c).map_or(0, |i| i + 1)).collect();
    let slot = |c: NodeId| clients.iter().position(|&x| x == c);
    // Next operation index per client, and the order so far.
    let mut seen = HashSet::new();
    let mut stack = vec![(start.clone(), initial.clone(), Vec::<usize>::new())];
    while let Some((next, state, order)) = stack.pop() {
        if next.iter().zip(&end).all(|(n, e)| n == e) {
            return Some(order);
        }
        if !seen.insert(fingerprint(&(&next, &state))) {
            continue;
        }
        for (k, &i) in next.iter().enumerate() {
            if i == end[k] {
                continue;
            }
            let o = &history[i];
            // Every operation that completed before this one was invoked must be placed already.
            let ready = o.after.iter().all(|&(c, done)| match slot(c) {
                Some(s) => next[s] - start[s] >= done as usize,
                None => done == 0,
            });
            if !ready {
                continue;
            }
            let mut advanced = next.clone();
            advanced[k] += 1;
            if o.ret.is_none() {
                stack.push((advanced.clone(), state.clone(), order.clone())); // left out
            }
            let mut s = state.clone();
            let r = s.apply(&o.op);
            if o.ret.as_ref().map_or(true, |want| *want == r) {
                let mut placed = order.clone();
                placed.push(i);
                stack.push((advanced, s, placed));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(client: NodeId, invoke: u64, ret: u64, op: KvOp<u8, u8>, out: KvRet<u8>) -> Timed<KvOp<u8, u8>, KvRet<u8>> {
        Timed { client, invoke, ret: Some(ret), op, out: Some(out) }
    }

    #[test]
    fn a_stale_read_after_a_completed_put_is_not_linearizable() {
        let h = [t(0, 0, 10, KvOp::Put(1, 5), KvRet::PutOk), t(1, 20, 21, KvOp::Get(1), KvRet::GetOk(None))];
        assert_eq!(linearize(&KeyValue::default(), &Timed::to_ops(&h)), None);
        let h = [t(0, 0, 10, KvOp::Put(1, 5), KvRet::PutOk), t(1, 5, 21, KvOp::Get(1), KvRet::GetOk(None))];
        assert_eq!(linearize(&KeyValue::default(), &Timed::to_ops(&h)), Some(vec![1, 0]));
    }

    #[test]
    fn keys_are_independent_and_a_pending_put_may_or_may_not_have_happened() {
        let mut h = vec![t(0, 0, 1, KvOp::Put(1, 5), KvRet::PutOk), t(1, 2, 3, KvOp::Get(2), KvRet::GetOk(None))];
        h.push(Timed { client: 2, invoke: 4, ret: None, op: KvOp::Put(2, 7), out: None });
        h.push(t(1, 5, 6, KvOp::Get(2), KvRet::GetOk(Some(7))));
        assert!(linearize(&KeyValue::default(), &Timed::to_ops(&h)).is_some());
        h.push(t(1, 7, 8, KvOp::Get(1), KvRet::GetOk(Some(6))));
        assert!(linearize(&KeyValue::default(), &Timed::to_ops(&h)).is_none());
    }
}
