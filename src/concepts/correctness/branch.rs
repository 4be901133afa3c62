//! A bank branch: the node that runs each transfer protocol (see the parent module).

use super::Protocol;
use crate::engine::{Context, Node, NodeId};
use crate::time::Duration;
use rand::Rng;
use std::collections::{BTreeMap, BTreeSet};

/// Messages between branches.
#[derive(Clone, Debug)]
pub enum BankMsg {
    /// Credit `amount` for transfer `id` (naive, idempotent) or commit it (2PC).
    Credit { id: u64, amount: u64 },
    /// Acknowledges transfer `id`.
    Ack { id: u64 },
    /// 2PC phase 1.
    Prepare { id: u64, amount: u64 },
    /// 2PC vote (always yes here: the receiver has no reason to refuse).
    Vote { id: u64 },
    /// 2PC: forget a prepared transfer.
    Abort { id: u64 },
}

/// A branch's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BranchTimer {
    /// Time to start the next transfer.
    NextTransfer,
    /// Transfer `id` has waited `timeout` for its acknowledgement (or its 2PC vote): resend it.
    Resend(u64),
}

/// A branch.
#[derive(Clone, Debug)]
pub struct Branch {
    pub(crate) protocol: Protocol,
    pub(crate) left: usize,
    pub(crate) gap_s: f64,
    pub(crate) timeout: Duration,
    /// Durable balance.
    pub balance: u64,
    /// Transfers sent and not yet acknowledged: id -> (to, amount). Volatile for `Naive`.
    pub(crate) outbox: BTreeMap<u64, (NodeId, u64)>,
    /// 2PC sender: prepared, awaiting the vote (durable hold of the money).
    pub(crate) holds: BTreeMap<u64, (NodeId, u64)>,
    /// Receiver: ids applied (durable) and 2PC ids prepared (durable).
    pub(crate) applied: BTreeSet<u64>,
    pub(crate) prepared: BTreeMap<u64, u64>,
    pub(crate) next_id: u64,
    /// Observer's audit: transfer id -> amount, for every debit that happened.
    pub audit_debits: BTreeMap<u64, u64>,
    /// Observer's audit: transfer id -> how many times it was credited here.
    pub audit_credits: BTreeMap<u64, u64>,
}

impl Branch {
    fn next(&mut self, ctx: &mut Context<BankMsg, BranchTimer>) {
        if self.left > 0 {
            let gap = -self.gap_s * (1.0 - ctx.rng().random::<f64>()).ln();
            ctx.set_timer(Duration::from_nanos((gap * 1e9) as u64), BranchTimer::NextTransfer);
        }
    }
    fn start_transfer(&mut self, ctx: &mut Context<BankMsg, BranchTimer>) {
        self.left -= 1;
        let n = ctx.node_count();
        let to = (ctx.id() + 1 + ctx.rng().random_range(0..n - 1)) % n;
        let amount = ctx.rng().random_range(1..=50u64);
        if self.balance < amount {
            return;
        }
        let id = (ctx.id() as u64) << 32 | self.next_id;
        self.next_id += 1;
        match self.protocol {
            Protocol::TwoPhaseCommit => {
                self.balance -= amount; // held, not yet gone: counted as in flight
                self.audit_debits.insert(id, amount);
                self.holds.insert(id, (to, amount));
                ctx.send(to, BankMsg::Prepare { id, amount });
            }
            _ => {
                self.balance -= amount;
                self.audit_debits.insert(id, amount);
                self.outbox.insert(id, (to, amount));
                ctx.send(to, BankMsg::Credit { id, amount });
            }
        }
        ctx.set_timer(self.timeout, BranchTimer::Resend(id));
    }
    /// Resends transfer `id` if it is still unacknowledged, and re-arms its timer.
    fn resend(&mut self, ctx: &mut Context<BankMsg, BranchTimer>, id: u64) {
        let msg = if let Some(&(to, amount)) = self.outbox.get(&id) {
            (to, BankMsg::Credit { id, amount })
        } else if let Some(&(to, amount)) = self.holds.get(&id) {
            (to, BankMsg::Prepare { id, amount })
        } else {
            return;
        };
        ctx.send(msg.0, msg.1);
        ctx.set_timer(self.timeout, BranchTimer::Resend(id));
    }
}

impl Node for Branch {
    type Msg = BankMsg;
    type Timer = BranchTimer;
    fn on_start(&mut self, ctx: &mut Context<BankMsg, BranchTimer>) {
        self.next(ctx);
    }
    fn on_timer(&mut self, ctx: &mut Context<BankMsg, BranchTimer>, timer: BranchTimer) {
        match timer {
            BranchTimer::NextTransfer => {
                self.start_transfer(ctx);
                self.next(ctx);
            }
            BranchTimer::Resend(id) => self.resend(ctx, id),
        }
    }
    fn on_message(&mut self, ctx: &mut Context<BankMsg, BranchTimer>, from: NodeId, msg: BankMsg) {
        match msg {
            BankMsg::Credit { id, amount } => {
                let duplicate = self.protocol != Protocol::Naive && self.applied.contains(&id);
                let unprepared = self.protocol == Protocol::TwoPhaseCommit && self.prepared.remove(&id).is_none();
                if !duplicate && !unprepared {
                    self.balance += amount;
                    self.applied.insert(id);
                    *self.audit_credits.entry(id).or_insert(0) += 1;
                }
                ctx.send(from, BankMsg::Ack { id });
            }
            BankMsg::Ack { id } => {
                self.outbox.remove(&id);
            }
            BankMsg::Prepare { id, amount } => {
                if !self.applied.contains(&id) {
                    self.prepared.insert(id, amount);
                }
                ctx.send(from, BankMsg::Vote { id });
            }
            BankMsg::Vote { id } => {
                // The durable decision: the hold becomes a commit to drive until acknowledged
                // (the transfer's timer, still armed, now resends the commit).
                if let Some((to, amount)) = self.holds.remove(&id) {
                    self.outbox.insert(id, (to, amount));
                    ctx.send(to, BankMsg::Credit { id, amount });
                }
            }
            BankMsg::Abort { id } => {
                self.prepared.remove(&id);
            }
        }
    }
    fn on_crash(&mut self) {
        if self.protocol == Protocol::Naive {
            self.outbox.clear(); // in memory only: these transfers are forgotten
        }
    }
    fn on_recover(&mut self, ctx: &mut Context<BankMsg, BranchTimer>) {
        // Presumed abort: a 2PC transfer without a decision is abandoned and its money released.
        for (id, (to, amount)) in std::mem::take(&mut self.holds) {
            self.balance += amount;
            self.audit_debits.remove(&id);
            ctx.send(to, BankMsg::Abort { id });
        }
        // Timers died with the crash: re-arm one per transfer still owed.
        let owed: Vec<u64> = self.outbox.keys().copied().collect();
        for id in owed {
            ctx.set_timer(self.timeout, BranchTimer::Resend(id));
        }
        self.next(ctx);
    }
}
