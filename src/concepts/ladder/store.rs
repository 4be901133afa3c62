//! A small replicated key-value store with tunable quorums, and the clients that use it.
//!
//! Nodes `0..replicas` are replicas; the rest are clients. A client sends each request to one
//! replica, which **coordinates** it in up to two phases:
//!
//! 1. **query**: ask every replica for its (version, value) of the key and wait for
//!    `read_quorum` answers; keep the highest version. A read answers with that value now,
//!    unless `write_back` is on.
//! 2. **store**: send a (version, value) to every replica and wait for `write_quorum`
//!    acknowledgements. A write stores its new value with a version above the highest it saw; a
//!    read with `write_back` stores what it is about to return (ABD's second phase), so that no
//!    later read can see an older value.
//!
//! A replica keeps the highest version it was sent. With `read_quorum + write_quorum >
//! replicas` every read quorum meets every write quorum; with write-back too, the store is ABD
//! and linearizable. Shrink the quorums, or drop the write-back, and the client histories slide
//! down the consistency ladder.

use crate::check::consistency::{KvOp, KvRet, Operation};
use crate::engine::{Context, Node, NodeId};
use crate::time::Duration;
use rand::Rng;
use std::collections::BTreeMap;

/// A version: (counter, the value written); higher wins. Written values are unique, so two
/// writes never share a version (with the coordinator's id instead, two writes coordinated by one
/// replica could tie, and replicas that kept different ones would never agree).
pub type Version = (u64, u32);

/// Messages of the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreMsg {
    /// Client to coordinator: read `key`, or write `write` under it.
    Request { op: u64, key: u8, write: Option<u32> },
    /// Phase 1: what do you hold for `key`?
    Query { op: u64, key: u8 },
    /// A replica's answer to a query.
    Current { op: u64, version: Version, value: Option<u32> },
    /// Phase 2: keep this unless you hold a higher version.
    Store { op: u64, key: u8, version: Version, value: Option<u32> },
    /// Phase 2 acknowledgement.
    Stored { op: u64 },
    /// Coordinator to client: done (a read's value; `None` for a write or an absent key).
    Reply { op: u64, value: Option<u32> },
}

/// Timers: a client's next operation, and its final reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreTimer {
    /// Issue the next workload operation.
    Next,
    /// Start reading every key once (the convergence probe).
    FinalReads,
}

/// What a replica or client needs to know about the store's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Number of replicas.
    pub replicas: usize,
    /// Answers a query phase waits for.
    pub read_quorum: usize,
    /// Acknowledgements a store phase waits for.
    pub write_quorum: usize,
    /// Whether a read stores the value it returns before answering.
    pub write_back: bool,
    /// Whether a client always uses the same replica (else a random one per operation).
    pub sticky: bool,
    /// Keys `0..keys`.
    pub keys: u8,
    /// Workload operations per client.
    pub operations: usize,
    /// Fraction of workload operations that are writes.
    pub write_fraction: f64,
    /// Mean pause between a client's operations (exponential).
    pub think: Duration,
    /// When clients begin their final reads.
    pub final_reads_at: Duration,
}

/// An operation a coordinator is running.
#[derive(Clone, Debug, PartialEq)]
pub struct Coordinating {
    /// The client to answer.
    pub client: NodeId,
    /// The key.
    pub key: u8,
    /// The value to write, for a write.
    pub write: Option<u32>,
    /// In phase 2 (store) rather than phase 1 (query).
    pub storing: bool,
    /// Answers (phase 1) or acknowledgements (phase 2) so far.
    pub count: usize,
    /// Phase 1: the highest (version, value) seen; phase 2: what is being stored.
    pub best: (Version, Option<u32>),
}

/// A node of the store: a replica or a client.
#[derive(Clone, Debug, PartialEq)]
pub enum StoreNode {
    /// A replica and coordinator.
    Replica {
        /// The store's settings.
        settings: Settings,
        /// What it holds: key → (version, value).
        data: BTreeMap<u8, (Version, Option<u32>)>,
        /// Operations it coordinates, by op id.
        running: BTreeMap<u64, Coordinating>,
    },
    /// A client with its workload and its recorded history.
    Client {
        /// The store's settings.
        settings: Settings,
        /// Workload operations issued so far.
        issued: usize,
        /// Final reads still to make.
        finals: Vec<u8>,
        /// Every operation it made, in order (client id = node id − replicas).
        history: Vec<Operation<u8, u32>>,
    },
}

impl StoreNode {
    /// Replica nodes then client nodes.
    pub fn system(settings: &Settings, clients: usize) -> Vec<StoreNode> {
        let replica =
            |_| StoreNode::Replica { settings: settings.clone(), data: BTreeMap::new(), running: BTreeMap::new() };
        let client =
            |_| StoreNode::Client { settings: settings.clone(), issued: 0, finals: Vec::new(), history: Vec::new() };
        (0..settings.replicas).map(replica).chain((0..clients).map(client)).collect()
    }

    /// A client's recorded operations (empty for a replica).
    pub fn history(&self) -> &[Operation<u8, u32>] {
        match self {
            StoreNode::Client { history, .. } => history,
            StoreNode::Replica { .. } => &[],
        }
    }
}

type Ctx<'a> = Context<'a, StoreMsg, StoreTimer>;

impl Node for StoreNode {
    type Msg = StoreMsg;
    type Timer = StoreTimer;

