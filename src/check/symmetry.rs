//! Symmetry reduction: states that differ only by a renaming of interchangeable nodes are one state.
//!
//! Three replicas that run the same code from the same start are interchangeable: a state where
//! replica 0 has answered and replicas 1 and 2 have not behaves exactly like the state where
//! replica 2 has answered instead, with the names swapped. [`Checker::symmetric`](super::Checker::symmetric)
//! stores each state under the smallest fingerprint of all its renamings (of the given nodes),
//! so only one state of each such class is explored: up to `k!` times fewer for `k` nodes.
//!
//! **When it is sound.** Renaming the nodes by any permutation `π` of the range must map the
//! system to itself: from `π(s)` the steps are exactly the renamed steps from `s`, and every
//! property gives `π(s)` the verdict it gives `s`. In practice: the nodes of the range run the
//! same code, no handler depends on the *value* or *order* of an id in the range (comparing ids
//! for equality is fine; "the lower id wins a tie" or "send to replica `(id + 1) % 3`" is not),
//! and the properties do not single out one of them. Each type then renames the ids it holds in
//! [`Symmetric::permute`]. The checker cannot verify this; a wrong `permute` or an asymmetric
//! protocol gives wrong counts and may miss violations.

use super::hash::fingerprint;
use super::state::{term, Envelope, PartitionState, State};
use crate::engine::{Node, NodeId};
use std::hash::Hash;
use std::ops::Range;

/// A value that holds node ids, and can rename them.
pub trait Symmetric {
    /// The same value with every node id `i` it holds replaced by `perm[i]`.
    fn permute(&self, perm: &[NodeId]) -> Self;
}

/// For messages or timers that hold no node id.
impl Symmetric for () {
    fn permute(&self, _perm: &[NodeId]) -> Self {}
}

/// The interchangeable nodes and every renaming of them.
pub(crate) struct Symmetry<N: Node> {
    pub(crate) nodes: Range<NodeId>,
    /// Every permutation of `nodes` (the identity on the other ids), once validated.
    pub(crate) perms: Vec<Vec<NodeId>>,
    pub(crate) permuted_sum: fn(&State<N>, &[NodeId]) -> u64,
}

/// Every permutation of `nodes` among `n` nodes (a free function: it does not depend on the node
/// type, so a cell does not compile it again).
pub(crate) fn permutations(nodes: &Range<NodeId>, n: usize) -> Vec<Vec<NodeId>> {
    let mut out = vec![(0..n).collect::<Vec<_>>()];
    for i in nodes.clone().skip(1) {
        // Each permutation of the ids before `i`, with `i` swapped into every place.
        out = out
            .into_iter()
            .flat_map(|p| {
                (nodes.start..=i)
                    .map(move |j| {
                        let mut q = p.clone();
                        q.swap(i, j);
                        q
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
    }
    out
}

/// The sum of terms (see [`State::fingerprint`]) of `s` with its nodes renamed by `perm`.
pub(crate) fn permuted_sum<N>(s: &State<N>, perm: &[NodeId]) -> u64
where
    N: Node + Symmetric + Hash,
    N::Msg: Symmetric + Hash,
    N::Timer: Symmetric + Hash,
{
    let n = s.nodes.len();
    let nodes =
        s.nodes.iter().enumerate().map(|(i, slot)| term::node(perm[i], fingerprint(&slot.node().permute(perm))));
    let messages =
        s.in_flight.iter().map(|e| term::message(Envelope::new(perm[e.from], perm[e.to], e.msg.permute(perm)).key));
    let timers = s.timers.iter().map(|t| term::timer(perm[t.node], fingerprint(&t.value.permute(perm))));
    let bits = |mask: u64| (0..n).filter(|&i| mask >> i & 1 == 1).fold(0u64, |m, i| m | 1 << perm[i]);
    let partition = match s.partition {
        // The side that holds the last node is "the rest": keep the other one.
        PartitionState::Open(side) => {
            let side = bits(side);
            let all = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
            PartitionState::Open(if side >> (n - 1) & 1 == 1 { all & !side } else { side })
        }
        other => other,
    };
    let history = s.history.permuted_fingerprint(perm, |m| m.permute(perm));
    let fixed = term::flags(bits(s.crashed), s.crashes, partition.code()).wrapping_add(term::history(history));
    nodes.chain(messages).chain(timers).fold(fixed, u64::wrapping_add)
}
