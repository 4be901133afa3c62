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

mod branch;
mod report;

pub use branch::{BankMsg, Branch, BranchTimer};
pub use report::{BankComparison, BankResult};

use crate::engine::Simulation;
use crate::error::Result;
use crate::experiment::{Experiment, Parameters, Range};
use crate::faults::Fault;
use crate::network::Network;
use crate::rng::{stream, Stream};
use crate::time::{micros, millis, secs, Duration, Time};
use crate::trace::TraceMode;
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

crate::choice_param!(Protocol { Naive => "naive", Idempotent => "idempotent", TwoPhaseCommit => "two_phase_commit" });

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
    /// Mean gap between one branch's transfers.
    pub mean_gap: Duration,
    /// Message loss probability.
    pub loss: f64,
    /// Crashes scheduled during the run (each on a random branch).
    pub crashes: usize,
    /// How long a crashed branch stays down.
    pub down: Duration,
    /// Resend timeout.
    pub timeout: Duration,
}

crate::parameters!(BankConfig {
    protocol: Range::Choice(Protocol::CHOICES) => "transfer protocol: naive, idempotent or two_phase_commit",
    accounts: Range::count(2, 64) => "branches, one account each",
    initial_balance: Range::count(1, 1_000_000_000_000) => "starting balance of each account",
    transfers_per_account: Range::count(0, 100_000) => "transfers each branch starts",
    mean_gap: Range::time(micros(1), secs(3600)) => "mean gap between one branch's transfers",
    loss: Range::real(0.0, 0.9) => "message loss probability",
    crashes: Range::count(0, 10_000) => "crashes scheduled during the run, each on a random branch",
    down: Range::time(Duration::ZERO, secs(3600)) => "how long a crashed branch stays down",
    timeout: Range::time(micros(1), secs(3600)) => "resend timeout",
});

impl Default for BankConfig {
    fn default() -> Self {
        BankConfig {
            protocol: Protocol::Naive,
            accounts: 4,
            initial_balance: 1_000,
            transfers_per_account: 50,
            mean_gap: millis(10),
            loss: 0.1,
            crashes: 4,
            down: millis(30),
            timeout: millis(20),
        }
    }
}

impl Experiment for BankConfig {
    type Output = BankResult;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    /// Runs the bank, checking the invariant after every event.
    fn run(&self, seed: u64) -> Result<BankResult> {
        let mut sim = self.simulation(seed, TraceMode::DigestOnly)?;
        let initial = self.initial_balance * self.accounts as u64;
        let (mut violating, mut max_created, mut timeline) = (0u64, 0u64, Vec::new());
        loop {
            let s = sim.run_events(1)?;
            let (total, in_flight, _, _) = audit(sim.nodes());
            if total + in_flight != initial {
                violating += 1;
                max_created = max_created.max((total + in_flight).saturating_sub(initial));
                timeline.push((s.now.as_millis_f64(), total as f64 + in_flight as f64 - initial as f64));
            }
            if s.events == 0 || s.pending == 0 {
                break;
            }
        }
        let (total, in_flight, transfers, created) = audit(sim.nodes());
        timeline.push((sim.now().as_millis_f64(), total as f64 + in_flight as f64 - initial as f64));
        Ok(BankResult {
            config: self.clone(),
            initial_total: initial,
            final_total: total,
            transfers,
            violating_events: violating,
            max_created,
            lost: in_flight,
            created,
            timeline,
        })
    }
}

impl BankConfig {
    /// The simulation of [`Experiment::run`], with a full trace and nothing run yet: the branches,
    /// the lossy network and the scheduled crashes and recoveries, to step through or draw.
    /// Check the invariant yourself with [`money_created`] and [`Branch::balance`].
    pub fn build(&self, seed: u64) -> Result<Simulation<Branch>> {
        self.simulation(seed, TraceMode::Full)
    }

    fn simulation(&self, seed: u64, trace: TraceMode) -> Result<Simulation<Branch>> {
        self.validate()?;
        let branches = (0..self.accounts)
            .map(|_| Branch {
                protocol: self.protocol,
                left: self.transfers_per_account,
                gap_s: self.mean_gap.as_secs_f64(),
                timeout: self.timeout,
                balance: self.initial_balance,
                outbox: BTreeMap::new(),
                holds: BTreeMap::new(),
                applied: BTreeSet::new(),
                prepared: BTreeMap::new(),
                next_id: 0,
                audit_debits: BTreeMap::new(),
                audit_credits: BTreeMap::new(),
            })
            .collect();
        let mut sim =
            Simulation::new(seed, branches)?.with_network(Network::new().loss(self.loss))?.with_trace_mode(trace);
        // Crashes at evenly spaced times over the expected busy period, on branches picked by the seed.
        let span_ns = self.transfers_per_account as f64 * self.mean_gap.as_nanos() as f64;
        let mut pick = stream(seed, Stream::Failures);
        for k in 0..self.crashes {
            let at = Time::from_nanos((span_ns * (k as f64 + 0.5) / self.crashes as f64) as u64);
            let node = pick.random_range(0..self.accounts);
            sim.schedule(at, Fault::Crash(node))?;
            sim.schedule(at + self.down, Fault::Recover(node))?;
        }
        Ok(sim)
    }

    /// The same run under all three protocols.
    pub fn compare(&self, seed: u64) -> Result<BankComparison> {
        let runs = [Protocol::Naive, Protocol::Idempotent, Protocol::TwoPhaseCommit]
            .into_iter()
            .map(|protocol| BankConfig { protocol, ..self.clone() }.run(seed))
            .collect::<Result<_>>()?;
        Ok(BankComparison { runs })
    }
}

/// Money created so far by credits applied more than once, from the branches' audit trail: 0
/// while the invariant holds against duplicates (money *lost* shows as money in flight instead).
pub fn money_created(branches: &[Branch]) -> u64 {
    audit(branches).3
}

/// (money in accounts, money in flight, transfers debited, money credited more than once).
fn audit(branches: &[Branch]) -> (u64, u64, usize, u64) {
    let total = branches.iter().map(|b| b.balance).sum();
    let mut credited: BTreeMap<u64, u64> = BTreeMap::new();
    for b in branches {
        for (&id, &c) in &b.audit_credits {
            *credited.entry(id).or_insert(0) += c;
        }
    }
    let (mut in_flight, mut extra, mut transfers) = (0, 0, 0);
    for b in branches {
        for (&id, &amount) in &b.audit_debits {
            transfers += 1;
            // In flight: debited, not yet credited. A credit applied k > 1 times counts as in
            // flight −(k − 1) times: that is the money created.
            match credited.get(&id).copied().unwrap_or(0) {
                0 => in_flight += amount,
                k => extra += (k - 1) * amount,
            }
        }
    }
    (total, in_flight, transfers, extra)
}
