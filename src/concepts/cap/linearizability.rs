//! A linearizability checker for a single read/write register.
//!
//! A history is *linearizable* if every operation can be given one instant between its invocation
//! and its response such that, replayed in that order, every read returns the latest write. The
//! checker searches for such an order in the style of Wing & Gong: repeatedly pick an operation
//! that may go next — one invoked before every remaining operation's response — apply it to the
//! register, and backtrack on a read that returns the wrong value. Memoising the visited
//! (set-of-done-operations, register-value) pairs, as Lowe's "just-in-time" variant does, makes the
//! search polynomial for the histories a register produces in practice.
//!
//! **Bounding.** A 100,000-operation history is split at *quiescent points*: instants when no
//! operation is in flight. Everything before such a point precedes everything after it in real
//! time, so the segments can be checked one after another, carrying the *set* of register values a
//! valid prefix could end with into the next segment: this is exact, not a heuristic. A segment
//! in which some operation stays pending while more than `max_window` (at most [`MAX_WINDOW`])
//! later operations would have to be linearized before it is skipped and counted as unchecked;
//! after a skipped or violating segment the register value is treated as unknown (any first read is accepted), so one violation does not hide later ones.
//!
//! A second reduction: written values that no read ever returns are all relabelled as one value,
//! because which of them the register holds can never be observed.
//!
//! Only operations with a known outcome belong in the history. The CP protocol in [`super`]
//! fails an operation only before it has changed any replica, so failed operations are left out.

use crate::error::{Error, Result};
use std::collections::{BTreeSet, HashSet};

/// The widest check window [`check_register`] accepts: the done set of a segment is a prefix plus
/// a bit set of this many operations (one `u128`).
pub const MAX_WINDOW: usize = 128;

/// What an operation did. Values are write ids; the register starts at the caller's `initial`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegisterOp {
    /// Wrote this value.
    Write(u64),
    /// Read this value.
    Read(u64),
}

/// One completed operation, with its invocation and response instants (ns of virtual time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The read or write and its value.
    pub op: RegisterOp,
    /// When the client invoked it.
    pub invoke: u64,
    /// When the client got the response (`>= invoke`).
    pub complete: u64,
}

/// The checker's verdict.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinearizabilityReport {
    /// Operations examined.
    pub operations: usize,
    /// Segments between quiescent points.
    pub segments: usize,
    /// Segments with no valid linearization.
    pub violating_segments: usize,
    /// Segments too large to check.
    pub unchecked_segments: usize,
    /// Invocation time (ns) of the first operation of the first violating segment.
    pub first_violation_at: Option<u64>,
}

impl LinearizabilityReport {
    /// True when no checked segment violated linearizability (and at least one was checked).
    pub fn linearizable(&self) -> bool {
        self.violating_segments == 0 && self.unchecked_segments < self.segments.max(1)
    }
}

/// Stands for every written value that no read returns (see [`check_register`]).
const UNREAD: u64 = u64::MAX;

/// `None` is "unknown": after a violation or skipped segment, the next read defines the value.
type State = Option<u64>;

/// Which operations of a segment are linearized: all before `first`, plus bit `j` of `window`
/// for operation `first + j`. Operations are sorted by invocation, so the done set is always a
/// prefix plus a few stragglers, and a 128-bit window suffices unless more than 128 operations
/// overlap one long-running one.
type Done = (usize, u128);

/// Checks `history` (any order) against a register that starts at `initial`. Segments in which an
/// operation would have to be linearized more than `max_window` places past the oldest pending
/// one are skipped and counted as unchecked.
///
/// A `max_window` outside `[1, MAX_WINDOW]` is refused with an error naming it, never clamped.
pub fn check_register(history: &[Operation], initial: u64, max_window: usize) -> Result<LinearizabilityReport> {
    if !(1..=MAX_WINDOW).contains(&max_window) {
        return Err(Error::invalid("max_window", max_window, format!("an integer in [1, {MAX_WINDOW}]")));
    }
    let window = max_window;
    // Values that no read returns are interchangeable: relabel them all as one "unread" value,
    // so orders of unread writes that end alike are explored once, not once per value.
    let read: HashSet<u64> =
        history.iter().filter_map(|o| if let RegisterOp::Read(v) = o.op { Some(v) } else { None }).collect();
    let relabel = |v: u64| if read.contains(&v) { v } else { UNREAD };
    let mut ops: Vec<Operation> = history
        .iter()
        .map(|o| match o.op {
            RegisterOp::Write(v) => Operation { op: RegisterOp::Write(relabel(v)), ..*o },
            RegisterOp::Read(_) => *o,
        })
        .collect();
    let initial = relabel(initial);
    ops.sort_by_key(|o| (o.invoke, o.complete));
    let mut report = LinearizabilityReport { operations: ops.len(), ..Default::default() };
    let mut states: BTreeSet<State> = BTreeSet::from([Some(initial)]);
    let mut start = 0;
    while start < ops.len() {
        // Extend the segment while the next op starts before every earlier op has completed.
        let mut end = start + 1;
        let mut horizon = ops[start].complete;
        while end < ops.len() && ops[end].invoke <= horizon {
            horizon = horizon.max(ops[end].complete);
            end += 1;
        }
        report.segments += 1;
        let segment = &ops[start..end];
        match check_segment(segment, &states, window) {
            None => {
                report.unchecked_segments += 1;
                states = BTreeSet::from([None]);
            }
            Some(ends) if ends.is_empty() => {
                report.violating_segments += 1;
                report.first_violation_at.get_or_insert(segment[0].invoke);
                states = BTreeSet::from([None]);
            }
            Some(ends) => states = ends,
        }
        start = end;
    }
    Ok(report)
}

