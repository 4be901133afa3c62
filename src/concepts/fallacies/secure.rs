//! Fallacy 4, "the network is secure": a hostile network rewrites payment messages.
//!
//! Node 0 sends transfer orders to node 1. Somewhere on the path an attacker (a tamper rule on the
//! simulated network) raises the amount of some of them. A receiver that trusts what arrives pays
//! out the forged amounts. A receiver that checks an HMAC tag, computed by the sender with a key
//! the attacker does not have, rejects every forged message: changing the amount breaks the tag,
//! and making a new tag needs the key.
//!
//! Measures: `forged` (orders rewritten in transit), `accepted_trusting` (forgeries the trusting
//! receiver paid), `accepted_authenticating` (those the HMAC-checking receiver paid: always 0),
//! and `rejected_authenticating`.
//!
//! A MAC does not stop an attacker who sends a *genuine* message again: `replay` shows that
//! attack and its defence, sequence numbers.

mod replay;

pub use replay::{Defence, ReplayConfig, ReplayReport};

use super::{measure, Fallacy, FallacyReport};
use crate::engine::{Context, Node, NodeId, Simulation};
use crate::error::Result;
use crate::experiment::{Experiment, Parameters, Range};
use crate::network::auth::{sign, verify, Tag};
use crate::network::Verdict;
use crate::render::{Plot, Table};
use crate::rng::{stream, Stream};
use crate::trace::TraceMode;
use rand::Rng;

const KEY: &[u8] = b"shared secret of node 0 and node 1";

/// The attacker's coin flips: its own stream, so both receivers face the same forgeries.
const FORGE_STREAM: Stream = Stream::named("fallacies/forge", 0);

/// Transfers over a network that forges some of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Transfer orders sent, in `[1, 100_000]`.
    pub transfers: u64,
    /// Probability that the attacker rewrites an order, in `[0, 1]`.
    pub forge: f64,
    /// Amount of every genuine order (the attacker sets 1000 × this), in `[1, 1_000_000]`.
    pub amount: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config { transfers: 200, forge: 0.1, amount: 10 }
    }
}

crate::parameters!(Config {
    transfers: Range::count(1, 100_000) => "transfer orders sent",
    forge: Range::Probability => "probability that the attacker rewrites an order",
    amount: Range::count(1, 1_000_000) => "amount of every genuine order (a forged one is 1000 × this)",
});

/// A transfer order, optionally with its authentication tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// Order number.
    pub id: u64,
    /// Amount to pay.
    pub amount: u64,
    /// HMAC-SHA-256 over `id` and `amount`, if the sender authenticates.
    pub tag: Option<Tag>,
}

/// The bytes the tag covers: the order number and the amount.
fn bytes(id: u64, amount: u64) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&id.to_le_bytes());
    b[8..].copy_from_slice(&amount.to_le_bytes());
    b
}

struct Bank {
    transfers: u64,
    amount: u64,
    authenticate: bool,
    paid: u64,
    accepted_forgeries: u64,
    rejected: u64,
}

impl Node for Bank {
    type Msg = Transfer;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<Transfer>) {
        if ctx.id() == 0 {
            for id in 0..self.transfers {
                let tag = self.authenticate.then(|| sign(KEY, &bytes(id, self.amount)));
                ctx.send(1, Transfer { id, amount: self.amount, tag });
            }
        }
    }
    fn on_message(&mut self, _ctx: &mut Context<Transfer>, _from: NodeId, t: Transfer) {
        if self.authenticate && !t.tag.is_some_and(|tag| verify(KEY, &bytes(t.id, t.amount), &tag)) {
            self.rejected += 1;
            return;
        }
        self.paid += t.amount;
        self.accepted_forgeries += u64::from(t.amount != self.amount);
    }
}

impl Experiment for Config {
    type Output = FallacyReport;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    /// Runs the same attack against a trusting and an authenticating receiver.
    fn run(&self, seed: u64) -> Result<FallacyReport> {
        self.validate()?;
        let mut table = Table::new([
            "receiver",
            "orders",
            "forged in transit",
            "forgeries accepted",
            "rejected",
            "paid out",
            "should have paid",
        ]);
        let mut bars = Vec::new();
        let (mut accepted_plain, mut measures) = (0, Vec::new());
        for authenticate in [false, true] {
            let bank = || Bank {
                transfers: self.transfers,
                amount: self.amount,
                authenticate,
                paid: 0,
                accepted_forgeries: 0,
                rejected: 0,
            };
            let mut sim = Simulation::new(seed, vec![bank(), bank()])?.with_trace_mode(TraceMode::DigestOnly);
            let mut coin = stream(seed, FORGE_STREAM);
            let (forge, forged_amount) = (self.forge, self.amount * 1000);
            let forged = std::rc::Rc::new(std::cell::Cell::new(0u64));
            let counter = forged.clone();
            sim.set_tamper(Box::new(move |p| {
                if coin.random_bool(forge) {
                    counter.set(counter.get() + 1);
                    p.msg.amount = forged_amount; // keep the (now wrong) tag: the attacker has no key
                }
                Verdict::Pass
            }));
            sim.run_until_quiet()?;
            let b = sim.node(1);
            let label = if authenticate { "checks HMAC tags" } else { "trusts the network" };
            table.row(vec![
                label.into(),
                self.transfers.into(),
                forged.get().into(),
                b.accepted_forgeries.into(),
                b.rejected.into(),
                b.paid.into(),
                (self.transfers * self.amount).into(),
            ])?;
            bars.push((label.to_string(), b.accepted_forgeries as f64));
            if authenticate {
                measures.push(measure("accepted_authenticating", b.accepted_forgeries as f64));
                measures.push(measure("rejected_authenticating", b.rejected as f64));
            } else {
                accepted_plain = b.accepted_forgeries;
                measures.push(measure("forged", forged.get() as f64));
                measures.push(measure("accepted_trusting", b.accepted_forgeries as f64));
            }
        }
        let plot = Plot::new("Forged transfers accepted").y_label("forgeries accepted").bar("accepted", bars);
        let what_broke = format!("a trusting receiver paid {accepted_plain} forged transfers at 1000× the amount; with HMAC tags it paid none");
        Ok(FallacyReport { fallacy: Fallacy::SecureNetwork, what_broke, table, plot, measures })
    }
}
