//! The replicas and clients of the primary-backup model, as engine nodes.

use crate::engine::{Context, Node, NodeId, TimerId};
use crate::time::{Duration, Time};
use std::collections::BTreeMap;

/// What replicas and clients say to each other.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// A client's write `id`; `client` is where the acknowledgement goes (a backup forwards it).
    Write { id: u32, client: NodeId },
    /// The primary tells `client` that write `id` is durable.
    Ack { id: u32 },
    /// The primary's whole log, stamped with its epoch: replication and heartbeat in one message.
    Replicate { epoch: u64, log: Vec<u32> },
    /// A backup holds the first `len` entries of the primary's log of epoch `epoch`.
    Replicated { epoch: u64, len: usize },
    /// With fencing: a backup asks the others to move to `epoch` and make it primary.
    Claim { epoch: u64 },
    /// With fencing: "I will refuse anything older than `epoch`; here is my log".
    Promise { epoch: u64, log_epoch: u64, log: Vec<u32> },
}

/// A replica's timers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// The primary sends its log again (and notices backups that went quiet).
    Heartbeat,
    /// A backup has heard nothing from its primary for a while.
    Failover,
}

/// A replica (node ids `0..replicas`) or a client (the ids after them). One type, because a
/// simulation has one node type; a client only collects acknowledgements.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Replica {
    /// Replicas in the system (node ids `0..replicas`).
    pub replicas: usize,
    /// Whether epochs are enforced: majority promises to promote, majority copies to acknowledge.
    pub fencing: bool,
    /// How often the primary sends its log.
    pub heartbeat: Duration,
    /// How long a silence means "dead" (a backup waits a random time in `[failover, 2 failover)`).
    pub failover: Duration,
    /// The highest epoch this replica has accepted (or promised).
    pub epoch: u64,
    /// Whether this replica believes it is the primary.
    pub primary: bool,
    /// The replica it believes is the primary (where a backup forwards writes).
    pub leader: NodeId,
    /// The write ids in order, and the epoch of the primary that wrote this copy.
    pub log: Vec<u32>,
    /// See `log`.
    pub log_epoch: u64,
    /// The primary's view: how much of its log each backup holds, and when it last heard from it.
    pub holds: BTreeMap<NodeId, (usize, Time)>,
    /// Writes the primary has logged but not acknowledged: (id, client, position in the log).
    pub pending: Vec<(u32, NodeId, usize)>,
    /// With fencing, a candidate's promises so far: (from, log epoch, log).
    pub promises: Vec<(NodeId, u64, Vec<u32>)>,
    /// When this replica became primary, and when it stepped down (`None`: still primary).
    pub reigns: Vec<(Time, Option<Time>)>,
    /// A client's acknowledged writes, with when the acknowledgement arrived.
    pub acked: Vec<(u32, Time)>,
    timer: Option<TimerId>,
}

impl Replica {
    /// Replica or client `id` of a system of `replicas` replicas; replica 0 starts as primary.
    pub fn new(id: NodeId, replicas: usize, fencing: bool, heartbeat: Duration, failover: Duration) -> Replica {
        Replica {
            replicas,
            fencing,
            heartbeat,
            failover,
            epoch: 1,
            primary: id == 0,
            leader: 0,
            log: Vec::new(),
            log_epoch: 1,
            holds: BTreeMap::new(),
            pending: Vec::new(),
            promises: Vec::new(),
            reigns: Vec::new(),
            acked: Vec::new(),
            timer: None,
        }
    }

    fn majority(&self) -> usize {
        self.replicas / 2 + 1
    }

    fn broadcast(&self, ctx: &mut Context<Msg, Timer>, msg: Msg) {
        let me = ctx.id();
        for r in (0..self.replicas).filter(|&r| r != me) {
            ctx.send(r, msg.clone());
        }
    }

    fn become_primary(&mut self, ctx: &mut Context<Msg, Timer>) {
        ctx.log(format!("primary of epoch {}", self.epoch));
        self.primary = true;
        self.leader = ctx.id();
        self.reigns.push((ctx.now(), None));
        self.log_epoch = self.epoch;
        let now = ctx.now();
        self.holds = (0..self.replicas).filter(|&r| r != ctx.id()).map(|r| (r, (0, now))).collect();
        self.on_timer(ctx, Timer::Heartbeat);
    }

    fn follow(&mut self, ctx: &mut Context<Msg, Timer>, epoch: u64, leader: NodeId) {
        if self.primary {
            ctx.log(format!("steps down: epoch {epoch} is newer"));
            self.pending.clear(); // never acknowledged, so nobody was promised them
            if let Some(reign) = self.reigns.last_mut() {
                reign.1 = Some(ctx.now());
            }
        }
        self.primary = false;
        self.promises.clear();
        (self.epoch, self.leader) = (epoch, leader);
        let wait = ctx.random_duration(self.failover..self.failover * 2);
        ctx.reset_timer(&mut self.timer, wait, Timer::Failover);
    }