/// Every register value a valid linearization of `ops` can end with, from any of `starts`
/// (empty: no valid linearization); `None` if the search needed a wider window than `window`.
///
/// The search explores every reachable (done set, value) pair once. One rule keeps that set small:
/// a read that may go next and returns the current value is linearized at once, without
/// branching. That loses nothing: reads do not change the register, and taking one early only
/// removes a constraint on the others. Branching is left to writes (and to the first read after an
/// unknown value).
fn check_segment(ops: &[Operation], starts: &BTreeSet<State>, window: usize) -> Option<BTreeSet<State>> {
    let n = ops.len();
    // suffix_min[i] = earliest response among ops i.. (all pending beyond the window).
    let mut suffix_min = vec![u64::MAX; n + 1];
    for i in (0..n).rev() {
        suffix_min[i] = suffix_min[i + 1].min(ops[i].complete);
    }
    let mut seen: HashSet<(Done, State)> = HashSet::new();
    let mut ends = BTreeSet::new();
    // Depth-first search with an explicit stack, so long segments cannot overflow the call stack.
    let mut stack: Vec<(Done, State)> = starts.iter().map(|&s| ((0, 0u128), s)).collect();
    while let Some((mut done, state)) = stack.pop() {
        // Absorb matching reads until none is left, then branch.
        let candidates = loop {
            if done.0 == n {
                break Vec::new();
            }
            let c = candidates(ops, &suffix_min, done, window)?;
            let read =
                c.iter().copied().find(|&j| matches!(ops[done.0 + j].op, RegisterOp::Read(v) if state == Some(v)));
            match read {
                Some(j) => done = mark(done, j),
                None => break c,
            }
        };
        if done.0 == n {
            ends.insert(state);
            continue;
        }
        if !seen.insert((done, state)) {
            continue;
        }
        for j in candidates {
            let next = match ops[done.0 + j].op {
                RegisterOp::Write(v) => Some(v),
                RegisterOp::Read(v) if state.is_none() => Some(v),
                RegisterOp::Read(_) => continue,
            };
            stack.push((mark(done, j), next));
        }
    }
    Some(ends)
}

/// Window positions of the operations that may be linearized next: pending, and invoked before
/// every pending operation's response. `None` if such an operation lies beyond the window.
fn candidates(ops: &[Operation], suffix_min: &[u64], (first, bits): Done, window: usize) -> Option<Vec<usize>> {
    let n = ops.len();
    let width = window.min(n - first);
    // Scan in invocation order with the running earliest response `m`. Once an operation is
    // invoked after `m`, so is every later one, and none of them (complete >= invoke) can lower
    // `m`: the scan stops there, so its cost is the overlap, not the window.
    let mut m = suffix_min[first + width];
    let mut pending: Vec<usize> = Vec::new();
    for j in 0..width {
        let o = &ops[first + j];
        if o.invoke > m {
            return Some(pending.into_iter().filter(|&k| ops[first + k].invoke <= m).collect());
        }
        if bits & (1u128 << j) == 0 {
            m = m.min(o.complete);
            pending.push(j);
        }
    }
    if first + width < n && ops[first + width].invoke <= m {
        return None; // a candidate lies beyond the window
    }
    Some(pending.into_iter().filter(|&k| ops[first + k].invoke <= m).collect())
}

/// Marks window position `j` done and slides the window past the done prefix.
fn mark((first, bits): Done, j: usize) -> Done {
    let (mut f, mut b) = (first, bits | (1u128 << j));
    while b & 1 == 1 {
        b >>= 1;
        f += 1;
    }
    (f, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(op: RegisterOp, invoke: u64, complete: u64) -> Operation {
        Operation { op, invoke, complete }
    }

    #[test]
    fn concurrent_read_may_see_either_value() {
        let h = [op(RegisterOp::Write(1), 0, 10), op(RegisterOp::Read(0), 5, 6), op(RegisterOp::Read(1), 7, 8)];
        assert!(check_register(&h, 0, 64).unwrap().linearizable());
    }

    #[test]
    fn stale_read_after_completed_write_is_caught() {
        let h = [op(RegisterOp::Write(1), 0, 10), op(RegisterOp::Read(0), 20, 21)];
        let r = check_register(&h, 0, 64).unwrap();
        assert_eq!((r.segments, r.violating_segments, r.first_violation_at), (2, 1, Some(20)));
    }

    #[test]
    fn read_cannot_go_back_in_time() {
        // Once a read saw 1, a later read (in real time) may not see 0 again.
        let h = [op(RegisterOp::Write(1), 0, 100), op(RegisterOp::Read(1), 10, 20), op(RegisterOp::Read(0), 30, 40)];
        assert!(!check_register(&h, 0, 64).unwrap().linearizable());
    }

    #[test]
    fn a_window_out_of_range_is_refused_not_clamped() {
        let h = [op(RegisterOp::Write(1), 0, 10)];
        for bad in [0, MAX_WINDOW + 1] {
            let err = check_register(&h, 0, bad).unwrap_err().to_string();
            assert!(err.contains("`max_window`") && err.contains("[1, 128]"), "{err}");
        }
        assert!(check_register(&h, 0, MAX_WINDOW).unwrap().linearizable());
    }
}
