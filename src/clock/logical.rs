//! Logical clocks: ordering events by cause rather than by (unreliable) physical time.
//!
//! A [`LamportClock`] is one counter per node: tick before each local event and send, and on
//! receipt jump past the sender's stamp. If event `a` caused `b`, then `L(a) < L(b)`; the converse
//! does not hold. A [`VectorClock`] keeps one counter per node and captures causality exactly:
//! `a` happened before `b` iff `V(a) < V(b)`, and two events with incomparable vectors are
//! concurrent.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// A Lamport clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LamportClock {
    time: u64,
}

impl LamportClock {
    /// A clock at zero.
    pub fn new() -> Self {
        Self::default()
    }
    /// A local event or a send: advances the clock and returns the event's stamp.
    pub fn tick(&mut self) -> u64 {
        self.time += 1;
        self.time
    }
    /// A receive of a message stamped `remote`: jumps past it and returns the receive's stamp.
    pub fn observe(&mut self, remote: u64) -> u64 {
        self.time = self.time.max(remote) + 1;
        self.time
    }
    /// The current value.
    pub fn time(&self) -> u64 {
        self.time
    }
}

/// A vector clock over a fixed number of nodes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VectorClock {
    entries: Vec<u64>,
}

impl VectorClock {
    /// All zeros, one entry per node.
    pub fn new(n: usize) -> Self {
        VectorClock { entries: vec![0; n] }
    }
    /// A local event at node `i` (grows the vector if `i` is beyond it).
    pub fn tick(&mut self, i: usize) {
        if i >= self.entries.len() {
            self.entries.resize(i + 1, 0);
        }
        self.entries[i] += 1;
    }
    /// Takes the element-wise maximum with `other` (do this on receive, then `tick`).
    pub fn merge(&mut self, other: &VectorClock) {
        if other.entries.len() > self.entries.len() {
            self.entries.resize(other.entries.len(), 0);
        }
        for (mine, theirs) in self.entries.iter_mut().zip(&other.entries) {
            *mine = (*mine).max(*theirs);
        }
    }
    /// Entry `i` (zero beyond the vector).
    pub fn get(&self, i: usize) -> u64 {
        self.entries.get(i).copied().unwrap_or(0)
    }
    /// The entries.
    pub fn entries(&self) -> &[u64] {
        &self.entries
    }
    /// The causal order: `Less` if `self` happened before `other`, `None` if concurrent.
    pub fn compare(&self, other: &VectorClock) -> Option<Ordering> {
        let n = self.entries.len().max(other.entries.len());
        let (mut less, mut greater) = (false, false);
        for i in 0..n {
            match self.get(i).cmp(&other.get(i)) {
                Ordering::Less => less = true,
                Ordering::Greater => greater = true,
                Ordering::Equal => {}
            }
        }
        match (less, greater) {
            (false, false) => Some(Ordering::Equal),
            (true, false) => Some(Ordering::Less),
            (false, true) => Some(Ordering::Greater),
            (true, true) => None,
        }
    }
    /// Whether `self` happened before `other`.
    pub fn happened_before(&self, other: &VectorClock) -> bool {
        self.compare(other) == Some(Ordering::Less)
    }
    /// Whether neither happened before the other (and they differ).
    pub fn concurrent(&self, other: &VectorClock) -> bool {
        self.compare(other).is_none()
    }
}

impl std::fmt::Display for VectorClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let items: Vec<String> = self.entries.iter().map(|e| e.to_string()).collect();
        write!(f, "[{}]", items.join(","))
    }
}