    /// Acknowledges every pending write that enough replicas hold. Without fencing, "enough" is
    /// every backup heard from within `failover` (none, once all have gone quiet); with fencing, a
    /// majority that accepted this epoch, which two primaries can never both have.
    fn acknowledge(&mut self, ctx: &mut Context<Msg, Timer>) {
        let now = ctx.now();
        let (fencing, majority, failover) = (self.fencing, self.majority(), self.failover);
        let holds = &self.holds;
        let durable = |at: usize| {
            if fencing {
                1 + holds.values().filter(|(len, _)| *len >= at).count() >= majority
            } else {
                holds.values().all(|&(len, heard)| len >= at || now.since(heard) >= failover)
            }
        };
        self.pending.retain(|&(id, client, at)| {
            let done = durable(at);
            if done {
                ctx.send(client, Msg::Ack { id });
            }
            !done
        });
    }
}

impl Node for Replica {
    type Msg = Msg;
    type Timer = Timer;

    fn on_start(&mut self, ctx: &mut Context<Msg, Timer>) {
        if ctx.id() == 0 {
            self.become_primary(ctx);
        } else if ctx.id() < self.replicas {
            self.follow(ctx, 1, 0);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg, Timer>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Ack { id } => self.acked.push((id, ctx.now())),
            Msg::Write { id, client } if self.primary => {
                self.log.push(id);
                self.pending.push((id, client, self.log.len()));
                self.broadcast(ctx, Msg::Replicate { epoch: self.epoch, log: self.log.clone() });
                self.acknowledge(ctx);
            }
            Msg::Write { .. } if self.leader != ctx.id() => ctx.send(self.leader, msg),
            Msg::Write { .. } => {} // a deposed primary that knows no successor yet
            // A newer (or, between equals, higher-numbered) primary wins; an older one is ignored.
            Msg::Replicate { epoch, log } if (epoch, from) >= (self.epoch, self.leader) => {
                self.follow(ctx, epoch, from); // also re-arms the failover timer
                                               // Messages may be reordered: never let an older copy of this epoch's log shrink ours.
                if epoch > self.log_epoch || log.len() > self.log.len() {
                    (self.log, self.log_epoch) = (log, epoch);
                }
                ctx.send(from, Msg::Replicated { epoch, len: self.log.len() });
            }
            Msg::Replicated { epoch, len } if self.primary && epoch == self.epoch => {
                let now = ctx.now();
                let entry = self.holds.entry(from).or_insert((0, now));
                *entry = (entry.0.max(len), now);
                self.acknowledge(ctx);
            }
            Msg::Claim { epoch } if epoch > self.epoch => {
                self.follow(ctx, epoch, from);
                ctx.send(from, Msg::Promise { epoch, log_epoch: self.log_epoch, log: self.log.clone() });
            }
            Msg::Promise { epoch, log_epoch, log } if !self.primary && epoch == self.epoch => {
                self.promises.push((from, log_epoch, log));
                if self.promises.len() + 1 >= self.majority() {
                    // The newest log among a majority holds every acknowledged write.
                    let best = self.promises.iter().max_by_key(|(_, e, l)| (*e, l.len())).expect("a promise");
                    if (best.1, best.2.len()) > (self.log_epoch, self.log.len()) {
                        self.log = best.2.clone();
                    }
                    self.become_primary(ctx);
                }
            }
            _ => {} // stale: from an older epoch, or for a role this replica no longer has
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg, Timer>, timer: Timer) {
        match timer {
            Timer::Heartbeat if self.primary => {
                self.broadcast(ctx, Msg::Replicate { epoch: self.epoch, log: self.log.clone() });
                self.acknowledge(ctx);
                ctx.reset_timer(&mut self.timer, self.heartbeat, Timer::Heartbeat);
            }
            Timer::Failover if !self.primary => {
                self.epoch += 1;
                if self.fencing {
                    ctx.log(format!("claims epoch {}", self.epoch));
                    self.promises.clear();
                    self.broadcast(ctx, Msg::Claim { epoch: self.epoch });
                    let wait = ctx.random_duration(self.failover..self.failover * 2);
                    ctx.reset_timer(&mut self.timer, wait, Timer::Failover); // try again if no majority
                } else {
                    self.become_primary(ctx); // the primary went quiet: it must be dead
                }
            }
            _ => {}
        }
    }
}
