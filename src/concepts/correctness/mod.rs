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

pub use branch::{BankMsg, Branch, BranchTimer};

use crate::engine::Simulation;
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

/// What the audit saw.
#[derive(Clone, Debug, PartialEq)]
pub struct BankResult {
    /// The configuration that was run.
    pub config: BankConfig,
    /// Money at the start.
    pub initial_total: u64,
    /// Money in accounts at the end.
    pub final_total: u64,
    /// Transfers debited (and not aborted).
    pub transfers: usize,
    /// Events after which the invariant did not hold.
    pub violating_events: u64,
    /// Largest amount of money created out of nothing at any moment.
    pub max_created: u64,
    /// Money debited but never credited once the run was over.
    pub lost: u64,
    /// Money credited more than once, at the end.
    pub created: u64,
    /// (time ms, accounts + in flight − initial) at each violating event and at the end.
    pub timeline: Vec<(f64, f64)>,
}

impl BankConfig {
    /// Refuses out-of-range counts, probabilities and times.
    pub fn validate(&self) -> Result<()> {
        validate::count_in("accounts", self.accounts, 2, 64)?;
        validate::in_range("initial_balance", self.initial_balance as f64, 1.0, 1e12)?;
        validate::count_in("transfers_per_account", self.transfers_per_account, 0, 100_000)?;
        validate::positive("mean_gap_ms", self.mean_gap_ms)?;
        validate::in_range("loss", self.loss, 0.0, 0.9)?;
        validate::count_in("crashes", self.crashes, 0, 10_000)?;
        validate::non_negative("down_ms", self.down_ms)?;
        validate::positive("timeout_ms", self.timeout_ms)?;
        Ok(())
    }

    /// Runs the bank, checking the invariant after every event.
    pub fn run(&self, seed: u64) -> Result<BankResult> {
        self.validate()?;
        let branches = (0..self.accounts)
            .map(|_| Branch {
                protocol: self.protocol,
                left: self.transfers_per_account,
                gap_s: self.mean_gap_ms / 1e3,
                timeout: Duration::from_millis_f64("timeout_ms", self.timeout_ms).unwrap_or(Duration::ZERO),
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
        let mut sim = Simulation::new(seed, branches)?
            .with_network(Network::new().loss(self.loss))?
            .with_trace_mode(TraceMode::DigestOnly);
        // Crashes at evenly spaced times over the expected busy period, on branches picked by the seed.
        let span_ns = self.transfers_per_account as f64 * self.mean_gap_ms * 1e6;
        let mut pick = crate::rng::stream(seed, crate::rng::Stream::Failures);
        let down = Duration::from_millis_f64("down_ms", self.down_ms)?;
        for k in 0..self.crashes {
            let at = Time((span_ns * (k as f64 + 0.5) / self.crashes as f64) as u64);
            let node = pick.random_range(0..self.accounts);
            sim.schedule(at, Fault::Crash(node))?;
            sim.schedule(at + down, Fault::Recover(node))?;
        }
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

    /// The same run under all three protocols.
    pub fn compare(&self, seed: u64) -> Result<BankComparison> {
        let runs = [Protocol::Naive, Protocol::Idempotent, Protocol::TwoPhaseCommit]
            .into_iter()
            .map(|protocol| BankConfig { protocol, ..self.clone() }.run(seed))
            .collect::<Result<_>>()?;
        Ok(BankComparison { runs })
    }
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

impl BankResult {
    /// Whether money was conserved: nothing created, nothing lost.
    pub fn conserved(&self) -> bool {
        self.violating_events == 0 && self.lost == 0
    }
    fn column(&self) -> Vec<crate::render::Value> {
        vec![
            self.transfers.into(),
            self.initial_total.into(),
            self.final_total.into(),
            self.violating_events.into(),
            self.max_created.into(),
            self.lost.into(),
            if self.conserved() { "yes" } else { "NO" }.into(),
        ]
    }
    /// One row per quantity.
    pub fn table(&self) -> Table {
        BankComparison { runs: vec![self.clone()] }.table()
    }
    /// Money created (above zero) over time.
    pub fn plot(&self) -> Plot {
        BankComparison { runs: vec![self.clone()] }.plot()
    }
}

/// The protocols side by side on the same seed.
#[derive(Clone, Debug, PartialEq)]
pub struct BankComparison {
    /// One run per protocol.
    pub runs: Vec<BankResult>,
}

impl BankComparison {
    /// Quantities down, protocols across.
    pub fn table(&self) -> Table {
        let names = [
            "transfers",
            "money at start",
            "money at end",
            "events breaking the invariant",
            "most money created",
            "money lost",
            "conserved",
        ];
        let mut cols = vec!["quantity".to_string()];
        cols.extend(self.runs.iter().map(|r| format!("{:?}", r.config.protocol)));
        let mut t = Table::new(cols).title("Bank transfers under message loss and crashes");
        let columns: Vec<_> = self.runs.iter().map(BankResult::column).collect();
        for (i, name) in names.iter().enumerate() {
            let mut row = vec![(*name).into()];
            row.extend(columns.iter().map(|c| c[i].clone()));
            t.row(row).expect("one column per protocol");
        }
        t
    }
    /// accounts + in flight − initial over time (0 = conserved), one line per protocol.
    pub fn plot(&self) -> Plot {
        self.runs.iter().fold(
            Plot::new("Money created (+) at violating events; final point includes money lost")
                .x_label("time (ms)")
                .y_label("money − initial"),
            |p, r| {
                let mut pts = r.timeline.clone();
                if let Some(last) = pts.last_mut() {
                    last.1 -= r.lost as f64;
                }
                p.line(format!("{:?}", r.config.protocol), pts)
            },
        )
    }
}

impl Render for BankResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
impl Render for BankComparison {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(BankResult, BankComparison);
