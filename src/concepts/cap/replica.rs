//! One replica of the register, with its co-located client.
//!
//! **CP (majority quorum).** Operations follow the ABD algorithm: phase 1 asks every replica for
//! its (timestamp, value) and waits for a majority; a write then picks a higher timestamp, a read
//! keeps the highest value it saw; phase 2 stores that (timestamp, value) on a majority (a read skips
//! phase 2 when its whole phase-1 majority already agreed on the newest stamp). Two
//! majorities always share a replica, so every operation sees every earlier completed one: the
//! register is linearizable. On the minority side of a partition no majority answers and the
//! operation fails when its timeout fires. A failure in phase 1 changed nothing; a write that times
//! out in phase 2 may have reached some replicas, so it is reported as *indeterminate*.
//!
//! **AP (local, last-writer-wins).** Every operation is answered at once from the local copy. A
//! write is stamped with the local *physical clock* (ties broken by the unique written value), applied locally and
//! pushed to the others; a periodic anti-entropy broadcast reconciles after a partition heals.
//! Whenever two values meet, the higher stamp wins — which may be the *older* write when clocks
//! disagree.

use crate::engine::{Context, Node, NodeId};
use crate::time::{Duration, Time};
use std::collections::BTreeMap;

/// The replication strategy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mode {
    /// Majority quorums (ABD): consistent, unavailable on the minority side.
    Cp,
    /// Local reads and writes, last-writer-wins reconciliation: available, not consistent.
    Ap,
}

/// (timestamp, unique write value) — totally ordered, so two writes never tie.
pub type Stamp = (u64, u64);

/// Messages between replicas.
#[derive(Clone, Debug)]
pub enum CapMsg {
    /// Phase 1 request for operation `op`.
    Query { op: u64 },
    /// A replica's current stamp and value.
    QueryReply { op: u64, stamp: Stamp, value: u64 },
    /// Phase 2: store this stamped value.
    Store { op: u64, stamp: Stamp, value: u64 },
    /// Phase 2 acknowledgement.
    StoreAck { op: u64 },
    /// AP: a stamped value to merge (a write's push or an anti-entropy round).
    Merge { stamp: Stamp, value: u64 },
}

/// One client operation as the client saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientOp {
    /// `Some(v)` for a write of the unique value `v`, `None` for a read.
    pub write: Option<u64>,
    /// When it was invoked.
    pub invoke: Time,
    /// When it returned (successfully or not); `None` if it never did.
    pub complete: Option<Time>,
    /// Whether it succeeded.
    pub ok: bool,
    /// For a read: the value returned.
    pub read_value: Option<u64>,
    /// A write that failed after it may have reached some replicas.
    pub indeterminate: bool,
    /// The stamp the write was stored with, or the stamp of the value the read returned.
    pub stamp: Option<Stamp>,
}

/// An operation in flight at its coordinator.
#[derive(Clone, Debug)]
struct Pending {
    index: usize,
    phase2: bool,
    replies: usize,
    best: (Stamp, u64),
    /// How many phase-1 replies carried `best`'s stamp.
    agreeing: usize,
}

/// A replica's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplicaTimer {
    /// The client has thought long enough: issue its next operation.
    Issue,
    /// AP mode: push the local copy to every other replica.
    AntiEntropy,
    /// Operation `op` has waited `timeout`: it fails if it is still in flight.
    Timeout(u64),
}

/// A replica and its client.
#[derive(Clone, Debug)]
pub struct Replica {
    pub(crate) mode: Mode,
    pub(crate) ops_left: usize,
    pub(crate) think: f64,
    pub(crate) write_fraction: f64,
    pub(crate) timeout: Duration,
    pub(crate) anti_entropy: Duration,
    pub(crate) anti_entropy_until: Time,
    /// The register copy.
    pub(crate) stamp: Stamp,
    pub(crate) value: u64,
    pending: BTreeMap<u64, Pending>,
    writes_issued: u64,
    /// This client's operations, in invocation order.
    pub history: Vec<ClientOp>,
    /// (discarded value, kept value) every time a merge or store threw a value away.
    pub discarded: Vec<(u64, u64)>,
}

impl Replica {
    pub(crate) fn new(
        mode: Mode,
        ops: usize,
        think: f64,
        write_fraction: f64,
        timeout: Duration,
        anti_entropy: Duration,
        until: Time,
    ) -> Self {
        Replica {
            mode,
            ops_left: ops,
            think,
            write_fraction,
            timeout,
            anti_entropy,
            anti_entropy_until: until,
            stamp: (0, 0),
            value: 0,
            pending: BTreeMap::new(),
            writes_issued: 0,
            history: Vec::new(),
            discarded: Vec::new(),
        }
    }

    /// The client thinks for an exponential time after each operation, then issues the next one:
    /// one operation in flight per client, as in a well-formed history.
    fn schedule_next(&mut self, ctx: &mut Context<CapMsg, ReplicaTimer>) {
        if self.ops_left > 0 {
            let u: f64 = rand::Rng::random(ctx.rng());
            let gap = -self.think * (1.0 - u).ln();
            ctx.set_timer(Duration::from_nanos((gap * 1e9) as u64), ReplicaTimer::Issue);
        }
    }

    /// Keeps the higher-stamped of the local and the incoming value, recording the loser.
    fn merge(&mut self, stamp: Stamp, value: u64) {
        if stamp > self.stamp {
            if self.value != 0 {
                self.discarded.push((self.value, value));
            }
            self.stamp = stamp;
            self.value = value;
        } else if stamp < self.stamp && value != 0 {
            self.discarded.push((value, self.value));
        }
    }

