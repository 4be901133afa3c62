//! A replay attack: a message authentication code proves who wrote a message, not that it is new.
//!
//! Node 0 sends numbered, HMAC-tagged transfer orders to node 1. The attacker cannot forge a tag,
//! so it does not try: it records the genuine messages as they pass (a tamper rule that copies and
//! lets them through) and later sends copies of some of them again, claiming to be node 0 (a source
//! address is just a field in a packet, so the receiver cannot rely on it). Every copy carries a
//! valid tag, because it *is* a message node 0 wrote.
//!
//! * A receiver that only checks the tag pays every replayed order again.
//! * A receiver that also checks the order's **sequence number** (covered by the tag, so the
//!   attacker cannot change it) pays each number at most once, and rejects every replay.
//!
//! The receiver here remembers every number it accepted. Real protocols bound that memory with a
//! sliding window over the highest number seen (IPsec and DTLS keep 64 numbers); with nonces
//! instead of counters the receiver must remember recent nonces, and a timestamp in the tagged bytes
//! lets it forget old ones. Either way the defence is *state per sender*, which a MAC alone does not
//! have.
//!
//! Measures: `replays_sent`, `replays_accepted_mac_only`, `replays_accepted_numbered`,
//! `overpaid_mac_only`, `overpaid_numbered` (paid beyond the genuine total).

use super::{bytes, Transfer, KEY};
use crate::concepts::fallacies::measure;
use crate::engine::{Context, Node, NodeId, Simulation};
use crate::error::Result;
use crate::experiment::{Experiment, Parameters, Range, Report};
use crate::network::auth::{sign, verify};
use crate::network::Verdict;
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::time::millis;
use crate::trace::TraceMode;
use rand::Rng;
use std::collections::BTreeSet;

/// Which recorded message the attacker sends again: its own stream.
const REPLAY_STREAM: Stream = Stream::named("fallacies/replay", 0);

/// What the receiver checks besides the tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defence {
    /// The HMAC tag only.
    MacOnly,
    /// The tag, and that the order's sequence number has not been accepted before.
    MacAndSequence,
}

impl Defence {
    /// The receiver in words.
    pub fn label(self) -> &'static str {
        match self {
            Defence::MacOnly => "checks the HMAC tag",
            Defence::MacAndSequence => "checks the tag and the sequence number",
        }
    }
}

/// Authenticated transfers, some of them replayed by an attacker.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayConfig {
    /// Genuine transfer orders sent, in `[1, 100_000]`.
    pub transfers: u64,
    /// Recorded orders the attacker sends again, in `[0, 100_000]`.
    pub replays: u64,
    /// Amount of every order, in `[1, 1_000_000]`.
    pub amount: u64,
}

impl Default for ReplayConfig {
    fn default() -> Self {
        ReplayConfig { transfers: 200, replays: 20, amount: 10 }
    }
}

crate::parameters!(ReplayConfig {
    transfers: Range::count(1, 100_000) => "genuine transfer orders sent",
    replays: Range::count(0, 100_000) => "recorded orders the attacker sends again",
    amount: Range::count(1, 1_000_000) => "amount of every order",
});

struct Receiver {
    defence: Defence,
    accepted: BTreeSet<u64>,
    paid: u64,
    accepted_again: u64,
    rejected: u64,
}

/// Node 0 sends; node 1 receives. One type for both, as the engine runs one node type.
enum Party {
    Sender { transfers: u64, amount: u64 },
    Receiver(Receiver),
}

impl Node for Party {
    type Msg = Transfer;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<Transfer>) {
        if let Party::Sender { transfers, amount } = *self {
            for id in 0..transfers {
                ctx.send(1, Transfer { id, amount, tag: Some(sign(KEY, &bytes(id, amount))) });
            }
        }
    }
    // `_from` is ignored on purpose: the attacker can claim to be node 0.
    fn on_message(&mut self, _ctx: &mut Context<Transfer>, _from: NodeId, t: Transfer) {
        let Party::Receiver(r) = self else { return };
        let authentic = t.tag.is_some_and(|tag| verify(KEY, &bytes(t.id, t.amount), &tag));
        let fresh = !r.accepted.contains(&t.id);
        if !authentic || (r.defence == Defence::MacAndSequence && !fresh) {
            r.rejected += 1;
            return;
        }
        r.accepted_again += u64::from(!fresh);
        r.accepted.insert(t.id);
        r.paid += t.amount;
    }
}

