//! Consistency models as a ladder: which histories a store may show its clients.
//!
//! A replicated store is judged by what its clients see: a **history** of operations, each with
//! the client that made it, when it was invoked and when it returned, and what came back. A
//! consistency model is a set of histories it allows. From strongest to weakest:
//!
//! | rung | a history is allowed when |
//! |---|---|
//! | [`Linearizable`](Consistency::Linearizable) | every operation takes effect at one instant between its invocation and its return (Herlihy and Wing, 1990) |
//! | [`Sequential`](Consistency::Sequential) | all operations fit one order that keeps each client's own order, real time aside (Lamport, 1979) |
//! | [`Causal`](Consistency::Causal) | each client sees every write in an order that respects cause and effect: its own order, and a read before what follows it (Ahamad et al., 1995) |
//! | [`ReadYourWrites`](Consistency::ReadYourWrites) | a client that wrote a key never reads it older than its write (Terry et al., 1994) |
//! | [`Eventual`](Consistency::Eventual) | every value read was written by someone, and once the writes stop the clients' final reads agree |
//!
//! **Each rung keeps the promises of the rungs below it**, so that the ladder really is one: a
//! history a rung accepts, every lower rung accepts. Two of the textbook models promise less on
//! their own: causal consistency and read-your-writes allow two clients to disagree forever
//! about concurrent writes, and sequential consistency lets a client's last read sit before a
//! write in the one order. Here they also promise convergence (the eventual rung), as the
//! systems that offer them do (COPS calls causal consistency with convergence *causal+*). A
//! [`Violation`] names the rung whose own rule failed, so a causal-but-divergent history is
//! reported as "does not converge", not as a causality bug.
//!
//! What the checks assume: the object is a key-value map ([`KvOp`], a register is one key); every
//! key starts absent (`None`); **a value is written at most once per key**, so a read says which
//! write it saw (the usual assumption of history checkers, e.g. Bouajjani et al., 2017); and a
//! client runs one operation at a time. Times are plain numbers in any unit (milliseconds by
//! hand, nanoseconds from a simulation).
//!
//! A rejection comes with its reason and **the operations that make the violation**: for the
//! rules that need a search (linearizable, sequential, causal), a smallest set found by removing
//! operations one at a time while the rest still violates the rule (a write is kept while a kept
//! read saw it, so no read is left reading from nowhere).
//!
//! ```
//! use distsim::check::consistency::{ClientHistory, Consistency};
//! // Client 0 writes x=1 (t 0..10); client 1 reads x after that write returned, and gets nothing.
//! let mut h = ClientHistory::new();
//! h.put(0, (0, 10), "x", 1).get(1, (20, 30), "x", None);
//! let lin = h.check(Consistency::Linearizable)?;
//! assert!(!lin.accepted());
//! assert_eq!(lin.violation.as_ref().unwrap().ops, vec![0, 1]); // the write and the stale read
//! assert!(h.check(Consistency::Sequential)?.accepted()); // the read may go first in one order
//! # Ok::<(), distsim::Error>(())
//! ```
//!
//! A rejected history draws as a space-time diagram with the violating operations ringed
//! ([`ClientHistory::spacetime`], [`Verdict::highlight`]).

use crate::engine::NodeId;
use crate::error::{Error, Result};
use std::fmt::Debug;
use std::hash::Hash;

mod causal;
mod render;
mod rules;

pub use super::linearizable::{KvOp, KvRet};
pub use render::Ladder;

/// A rung of the ladder, strongest first in [`Consistency::LADDER`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Consistency {
    /// Real-time order: an operation that returned before another began takes effect first.
    Linearizable,
    /// One order of all operations, keeping each client's own order.
    Sequential,
    /// Each client sees the writes in an order that respects causality.
    Causal,
    /// A client's reads reflect its own earlier writes.
    ReadYourWrites,
    /// Values are real, and final reads agree once writes stop.
    Eventual,
}

