//! Each rung's own rule, and the search for the operations that make a violation.

use super::super::linearizable::{linearize, KeyValue, Op};
use super::causal::{self, CausalOrder};
use super::{ClientHistory, Consistency, KvOp, KvRet, Violation};
use crate::engine::NodeId;
use std::collections::BTreeMap;
use std::fmt::Debug;
use std::hash::Hash;

/// What a read returned: `Some(Some(v))`, `Some(None)` for absent, `None` for a put or pending.
pub(super) fn read_value<K, V>(h: &ClientHistory<K, V>, i: usize) -> Option<Option<&V>> {
    match (&h.ops[i].op, &h.ops[i].out) {
        (KvOp::Get(_), Some(KvRet::GetOk(v))) => Some(v.as_ref()),
        _ => None,
    }
}

/// The key an operation touches.
pub(super) fn key<K, V>(h: &ClientHistory<K, V>, i: usize) -> &K {
    match &h.ops[i].op {
        KvOp::Put(k, _) | KvOp::Get(k) => k,
    }
}

/// The write a read saw: the put of that value under that key (values are written once per key).
pub(super) fn source<K: PartialEq, V: PartialEq>(h: &ClientHistory<K, V>, read: usize) -> Option<usize> {
    let Some(Some(v)) = read_value(h, read) else { return None };
    let k = key(h, read);
    h.ops.iter().position(|o| matches!(&o.op, KvOp::Put(pk, pv) if pk == k && pv == v))
}

/// Every rung: a read returns the initial value or a value somebody wrote under that key.
pub(super) fn no_thin_air<K, V>(h: &ClientHistory<K, V>) -> Option<Violation>
where
    K: Clone + Debug + Hash + Ord,
    V: Clone + Debug + Hash + Eq,
{
    let i = (0..h.ops.len()).find(|&i| matches!(read_value(h, i), Some(Some(_))) && source(h, i).is_none())?;
    let reason = format!(
        "{} read a value nobody wrote ({}, op {i}): out of thin air",
        h.client_name(h.ops[i].client),
        h.ops[i].describe()
    );
    Some(Violation { rule: Consistency::Eventual, reason, ops: vec![i] })
}

/// The rule that rung `m` adds to those below it.
pub(super) fn own_rule<K, V>(h: &ClientHistory<K, V>, m: Consistency) -> Option<Violation>
where
    K: Clone + Debug + Hash + Ord,
    V: Clone + Debug + Hash + Eq,
{
    let all: Vec<usize> = (0..h.ops.len()).collect();
    match m {
        Consistency::Linearizable => {
            let fails = |ops: &[usize]| !orderable(h, ops, Order::RealTime);
            fails(&all).then(|| {
                let core = minimal(h, all, fails);
                let reason = format!(
                    "no order of {} puts it each at one instant between its call and its return \
                     with every read returning the latest write before it",
                    list(h, &core)
                );
                Violation { rule: m, reason, ops: core }
            })
        }
        Consistency::Sequential => {
            let fails = |ops: &[usize]| !orderable(h, ops, Order::ProgramOnly);
            fails(&all).then(|| {
                let core = minimal(h, all, fails);
                let reason = format!(
                    "no single order of {} keeps each client's own order with every read returning \
                     the latest write before it",
                    list(h, &core)
                );
                Violation { rule: m, reason, ops: core }
            })
        }
        Consistency::Causal => causal::check(h),
        Consistency::ReadYourWrites => read_your_writes(h),
        Consistency::Eventual => converges(h),
    }
}

/// Which order constraints a serialization must respect.
#[derive(Clone, Copy)]
pub(super) enum Order {
    /// An operation that returned before another was invoked comes first (and program order).
    RealTime,
    /// Only each client's own order.
    ProgramOnly,
}

/// Whether the operations `ops` fit one legal order of the map under `order`.
fn orderable<K, V>(h: &ClientHistory<K, V>, ops: &[usize], order: Order) -> bool
where
    K: Clone + Debug + Hash + Ord,
    V: Clone + Debug + Hash + Eq,
{
    let sorted = by_client(h, ops);
    let searched: Vec<Op<KvOp<K, V>, KvRet<V>>> = sorted
        .iter()
        .map(|&i| {
            let o = &h.ops[i];
            let after = match order {
                Order::ProgramOnly => Vec::new(),
                Order::RealTime => {
                    let mut done: BTreeMap<NodeId, u16> = BTreeMap::new();
                    for &j in &sorted {
                        if h.ops[j].ret.is_some_and(|r| r < o.invoke) {
                            *done.entry(h.ops[j].client).or_default() += 1;
                        }
                    }
                    done.into_iter().collect()
                }
            };
            Op { client: o.client, after, op: o.op.clone(), ret: o.out.clone() }
        })
        .collect();
    linearize(&KeyValue(std::collections::BTreeMap::new()), &searched).is_some()
}

/// `ops` grouped by client (ascending), each client's in program order: the layout the search reads.
pub(super) fn by_client<K, V>(h: &ClientHistory<K, V>, ops: &[usize]) -> Vec<usize> {
    let mut sorted = ops.to_vec();
    sorted.sort_by_key(|&i| (h.ops[i].client, h.ops[i].invoke, i));
    sorted
}

