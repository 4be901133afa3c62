//! Correctness: money must be conserved, whatever the network and the machines do.
//!
//! Each node is a bank branch holding one account. Branches transfer money to each other while
//! messages get lost and branches crash and restart. The invariant is simple — the money in all
//! accounts plus the money *in flight* (debited, not yet credited) always equals what we started
//! with — and it is checked after every single event of the run.
//!
//! Three protocols:
//! * **Naive** — debit, send a credit, resend it on a timeout until acknowledged. The list of
//!   unacknowledged transfers lives in memory, so a crash forgets them (money *lost*), and the
//!   receiver applies every copy it gets, so a lost acknowledgement means a second credit (money
//!   *created*).
//! * **Idempotent** — the same, but the outbox is durable (it survives a crash and is resent after
//!   recovery) and the receiver remembers, durably, which transfer ids it has applied, so a
//!   duplicate is acknowledged but not applied again.
//! * **Two-phase commit** — the sender prepares the transfer at the receiver, which durably
//!   records it and votes; only then does the sender durably decide, debit, and drive the commit
//!   to the receiver until acknowledged. A sender that crashes before deciding aborts on recovery
//!   (presumed abort), so a transfer happens entirely or not at all.
//!
//! The audit trail used by the invariant (which transfers were debited and credited) is kept by
//! the simulation's observer, not by the protocol: a crash does not erase what really happened.

use crate::engine::{Context, Node, NodeId, Simulation, Timer};
use crate::error::Result;
use crate::faults::Fault;
use crate::network::Network;
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::time::{Duration, Time};
use crate::trace::TraceMode;
use crate::validate;
use rand::Rng;
use std::collections::{BTreeMap, BTreeSet};

/// The transfer protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Protocol {
    /// Volatile outbox, no duplicate detection.
    Naive,
    /// Durable outbox, retries, de-duplication by transfer id.
    Idempotent,
    /// Prepare / vote / durable decision / commit, with presumed abort.
    TwoPhaseCommit,
}

/// The bank experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct BankConfig {
    /// Transfer protocol.
    pub protocol: Protocol,
    /// Branches (one account each).
    pub accounts: usize,
    /// Starting balance of each account.
    pub initial_balance: u64,
    /// Transfers each branch starts.
    pub transfers_per_account: usize,
    /// Mean gap between one branch's transfers, ms.
    pub mean_gap_ms: f64,
    /// Message loss probability.
    pub loss: f64,
    /// Crashes scheduled during the run (each on a random branch).
    pub crashes: usize,
    /// How long a crashed branch stays down, ms.
    pub down_ms: f64,
    /// Resend timeout, ms.
    pub timeout_ms: f64,
}

impl Default for BankConfig {
    fn default() -> Self {
        BankConfig {
            protocol: Protocol::Naive,
            accounts: 4,
            initial_balance: 1_000,
            transfers_per_account: 50,
            mean_gap_ms: 10.0,
            loss: 0.1,
            crashes: 4,
            down_ms: 30.0,
            timeout_ms: 20.0,
        }
    }
}

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

/// A branch.
#[derive(Clone, Debug)]
pub struct Branch {
    protocol: Protocol,
    left: usize,
    gap_s: f64,
    timeout: Duration,
    /// Durable balance.
    pub balance: u64,
    /// Transfers sent and not yet acknowledged: id -> (to, amount). Volatile for `Naive`.
    outbox: BTreeMap<u64, (NodeId, u64)>,
    /// 2PC sender: prepared, awaiting the vote (durable hold of the money).
    holds: BTreeMap<u64, (NodeId, u64)>,
    /// Receiver: ids applied (durable) and 2PC ids prepared (durable).
    applied: BTreeSet<u64>,
    prepared: BTreeMap<u64, u64>,
    next_id: u64,
    /// Observer's audit: transfer id -> amount, for every debit that happened.
    pub audit_debits: BTreeMap<u64, u64>,
    /// Observer's audit: transfer id -> how many times it was credited here.
    pub audit_credits: BTreeMap<u64, u64>,
}

impl Branch {
    fn next(&mut self, ctx: &mut Context<BankMsg>) {
        if self.left > 0 {
            let gap = -self.gap_s * (1.0 - ctx.rng().random::<f64>()).ln();
            ctx.set_timer(Duration::from_nanos((gap * 1e9) as u64), 0);
        }
    }
    fn start_transfer(&mut self, ctx: &mut Context<BankMsg>) {
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
        ctx.set_timer(self.timeout, 1);
    }
    /// Resends everything unacknowledged; re-arms itself while anything is outstanding.
    fn resend(&mut self, ctx: &mut Context<BankMsg>) {
        for (&id, &(to, amount)) in &self.outbox {
            ctx.send(to, BankMsg::Credit { id, amount });
        }
        for (&id, &(to, amount)) in &self.holds {
            ctx.send(to, BankMsg::Prepare { id, amount });
        }
        if !self.outbox.is_empty() || !self.holds.is_empty() {
            ctx.set_timer(self.timeout, 1);
        }
    }
}

impl Node for Branch {
    type Msg = BankMsg;
    fn on_start(&mut self, ctx: &mut Context<BankMsg>) {
        self.next(ctx);
    }
    fn on_timer(&mut self, ctx: &mut Context<BankMsg>, t: Timer) {
        if t.tag == 0 {
            self.start_transfer(ctx);
            self.next(ctx);
        } else {
            self.resend(ctx);
        }
    }
    fn on_message(&mut self, ctx: &mut Context<BankMsg>, from: NodeId, msg: BankMsg) {
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
                // The durable decision: the hold becomes a commit to drive until acknowledged.
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
    fn on_recover(&mut self, ctx: &mut Context<BankMsg>) {
        // Presumed abort: a 2PC transfer without a decision is abandoned and its money released.
        for (id, (to, amount)) in std::mem::take(&mut self.holds) {
            self.balance += amount;
            self.audit_debits.remove(&id);
            ctx.send(to, BankMsg::Abort { id });
        }
        if !self.outbox.is_empty() {
            ctx.set_timer(self.timeout, 1);
        }
        self.next(ctx);
    }
}