impl Consistency {
    /// The rungs, strongest first.
    pub const LADDER: [Consistency; 5] = [
        Consistency::Linearizable,
        Consistency::Sequential,
        Consistency::Causal,
        Consistency::ReadYourWrites,
        Consistency::Eventual,
    ];

    /// The name used in tables.
    pub fn name(self) -> &'static str {
        match self {
            Consistency::Linearizable => "linearizable",
            Consistency::Sequential => "sequential",
            Consistency::Causal => "causal",
            Consistency::ReadYourWrites => "read-your-writes",
            Consistency::Eventual => "eventual",
        }
    }

    /// Whether `self` is at least as strong as `other` (higher on the ladder or the same rung).
    pub fn implies(self, other: Consistency) -> bool {
        self <= other
    }
}

impl std::fmt::Display for Consistency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One operation of a client history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation<K, V> {
    /// The client that made it.
    pub client: NodeId,
    /// When it was invoked.
    pub invoke: u64,
    /// When it returned (`None`: still pending when the history ends).
    pub ret: Option<u64>,
    /// What it asked.
    pub op: KvOp<K, V>,
    /// What came back (`None` while pending).
    pub out: Option<KvRet<V>>,
    /// The trace event (its `seq`) where the client got the answer (or sent the request, if
    /// pending), when the history was recorded from a run: what [`Verdict::highlight`] marks.
    pub event: Option<u64>,
}

impl<K: Debug, V: Debug> Operation<K, V> {
    /// Short text: `put x=1`, `get x → 1`, `get x → none`, `get x …` (pending).
    pub fn describe(&self) -> String {
        let key = |k: &K| key_name(k);
        match (&self.op, &self.out) {
            (KvOp::Put(k, v), _) => format!("put {}={v:?}", key(k)),
            (KvOp::Get(k), Some(KvRet::GetOk(Some(v)))) => format!("get {} → {v:?}", key(k)),
            (KvOp::Get(k), Some(KvRet::GetOk(None))) => format!("get {} → none", key(k)),
            (KvOp::Get(k), _) => format!("get {} …", key(k)),
        }
    }
}

/// A key as tables print it: `x` for the key `"x"` or `'x'`, `3` for `3u8`.
pub(crate) fn key_name<K: Debug>(k: &K) -> String {
    format!("{k:?}").trim_matches(['"', '\'']).to_string()
}

/// A history of client operations on a key-value map, to check against the ladder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHistory<K, V> {
    ops: Vec<Operation<K, V>>,
    names: Vec<String>,
}

impl<K, V> Default for ClientHistory<K, V> {
    fn default() -> Self {
        ClientHistory { ops: Vec::new(), names: Vec::new() }
    }
}

/// The verdict of one rung on one history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The rung checked.
    pub model: Consistency,
    /// Why it rejects, or `None` when it accepts.
    pub violation: Option<Violation>,
}

impl Verdict {
    /// Whether the history is allowed.
    pub fn accepted(&self) -> bool {
        self.violation.is_none()
    }
}

/// Why a history is not allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The rung whose own rule failed (the checked rung or one below it).
    pub rule: Consistency,
    /// What went wrong, in words.
    pub reason: String,
    /// The operations that make the violation (indices into [`ClientHistory::ops`], ascending).
    pub ops: Vec<usize>,
}

impl<K, V> ClientHistory<K, V> {
    /// Client `c`'s operations in program order (by invocation time, then insertion).
    pub(super) fn program(&self, c: NodeId) -> Vec<usize> {
        let mut mine: Vec<usize> = (0..self.ops.len()).filter(|&i| self.ops[i].client == c).collect();
        mine.sort_by_key(|&i| (self.ops[i].invoke, i));
        mine
    }
}