/// What each receiver accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayReport {
    /// The configuration that ran.
    pub config: ReplayConfig,
    /// Per defence: (defence, replays accepted, paid out).
    pub receivers: Vec<(Defence, u64, u64)>,
}

impl Experiment for ReplayConfig {
    type Output = ReplayReport;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    /// The same recorded messages replayed against each receiver.
    fn run(&self, seed: u64) -> Result<ReplayReport> {
        self.validate()?;
        let mut receivers = Vec::new();
        for defence in [Defence::MacOnly, Defence::MacAndSequence] {
            let receiver = Receiver { defence, accepted: BTreeSet::new(), paid: 0, accepted_again: 0, rejected: 0 };
            let nodes =
                vec![Party::Sender { transfers: self.transfers, amount: self.amount }, Party::Receiver(receiver)];
            let mut sim = Simulation::new(seed, nodes)?.with_trace_mode(TraceMode::DigestOnly);
            let recorded = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
            let tap = recorded.clone();
            sim.set_tamper(Box::new(move |p| {
                tap.borrow_mut().push(p.msg.clone()); // copy it, change nothing
                Verdict::Pass
            }));
            sim.run_until_quiet()?;
            sim.clear_tamper();
            let recorded = recorded.borrow().clone();
            let mut pick = stream(seed, REPLAY_STREAM);
            for k in 0..if recorded.is_empty() { 0 } else { self.replays } {
                let copy = recorded[pick.random_range(0..recorded.len())].clone();
                sim.inject(sim.now() + millis(1 + k), 0, 1, copy)?; // "from node 0": a forged source
            }
            sim.run_until_quiet()?;
            let Party::Receiver(r) = sim.node(1) else { unreachable!("node 1 is the receiver") };
            receivers.push((defence, r.accepted_again, r.paid));
        }
        Ok(ReplayReport { config: self.clone(), receivers })
    }
}

impl ReplayReport {
    /// Replays the receiver with `defence` accepted.
    pub fn accepted(&self, defence: Defence) -> u64 {
        self.receivers.iter().find(|r| r.0 == defence).map_or(0, |r| r.1)
    }

    /// One row per receiver.
    pub fn table(&self) -> Table {
        let c = &self.config;
        let mut t =
            Table::new(["receiver", "genuine orders", "replayed", "replays accepted", "paid out", "should have paid"])
                .title("Fallacy 4, replayed: every copy carries a valid tag");
        for &(defence, again, paid) in &self.receivers {
            let row = vec![
                defence.label().into(),
                c.transfers.into(),
                c.replays.into(),
                again.into(),
                paid.into(),
                (c.transfers * c.amount).into(),
            ];
            t.row(row).expect("six columns");
        }
        t
    }

    /// Replays accepted, per receiver.
    pub fn plot(&self) -> Plot {
        let bars = self.receivers.iter().map(|&(d, again, _)| (d.label().to_string(), again as f64)).collect();
        Plot::new("Replayed transfers paid again").y_label("replays accepted").bar("accepted", bars)
    }
}

impl Report for ReplayReport {
    fn measures(&self) -> Vec<(String, f64)> {
        let genuine = self.config.transfers * self.config.amount;
        let overpaid = |d: Defence| self.receivers.iter().find(|r| r.0 == d).map_or(0.0, |r| (r.2 - genuine) as f64);
        vec![
            measure("replays_sent", self.config.replays as f64),
            measure("replays_accepted_mac_only", self.accepted(Defence::MacOnly) as f64),
            measure("replays_accepted_numbered", self.accepted(Defence::MacAndSequence) as f64),
            measure("overpaid_mac_only", overpaid(Defence::MacOnly)),
            measure("overpaid_numbered", overpaid(Defence::MacAndSequence)),
        ]
    }
    fn table(&self) -> Table {
        ReplayReport::table(self)
    }
    fn plot(&self) -> Plot {
        ReplayReport::plot(self)
    }
}

impl Render for ReplayReport {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(ReplayReport);
