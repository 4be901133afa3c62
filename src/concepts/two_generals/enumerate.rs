//! Every execution of a small Two Generals protocol, found by brute force.
//!
//! A protocol with `messengers` copies per hop and `depth` hops has `messengers × depth`
//! messengers that may or may not be captured: `2^(messengers × depth)` capture patterns. Many
//! patterns look the same to the generals (once a hop is lost, the later messengers are never
//! sent), so we group them into *executions*: the capture pattern of the hops that were actually
//! sent. Listing them shows, for every finite protocol, an execution in which one general attacks
//! alone: all hops arrive except that every copy of the last one is captured.

use super::{outcome_of, Config, Outcome, OUTCOMES};
use crate::error::{Error, Result};
use crate::experiment::Experiment;
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::validate;

/// One distinguishable run of the protocol.
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    /// Captured messengers per hop that was sent: bit `i` set = copy `i` captured.
    pub captured: Vec<u64>,
    /// Hops that got through before the chain stopped.
    pub delivered: usize,
    /// How the battle ended.
    pub outcome: Outcome,
    /// Probability of this execution for the enumeration's capture probability.
    pub probability: f64,
    /// Capture patterns of all messengers (sent or not) that lead to this execution.
    pub patterns: u64,
}

impl Execution {
    /// A compact picture: `A>B:xo B>A:xx` where `x` is a captured and `o` a successful messenger.
    pub fn describe(&self, messengers: usize) -> String {
        let hops: Vec<String> = self
            .captured
            .iter()
            .enumerate()
            .map(|(h, mask)| {
                let dir = if h % 2 == 0 { "A>B" } else { "B>A" };
                let copies: String = (0..messengers).map(|i| if mask >> i & 1 == 1 { 'x' } else { 'o' }).collect();
                format!("{dir}:{copies}")
            })
            .collect();
        hops.join(" ")
    }
}

/// All executions of one protocol.
#[derive(Debug, Clone)]
pub struct Enumeration {
    /// The protocol that was enumerated (its `trials` is unused).
    pub config: Config,
    /// Every execution, in the order: hop 1 pattern 0, 1, ..., depth-first.
    pub executions: Vec<Execution>,
}

/// Lists every execution of the protocol `config` (messengers × depth at most 16).
pub fn enumerate(config: &Config) -> Result<Enumeration> {
    config.validate()?;
    let total = config.messengers * config.depth;
    if total > 16 {
        return Err(Error::invalid("messengers × depth", total, "at most 16 for an exhaustive enumeration"));
    }
    validate::probability("capture", config.capture)?;
    let mut executions = Vec::new();
    let mut prefix = Vec::with_capacity(config.depth);
    walk(config, &mut prefix, 1.0, &mut executions);
    Ok(Enumeration { config: config.clone(), executions })
}

/// Depth-first over the capture pattern of each sent hop.
fn walk(c: &Config, prefix: &mut Vec<u64>, prob: f64, out: &mut Vec<Execution>) {
    let k = c.messengers;
    let all_captured = (1u64 << k) - 1;
    let finish = |prefix: &Vec<u64>, delivered: usize, prob: f64, out: &mut Vec<Execution>| {
        let unsent_messengers = (c.depth - prefix.len()) * k;
        out.push(Execution {
            captured: prefix.clone(),
            delivered,
            outcome: outcome_of(c.depth, delivered),
            probability: prob,
            patterns: 1u64 << unsent_messengers,
        });
    };
    for mask in 0..=all_captured {
        let caught = mask.count_ones() as i32;
        let p = prob * c.capture.powi(caught) * (1.0 - c.capture).powi(k as i32 - caught);
        prefix.push(mask);
        if mask == all_captured {
            finish(prefix, prefix.len() - 1, p, out); // this hop was lost: the chain stops
        } else if prefix.len() == c.depth {
            finish(prefix, c.depth, p, out);
        } else {
            walk(c, prefix, p, out);
        }
        prefix.pop();
    }
}

impl Enumeration {
    /// The executions in which exactly one general attacks.
    pub fn witnesses(&self) -> Vec<&Execution> {
        self.executions.iter().filter(|e| matches!(e.outcome, Outcome::AAlone | Outcome::BAlone)).collect()
    }

    /// Total probability of `outcome`, summed over executions (equals [`Config::exact`]).
    pub fn probability(&self, outcome: Outcome) -> f64 {
        self.executions.iter().filter(|e| e.outcome == outcome).map(|e| e.probability).sum()
    }

    /// Capture patterns counted over all executions: always `2^(messengers × depth)`.
    pub fn patterns(&self) -> u64 {
        self.executions.iter().map(|e| e.patterns).sum()
    }

    /// Per outcome: executions, capture patterns, probability by enumeration and by formula.
    pub fn table(&self) -> Table {
        let c = &self.config;
        let mut t = Table::new([
            "outcome",
            "executions",
            "capture patterns",
            "probability (enumerated)",
            "probability (formula)",
        ])
        .title(format!(
            "Every execution: {} messenger(s) per hop, {} hop(s), capture {}",
            c.messengers, c.depth, c.capture
        ));
        for o in OUTCOMES {
            let execs = self.executions.iter().filter(|e| e.outcome == o);
            let (n, pats) = execs.fold((0u64, 0u64), |(n, p), e| (n + 1, p + e.patterns));
            t.row(vec![o.label().into(), n.into(), pats.into(), self.probability(o).into(), c.exact(o).into()])
                .expect("width");
        }
        t
    }

    /// The executions where one general attacks alone: the "last message" witnesses.
    pub fn witness_table(&self) -> Table {
        self.executions_table(true)
    }

    /// Every execution (beware: up to tens of thousands of rows for the largest protocols).
    pub fn all_table(&self) -> Table {
        self.executions_table(false)
    }

    fn executions_table(&self, witnesses_only: bool) -> Table {
        let title = if witnesses_only { "Executions in which one general attacks alone" } else { "All executions" };
        let mut t = Table::new(["messengers (x = captured, o = through)", "hops delivered", "outcome", "probability"])
            .title(title);
        for e in &self.executions {
            if witnesses_only && !matches!(e.outcome, Outcome::AAlone | Outcome::BAlone) {
                continue;
            }
            let row = vec![
                e.describe(self.config.messengers).into(),
                e.delivered.into(),
                e.outcome.label().into(),
                e.probability.into(),
            ];
            t.row(row).expect("width");
        }
        t
    }

    /// Probability mass per outcome.
    pub fn plot(&self) -> Plot {
        Plot::new("Probability of each outcome, summed over all executions")
            .y_label("probability")
            .bar("enumerated", OUTCOMES.iter().map(|&o| (o.label().to_string(), self.probability(o))).collect())
    }
}

impl Render for Enumeration {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(Enumeration);
