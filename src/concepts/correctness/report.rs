//! What the bank's audit saw: one run's result, the protocols side by side, and its measures.

use super::BankConfig;
use crate::experiment::Report;
use crate::render::{MimeBundle, Plot, Render, Table};

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

impl Report for BankResult {
    /// `conserved` (1 or 0), `violating_events`, `max_created`, `lost` and `created` (money),
    /// and `transfers` debited.
    fn measures(&self) -> Vec<(String, f64)> {
        vec![
            ("conserved".into(), f64::from(u8::from(self.conserved()))),
            ("violating_events".into(), self.violating_events as f64),
            ("max_created".into(), self.max_created as f64),
            ("lost".into(), self.lost as f64),
            ("created".into(), self.created as f64),
            ("transfers".into(), self.transfers as f64),
        ]
    }
    fn table(&self) -> Table {
        BankResult::table(self)
    }
    fn plot(&self) -> Plot {
        BankResult::plot(self)
    }
}