    fn issue(&mut self, ctx: &mut Context<CapMsg, ReplicaTimer>) {
        self.ops_left -= 1;
        let id = ctx.id() as u64;
        let n = ctx.node_count() as u64;
        let is_write = rand::Rng::random::<f64>(ctx.rng()) < self.write_fraction;
        // Unique, non-zero write values: the k-th write of replica i is k·n + i + 1.
        let write = is_write.then(|| {
            self.writes_issued += 1;
            self.writes_issued * n + id + 1
        });
        let now = ctx.now();
        let index = self.history.len();
        self.history.push(ClientOp {
            write,
            invoke: now,
            complete: None,
            ok: false,
            read_value: None,
            indeterminate: false,
            stamp: None,
        });
        match self.mode {
            Mode::Ap => {
                if let Some(v) = write {
                    let stamp = (ctx.clock().as_nanos(), v);
                    self.history[index].stamp = Some(stamp);
                    self.merge(stamp, v);
                    ctx.broadcast(CapMsg::Merge { stamp, value: v });
                }
                let (value, stamp) = (self.value, self.stamp);
                let op = &mut self.history[index];
                (op.complete, op.ok) = (Some(now), true);
                if write.is_none() {
                    (op.read_value, op.stamp) = (Some(value), Some(stamp));
                }
                self.schedule_next(ctx);
            }
            Mode::Cp => {
                let op = index as u64;
                self.pending.insert(
                    op,
                    Pending { index, phase2: false, replies: 1, best: (self.stamp, self.value), agreeing: 1 },
                );
                ctx.broadcast(CapMsg::Query { op });
                ctx.set_timer(self.timeout, ReplicaTimer::Timeout(op));
                self.maybe_advance(ctx, op);
            }
        }
    }

    /// Moves operation `op` on when a majority has answered the current phase.
    fn maybe_advance(&mut self, ctx: &mut Context<CapMsg, ReplicaTimer>, op: u64) {
        let majority = ctx.node_count() / 2 + 1;
        let Some(p) = self.pending.get_mut(&op) else { return };
        if p.replies < majority {
            return;
        }
        let index = p.index;
        // A read whose whole phase-1 majority already holds the newest stamp may skip the
        // write-back: every later majority overlaps this one, so nobody can see older.
        let fast_read = !p.phase2 && self.history[index].write.is_none() && p.agreeing == p.replies;
        if !p.phase2 && !fast_read {
            let write = self.history[index].write;
            let (stamp, value) = match write {
                // Ties on the counter are broken by the unique written value.
                Some(v) => (((p.best.0).0 + 1, v), v),
                None => p.best,
            };
            p.phase2 = true;
            p.replies = 1;
            p.best = (stamp, value);
            self.merge(stamp, value);
            ctx.broadcast(CapMsg::Store { op, stamp, value });
            self.maybe_advance(ctx, op);
        } else {
            let (stamp, value) = p.best;
            self.pending.remove(&op);
            let h = &mut self.history[index];
            (h.complete, h.ok, h.stamp) = (Some(ctx.now()), true, Some(stamp));
            if h.write.is_none() {
                h.read_value = Some(value);
            }
            self.schedule_next(ctx);
        }
    }
}

impl Node for Replica {
    type Msg = CapMsg;
    type Timer = ReplicaTimer;

    fn on_start(&mut self, ctx: &mut Context<CapMsg, ReplicaTimer>) {
        self.schedule_next(ctx);
        if self.mode == Mode::Ap {
            ctx.set_timer(self.anti_entropy, ReplicaTimer::AntiEntropy);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<CapMsg, ReplicaTimer>, from: NodeId, msg: CapMsg) {
        match msg {
            CapMsg::Query { op } => ctx.send(from, CapMsg::QueryReply { op, stamp: self.stamp, value: self.value }),
            CapMsg::Store { op, stamp, value } => {
                self.merge(stamp, value);
                ctx.send(from, CapMsg::StoreAck { op });
            }
            CapMsg::QueryReply { op, stamp, value } => {
                if let Some(p) = self.pending.get_mut(&op) {
                    if !p.phase2 {
                        p.replies += 1;
                        if stamp > p.best.0 {
                            (p.best, p.agreeing) = ((stamp, value), 1);
                        } else if stamp == p.best.0 {
                            p.agreeing += 1;
                        }
                        self.maybe_advance(ctx, op);
                    }
                }
            }
            CapMsg::StoreAck { op } => {
                if let Some(p) = self.pending.get_mut(&op) {
                    if p.phase2 {
                        p.replies += 1;
                        self.maybe_advance(ctx, op);
                    }
                }
            }
            CapMsg::Merge { stamp, value } => self.merge(stamp, value),
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<CapMsg, ReplicaTimer>, timer: ReplicaTimer) {
        match timer {
            ReplicaTimer::Issue => self.issue(ctx),
            ReplicaTimer::AntiEntropy => {
                if self.value != 0 {
                    ctx.broadcast(CapMsg::Merge { stamp: self.stamp, value: self.value });
                }
                if ctx.now() < self.anti_entropy_until {
                    ctx.set_timer(self.anti_entropy, ReplicaTimer::AntiEntropy);
                }
            }
            ReplicaTimer::Timeout(op) => {
                // The operation fails if it is still in flight.
                if let Some(p) = self.pending.remove(&op) {
                    let h = &mut self.history[p.index];
                    h.complete = Some(ctx.now());
                    h.indeterminate = p.phase2 && h.write.is_some();
                    self.schedule_next(ctx);
                }
            }
        }
    }
}