impl<K, V> ClientHistory<K, V>
where
    K: Clone + Debug + Hash + Ord,
    V: Clone + Debug + Hash + Eq,
{
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names the clients in tables and diagrams (`c0`, `c1`, … otherwise).
    #[must_use]
    pub fn names(mut self, names: Vec<String>) -> Self {
        self.names = names;
        self
    }

    /// The name of client `c`.
    pub fn client_name(&self, c: NodeId) -> String {
        self.names.get(c).cloned().unwrap_or_else(|| format!("c{c}"))
    }

    /// The operations, in the order they were added.
    pub fn ops(&self) -> &[Operation<K, V>] {
        &self.ops
    }

    /// Adds an operation as it is.
    pub fn push(&mut self, op: Operation<K, V>) -> &mut Self {
        self.ops.push(op);
        self
    }

    /// Client `client` wrote `value` under `key` from `at.0` to `at.1`.
    pub fn put(&mut self, client: NodeId, at: (u64, u64), key: K, value: V) -> &mut Self {
        let (op, out) = (KvOp::Put(key, value), Some(KvRet::PutOk));
        self.push(Operation { client, invoke: at.0, ret: Some(at.1), op, out, event: None })
    }

    /// Client `client` read `key` from `at.0` to `at.1` and got `value` (`None`: absent).
    pub fn get(&mut self, client: NodeId, at: (u64, u64), key: K, value: Option<V>) -> &mut Self {
        let (op, out) = (KvOp::Get(key), Some(KvRet::GetOk(value)));
        self.push(Operation { client, invoke: at.0, ret: Some(at.1), op, out, event: None })
    }

    /// Client `client` began writing `value` under `key` at `at` and got no answer: the write may
    /// or may not have happened.
    pub fn pending_put(&mut self, client: NodeId, at: u64, key: K, value: V) -> &mut Self {
        let op = KvOp::Put(key, value);
        self.push(Operation { client, invoke: at, ret: None, op, out: None, event: None })
    }

    /// Checks that the history is one the rules can read: each client one operation at a time,
    /// returns not before invocations, answers that match their operations, and every value
    /// written at most once per key. The error names the operation.
    pub fn validate(&self) -> Result<()> {
        let mut written = std::collections::HashSet::new();
        for (i, o) in self.ops.iter().enumerate() {
            let bad = |what: &str| Err(Error::invalid(format!("history[{i}]"), o.describe(), what.to_string()));
            if o.ret.is_some_and(|r| r < o.invoke) {
                return bad("a return time not before its invocation");
            }
            match (&o.op, &o.out, o.ret) {
                (_, None, None) | (KvOp::Put(..), Some(KvRet::PutOk), Some(_)) => {}
                (KvOp::Get(_), Some(KvRet::GetOk(_)), Some(_)) => {}
                _ => {
                    return bad("an answer matching the operation (PutOk for a put, GetOk for a get), \
                                present exactly when it returned")
                }
            }
            if let KvOp::Put(k, v) = &o.op {
                if !written.insert((k, v)) {
                    return bad("each value written at most once per key (a read must say which write it saw)");
                }
            }
            // The client's next operation must begin after this one returned.
            let next = self.program(o.client).into_iter().skip_while(|&j| j != i).nth(1);
            if let Some(j) = next {
                if o.ret.map_or(true, |r| r > self.ops[j].invoke) {
                    return bad("a client runs one operation at a time (this one returns before its next begins)");
                }
            }
        }
        Ok(())
    }

    /// The verdict of rung `model`: its own rule, then the rules of the rungs below it.
    /// Errors: an invalid history (see [`ClientHistory::validate`]).
    pub fn check(&self, model: Consistency) -> Result<Verdict> {
        self.validate()?;
        let mut order = vec![model];
        if model != Consistency::Linearizable {
            order.extend(Consistency::LADDER.iter().copied().filter(|&m| m > model));
        }
        let violation = rules::no_thin_air(self).or_else(|| order.iter().find_map(|&m| rules::own_rule(self, m)));
        Ok(Verdict { model, violation })
    }

    /// The verdict of every rung, strongest first.
    pub fn ladder(&self) -> Result<Ladder> {
        let verdicts = Consistency::LADDER.iter().map(|&m| self.check(m)).collect::<Result<Vec<_>>>()?;
        Ok(Ladder { verdicts, ops: self.ops.iter().map(Operation::describe).collect() })
    }
}