/// A smallest-found subset of `ops` that `fails` still rejects: drop operations one at a time,
/// newest first, keeping each drop that leaves a violation. A put stays while a kept read saw it
/// (dropping it would leave a read of nothing, a different violation).
pub(super) fn minimal<K, V>(
    h: &ClientHistory<K, V>,
    mut ops: Vec<usize>,
    fails: impl Fn(&[usize]) -> bool,
) -> Vec<usize>
where
    K: PartialEq,
    V: PartialEq,
{
    loop {
        let mut dropped = false;
        for &i in ops.clone().iter().rev() {
            let seen = ops.iter().any(|&r| source(h, r) == Some(i));
            if seen {
                continue;
            }
            let rest: Vec<usize> = ops.iter().copied().filter(|&j| j != i).collect();
            if fails(&rest) {
                ops = rest;
                dropped = true;
            }
        }
        if !dropped {
            ops.sort_unstable();
            return ops;
        }
    }
}

/// "op 0 (c0 put x=1), op 1 (c1 get x → none)".
pub(super) fn list<K: Debug, V: Debug>(h: &ClientHistory<K, V>, ops: &[usize]) -> String
where
    K: Clone + Hash + Ord,
    V: Clone + Hash + Eq,
{
    let parts: Vec<String> =
        ops.iter().map(|&i| format!("op {i} ({} {})", h.client_name(h.ops[i].client), h.ops[i].describe())).collect();
    parts.join(", ")
}

/// Read-your-writes: after a client wrote a key, its reads of that key return neither the
/// initial value nor a write its own write replaced (one causally before it).
fn read_your_writes<K, V>(h: &ClientHistory<K, V>) -> Option<Violation>
where
    K: Clone + Debug + Hash + Ord,
    V: Clone + Debug + Hash + Eq,
{
    let co = CausalOrder::new(h);
    let clients: std::collections::BTreeSet<NodeId> = h.ops.iter().map(|o| o.client).collect();
    for c in clients {
        let mine = h.program(c);
        for (n, &r) in mine.iter().enumerate() {
            let Some(value) = read_value(h, r) else { continue };
            let k = key(h, r);
            let Some(&w) = mine[..n].iter().rev().find(|&&w| matches!(&h.ops[w].op, KvOp::Put(pk, _) if pk == k))
            else {
                continue;
            };
            let seen = source(h, r);
            let stale = match seen {
                None => true,
                Some(s) => s != w && co.before(s, w),
            };
            debug_assert!(value.is_some() || seen.is_none());
            if stale {
                let mut ops: Vec<usize> = [Some(w), Some(r), seen].into_iter().flatten().collect();
                ops.sort_unstable();
                let what = match seen {
                    None => "the initial value".to_string(),
                    Some(s) => format!("an older write (op {s}, {})", h.ops[s].describe()),
                };
                let reason = format!(
                    "{} wrote (op {w}, {}) and then read (op {r}, {}) {what}: its own write was not visible to it",
                    h.client_name(c),
                    h.ops[w].describe(),
                    h.ops[r].describe()
                );
                return Some(Violation { rule: Consistency::ReadYourWrites, reason, ops });
            }
        }
    }
    None
}

/// Convergence: for each key whose writes all returned, the clients' last reads that began after
/// the last write returned all return the same value.
fn converges<K, V>(h: &ClientHistory<K, V>) -> Option<Violation>
where
    K: Clone + Debug + Hash + Ord,
    V: Clone + Debug + Hash + Eq,
{
    let keys: std::collections::BTreeSet<&K> = (0..h.ops.len()).map(|i| key(h, i)).collect();
    for k in keys {
        let puts: Vec<&super::Operation<K, V>> =
            h.ops.iter().filter(|o| matches!(&o.op, KvOp::Put(pk, _) if pk == k)).collect();
        if puts.iter().any(|o| o.ret.is_none()) {
            continue; // a write never returned: the writes have not stopped
        }
        let quiet = puts.iter().filter_map(|o| o.ret).max();
        let mut finals: BTreeMap<NodeId, usize> = BTreeMap::new();
        for i in 0..h.ops.len() {
            let o = &h.ops[i];
            if key(h, i) == k && read_value(h, i).is_some() && quiet.map_or(true, |q| o.invoke > q) {
                let later = finals.get(&o.client).map_or(true, |&j| (h.ops[j].invoke, j) < (o.invoke, i));
                if later {
                    finals.insert(o.client, i);
                }
            }
        }
        let mut it = finals.values().copied();
        let Some(first) = it.next() else { continue };
        if let Some(other) = it.find(|&j| read_value(h, j) != read_value(h, first)) {
            let reason = format!(
                "after the last write of {k:?} returned, the final reads disagree: {} got {} (op {first}) \
                 and {} got {} (op {other}): the replicas did not converge",
                h.client_name(h.ops[first].client),
                h.ops[first].describe(),
                h.client_name(h.ops[other].client),
                h.ops[other].describe()
            );
            let mut ops: Vec<usize> =
                [Some(first), Some(other), source(h, first), source(h, other)].into_iter().flatten().collect();
            ops.sort_unstable();
            ops.dedup();
            return Some(Violation { rule: Consistency::Eventual, reason, ops });
        }
    }
    None
}
