//! Causal consistency (causal memory, Ahamad et al., 1995): the causal order of a history is
//! each client's own order plus "a write comes before every read that saw it", closed under
//! transitivity. A history is causal when, for every client, all the writes and that client's own
//! operations fit one order that respects the causal order, with each read returning the latest
//! write before it. Clients may see concurrent writes in different orders.

use super::super::linearizable::{linearize, KeyValue, Op};
use super::rules::{by_client, list, minimal, source};
use super::{ClientHistory, Consistency, KvOp, Violation};
use crate::engine::NodeId;
use std::collections::{BTreeSet, VecDeque};
use std::fmt::Debug;
use std::hash::Hash;

/// The causal order over some of a history's operations (by index into the history).
pub(super) struct CausalOrder {
    ops: Vec<usize>,
    /// Direct edges: program order (each to the client's next) and reads-from.
    next: Vec<Vec<usize>>,
    /// `reach[a][b]`: a path of at least one edge leads from `ops[a]` to `ops[b]`.
    reach: Vec<Vec<bool>>,
}

impl CausalOrder {
    /// The causal order of the whole history.
    pub(super) fn new<K: PartialEq, V: PartialEq>(h: &ClientHistory<K, V>) -> Self {
        Self::of(h, &(0..h.ops.len()).collect::<Vec<_>>())
    }

    /// The causal order of the operations `ops` alone.
    pub(super) fn of<K: PartialEq, V: PartialEq>(h: &ClientHistory<K, V>, ops: &[usize]) -> Self {
        let pos = |i: usize| ops.iter().position(|&j| j == i);
        let mut next = vec![Vec::new(); ops.len()];
        let clients: BTreeSet<NodeId> = ops.iter().map(|&i| h.ops[i].client).collect();
        for c in clients {
            let mine: Vec<usize> = h.program(c).into_iter().filter_map(pos).collect();
            for w in mine.windows(2) {
                next[w[0]].push(w[1]);
            }
        }
        for (b, &r) in ops.iter().enumerate() {
            if let Some(a) = source(h, r).and_then(pos) {
                next[a].push(b);
            }
        }
        let reach = (0..ops.len())
            .map(|a| {
                let mut seen = vec![false; ops.len()];
                let mut todo: Vec<usize> = next[a].clone();
                while let Some(b) = todo.pop() {
                    if !seen[b] {
                        seen[b] = true;
                        todo.extend(&next[b]);
                    }
                }
                seen
            })
            .collect();
        CausalOrder { ops: ops.to_vec(), next, reach }
    }

    fn pos(&self, i: usize) -> Option<usize> {
        self.ops.iter().position(|&j| j == i)
    }

    /// Whether operation `a` causally precedes operation `b` (both history indices).
    pub(super) fn before(&self, a: usize, b: usize) -> bool {
        match (self.pos(a), self.pos(b)) {
            (Some(a), Some(b)) => self.reach[a][b],
            _ => false,
        }
    }

    /// A shortest causal loop through some operation, as history indices, if there is one.
    fn cycle(&self) -> Option<Vec<usize>> {
        let start = (0..self.ops.len()).find(|&a| self.reach[a][a])?;
        let mut back = vec![None; self.ops.len()];
        let mut queue: VecDeque<usize> = self.next[start].iter().copied().collect();
        for &b in &self.next[start] {
            back[b] = Some(start);
        }
        while let Some(a) = queue.pop_front() {
            if a == start {
                break;
            }
            for &b in &self.next[a] {
                if back[b].is_none() {
                    back[b] = Some(a);
                    queue.push_back(b);
                }
            }
        }
        let mut loop_ops = vec![self.ops[start]];
        let mut at = back[start]?;
        while at != start {
            loop_ops.push(self.ops[at]);
            at = back[at]?;
        }
        loop_ops.sort_unstable();
        Some(loop_ops)
    }
}

/// Whether client `viewer` can order every write and its own operations among `ops` so that the
/// causal order holds and each of its reads returns the latest write before it.
fn viewer_ok<K, V>(h: &ClientHistory<K, V>, ops: &[usize], viewer: NodeId) -> bool
where
    K: Clone + Debug + Hash + Ord,
    V: Clone + Debug + Hash + Eq,
{
    let co = CausalOrder::of(h, ops);
    if co.cycle().is_some() {
        return false;
    }
    let seen: Vec<usize> =
        ops.iter().copied().filter(|&i| h.ops[i].client == viewer || matches!(h.ops[i].op, KvOp::Put(..))).collect();
    let sorted = by_client(h, &seen);
    let searched: Vec<Op<_, _>> = sorted
        .iter()
        .map(|&i| {
            // The operations causally before this one form a prefix of each client's order.
            let mut after: Vec<(NodeId, u16)> = Vec::new();
            for &j in &sorted {
                if co.before(j, i) {
                    match after.last_mut() {
                        Some((c, n)) if *c == h.ops[j].client => *n += 1,
                        _ => after.push((h.ops[j].client, 1)),
                    }
                }
            }
            Op { client: h.ops[i].client, after, op: h.ops[i].op.clone(), ret: h.ops[i].out.clone() }
        })
        .collect();
    linearize(&KeyValue(std::collections::BTreeMap::new()), &searched).is_some()
}

/// The causal rule: no causal loop, and every client can see the writes in a causal order.
pub(super) fn check<K, V>(h: &ClientHistory<K, V>) -> Option<Violation>
where
    K: Clone + Debug + Hash + Ord,
    V: Clone + Debug + Hash + Eq,
{
    let all: Vec<usize> = (0..h.ops.len()).collect();
    if let Some(ops) = CausalOrder::new(h).cycle() {
        let reason = format!(
            "causality runs in a loop: each of {} must come before the next (a read after the write it saw), \
             back to the first",
            list(h, &ops)
        );
        return Some(Violation { rule: Consistency::Causal, reason, ops });
    }
    let clients: BTreeSet<NodeId> = h.ops.iter().map(|o| o.client).collect();
    let viewer = clients.into_iter().find(|&c| !viewer_ok(h, &all, c))?;
    let core = minimal(h, all, |ops| !viewer_ok(h, ops, viewer));
    let reason = format!(
        "{} cannot see the writes in any order that respects causality (each client's own order, and a \
         write before a read that saw it and all that follows): {}",
        h.client_name(viewer),
        list(h, &core)
    );
    Some(Violation { rule: Consistency::Causal, reason, ops: core })
}
