//! Network partitions: groups of nodes that cannot reach each other.
//!
//! A two-way partition cuts both directions between groups `a` and `b`. A one-way partition cuts
//! only `from → to`: the nodes in `to` still reach `from`. One-way cuts are the nastier case in
//! practice (a node that hears its peers but is not heard by them keeps starting elections).
//!
//! The engine checks partitions when a message is *sent*: a message sent across an active cut is
//! dropped with `DropReason::Partition`; a message already in flight when the cut starts still
//! arrives (it is already "on the wire" past the broken switch).

use crate::engine::NodeId;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// A cut between groups of nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Partition {
    /// Nodes in `a` and nodes in `b` cannot reach each other in either direction.
    TwoWay { a: Vec<NodeId>, b: Vec<NodeId> },
    /// Messages from `from` to `to` are lost; the reverse direction still works.
    OneWay { from: Vec<NodeId>, to: Vec<NodeId> },
}

impl Partition {
    /// Splits nodes `0..n` into `group` and everyone else (both directions).
    pub fn isolate(group: Vec<NodeId>, node_count: usize) -> Partition {
        let rest = (0..node_count).filter(|i| !group.contains(i)).collect();
        Partition::TwoWay { a: group, b: rest }
    }

    /// Refuses unknown nodes, empty sides and a node on both sides.
    pub fn validate(&self, node_count: usize) -> Result<()> {
        let (x, y, nx, ny) = match self {
            Partition::TwoWay { a, b } => (a, b, "partition.a", "partition.b"),
            Partition::OneWay { from, to } => (from, to, "partition.from", "partition.to"),
        };
        for (side, name) in [(x, nx), (y, ny)] {
            if side.is_empty() {
                return Err(Error::empty(name));
            }
            if let Some(&bad) = side.iter().find(|&&n| n >= node_count) {
                return Err(Error::unknown_node(name, bad, node_count));
            }
        }
        if let Some(&both) = x.iter().find(|n| y.contains(n)) {
            return Err(Error::invalid(ny, both, format!("nodes not already in `{nx}`")));
        }
        Ok(())
    }

    /// A short description for the trace, e.g. `{0,1} | {2,3,4}` (two-way) or `{0} -/-> {1}` (one-way:
    /// `{0}` cannot reach `{1}`).
    pub fn describe(&self) -> String {
        let set = |v: &Vec<NodeId>| {
            let items: Vec<String> = v.iter().map(|n| n.to_string()).collect();
            format!("{{{}}}", items.join(","))
        };
        match self {
            Partition::TwoWay { a, b } => format!("{} | {}", set(a), set(b)),
            Partition::OneWay { from, to } => format!("{} -/-> {}", set(from), set(to)),
        }
    }
}

/// The cuts in force, as membership bitmaps so a check costs O(number of cuts), each with the
/// partition it came from so that it can be healed alone.
#[derive(Clone, Debug, Default)]
pub(crate) struct ActivePartitions {
    cuts: Vec<(Vec<bool>, Vec<bool>, bool)>, // (side x, side y, two-way)
    sources: Vec<Partition>,
}

impl ActivePartitions {
    pub(crate) fn add(&mut self, p: &Partition, node_count: usize) {
        let bits = |v: &Vec<NodeId>| {
            let mut m = vec![false; node_count];
            v.iter().for_each(|&i| m[i] = true);
            m
        };
        match p {
            Partition::TwoWay { a, b } => self.cuts.push((bits(a), bits(b), true)),
            Partition::OneWay { from, to } => self.cuts.push((bits(from), bits(to), false)),
        }
        self.sources.push(p.clone());
    }

    /// Ends the oldest occurrence of `p` still in force; returns whether there was one.
    pub(crate) fn heal_one(&mut self, p: &Partition) -> bool {
        match self.sources.iter().position(|q| q == p) {
            Some(i) => {
                self.sources.remove(i);
                self.cuts.remove(i);
                true
            }
            None => false,
        }
    }

    pub(crate) fn heal(&mut self) {
        self.cuts.clear();
        self.sources.clear();
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.cuts.is_empty()
    }

    /// Whether a message from `from` to `to` is cut off.
    #[inline]
    pub(crate) fn blocks(&self, from: NodeId, to: NodeId) -> bool {
        self.cuts.iter().any(|(x, y, two_way)| (x[from] && y[to]) || (*two_way && y[from] && x[to]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_way_cuts_both_directions_one_way_only_one() {
        let mut p = ActivePartitions::default();
        p.add(&Partition::TwoWay { a: vec![0], b: vec![1] }, 3);
        assert!(p.blocks(0, 1) && p.blocks(1, 0));
        assert!(!p.blocks(0, 2) && !p.blocks(2, 1));
        p.heal();
        assert!(!p.blocks(0, 1));
        p.add(&Partition::OneWay { from: vec![0], to: vec![1, 2] }, 3);
        assert!(p.blocks(0, 1) && p.blocks(0, 2));
        assert!(!p.blocks(1, 0) && !p.blocks(2, 0));
    }

    #[test]
    fn healing_one_partition_keeps_the_others() {
        let mut p = ActivePartitions::default();
        let first = Partition::TwoWay { a: vec![0], b: vec![1] };
        let second = Partition::OneWay { from: vec![2], to: vec![0] };
        p.add(&first, 3);
        p.add(&second, 3);
        assert!(p.heal_one(&first));
        assert!(!p.blocks(0, 1) && !p.blocks(1, 0));
        assert!(p.blocks(2, 0), "the second partition must still be in force");
        assert!(!p.heal_one(&first), "healing a partition not in force does nothing");
        assert!(p.heal_one(&second));
        assert!(p.is_empty());
    }

    #[test]
    fn one_way_description_matches_the_doc() {
        let p = Partition::OneWay { from: vec![0], to: vec![1] };
        assert_eq!(p.describe(), "{0} -/-> {1}");
        assert_eq!(Partition::TwoWay { a: vec![0, 1], b: vec![2, 3, 4] }.describe(), "{0,1} | {2,3,4}");
    }

    #[test]
    fn bad_partitions_name_the_side() {
        let e = Partition::TwoWay { a: vec![0], b: vec![7] }.validate(3).unwrap_err().to_string();
        assert!(e.contains("partition.b") && e.contains("unknown node 7"), "{e}");
        let e = Partition::OneWay { from: vec![], to: vec![1] }.validate(3).unwrap_err().to_string();
        assert!(e.contains("partition.from"), "{e}");
        assert!(Partition::TwoWay { a: vec![0, 1], b: vec![1] }.validate(3).is_err());
        assert_eq!(Partition::isolate(vec![2], 4), Partition::TwoWay { a: vec![2], b: vec![0, 1, 3] });
    }
}