    fn on_start(&mut self, ctx: &mut Ctx<'_>) {
        if let StoreNode::Client { settings, .. } = self {
            ctx.set_timer(settings.final_reads_at, StoreTimer::FinalReads);
            ctx.set_timer(Duration::ZERO, StoreTimer::Next);
        }
    }

    fn on_timer(&mut self, ctx: &mut Ctx<'_>, timer: StoreTimer) {
        let StoreNode::Client { settings, issued, finals, history } = self else { return };
        let busy = history.last().is_some_and(|o| o.ret.is_none());
        match timer {
            StoreTimer::Next if *issued < settings.operations && !busy => {
                *issued += 1;
                let key = ctx.rng().random_range(0..settings.keys);
                let me = ctx.id() - settings.replicas;
                let write = ctx.rng().random_bool(settings.write_fraction).then(|| (me * 10_000 + *issued) as u32);
                request(ctx, settings, history, key, write);
            }
            StoreTimer::FinalReads => {
                *finals = (0..settings.keys).rev().collect();
                *issued = settings.operations; // the workload is over for this client
                if !busy {
                    if let Some(key) = finals.pop() {
                        request(ctx, settings, history, key, None);
                    }
                }
            }
            StoreTimer::Next => {}
        }
    }

    fn on_message(&mut self, ctx: &mut Ctx<'_>, from: NodeId, msg: StoreMsg) {
        match self {
            StoreNode::Client { settings, finals, history, issued } => {
                let StoreMsg::Reply { value, .. } = msg else { return };
                let Some(o) = history.last_mut() else { return };
                o.ret = Some(ctx.now().as_nanos());
                o.out = Some(match o.op {
                    KvOp::Put(..) => KvRet::PutOk,
                    KvOp::Get(_) => KvRet::GetOk(value),
                });
                if let Some(key) = finals.pop() {
                    request(ctx, settings, history, key, None);
                } else if *issued < settings.operations {
                    let think = settings.think.as_nanos() as f64;
                    let pause = -think * (1.0 - ctx.rng().random::<f64>()).ln();
                    ctx.set_timer(Duration::from_nanos(pause as u64), StoreTimer::Next);
                }
            }
            StoreNode::Replica { settings, data, running } => replica(ctx, settings, data, running, from, msg),
        }
    }
}

/// A client sends a request to its replica and records the operation as invoked.
fn request(ctx: &mut Ctx<'_>, s: &Settings, history: &mut Vec<Operation<u8, u32>>, key: u8, write: Option<u32>) {
    let me = ctx.id() - s.replicas;
    let to = if s.sticky { me % s.replicas } else { ctx.rng().random_range(0..s.replicas) };
    let op = (me * 1_000_000 + history.len()) as u64;
    ctx.send(to, StoreMsg::Request { op, key, write });
    let kv = write.map_or(KvOp::Get(key), |v| KvOp::Put(key, v));
    history.push(Operation { client: me, invoke: ctx.now().as_nanos(), ret: None, op: kv, out: None, event: None });
}

/// A replica's handlers: serve queries and stores, and coordinate client requests.
fn replica(
    ctx: &mut Ctx<'_>,
    s: &Settings,
    data: &mut BTreeMap<u8, (Version, Option<u32>)>,
    running: &mut BTreeMap<u64, Coordinating>,
    from: NodeId,
    msg: StoreMsg,
) {
    match msg {
        StoreMsg::Request { op, key, write } => {
            running
                .insert(op, Coordinating { client: from, key, write, storing: false, count: 0, best: ((0, 0), None) });
            (0..s.replicas).for_each(|r| ctx.send(r, StoreMsg::Query { op, key }));
        }
        StoreMsg::Query { op, key } => {
            let (version, value) = data.get(&key).copied().unwrap_or(((0, 0), None));
            ctx.send(from, StoreMsg::Current { op, version, value });
        }
        StoreMsg::Store { op, key, version, value } => {
            if data.get(&key).map_or(true, |held| held.0 < version) {
                data.insert(key, (version, value));
            }
            ctx.send(from, StoreMsg::Stored { op });
        }
        StoreMsg::Current { op, version, value } => {
            let Some(c) = running.get_mut(&op).filter(|c| !c.storing) else { return };
            c.count += 1;
            if version > c.best.0 {
                c.best = (version, value);
            }
            if c.count < s.read_quorum {
                return;
            }
            let (version, value) = match c.write {
                Some(v) => ((c.best.0 .0 + 1, v), Some(v)),
                None if s.write_back => c.best,
                None => {
                    let (client, value) = (c.client, c.best.1);
                    running.remove(&op);
                    return ctx.send(client, StoreMsg::Reply { op, value });
                }
            };
            (c.storing, c.count, c.best) = (true, 0, (version, value));
            let key = c.key;
            (0..s.replicas).for_each(|r| ctx.send(r, StoreMsg::Store { op, key, version, value }));
        }
        StoreMsg::Stored { op } => {
            let Some(c) = running.get_mut(&op).filter(|c| c.storing) else { return };
            c.count += 1;
            if c.count == s.write_quorum {
                let reply = StoreMsg::Reply { op, value: if c.write.is_some() { None } else { c.best.1 } };
                let client = c.client;
                running.remove(&op);
                ctx.send(client, reply);
            }
        }
        StoreMsg::Reply { .. } => {}
    }
}
