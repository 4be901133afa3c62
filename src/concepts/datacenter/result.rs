//! What a simulated data-center year measured, reduced over trials in trial order.

use super::simulate::PLACEMENTS;
use super::{Config, Placement};
use crate::experiment::Report;
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::stats::{self, Estimate};

/// Buckets of "machines down at once": `(lowest count, label)`.
pub(super) const BUCKETS: [(u32, &str); 11] = [
    (0, "0"),
    (1, "1"),
    (2, "2-4"),
    (5, "5-9"),
    (10, "10-19"),
    (20, "20-49"),
    (50, "50-99"),
    (100, "100-499"),
    (500, "500-999"),
    (1000, "1000-4999"),
    (5000, "5000+"),
];

/// One trial's measurements.
#[derive(Debug, Clone, Default)]
pub(super) struct TrialOutcome {
    pub kind_events: Vec<u64>,
    pub kind_machine_outages: Vec<u64>,
    pub mean_down: f64,
    pub peak: u32,
    pub buckets: [f64; BUCKETS.len()],
    pub timeline: Option<Vec<(f64, f64)>>,
    /// Per placement: chunks unavailable at some moment, and chunk-hours unavailable.
    pub placements: Vec<(u64, f64)>,
}

/// One row of the failure table, measured.
#[derive(Debug, Clone)]
pub struct KindStats {
    /// The failure kind's name.
    pub name: String,
    /// Events per year, with a 95% CI.
    pub events: Estimate,
    /// Expected events per year.
    pub analytic_events: f64,
    /// Machine outages per year caused by this kind, with a 95% CI.
    pub machine_outages: Estimate,
    /// Expected machine outages per year (rate × mean blast size).
    pub analytic_machine_outages: f64,
}

/// How one replica placement fared.
#[derive(Debug, Clone)]
pub struct PlacementStats {
    /// Where the replicas were put.
    pub placement: Placement,
    /// Probability that a piece of data was unavailable at some moment of the year (95% CI).
    pub unavailable_in_year: Estimate,
    /// Hours per year a piece of data was unavailable, on average.
    pub unavailable_hours: f64,
}

/// A data center's simulated years.
#[derive(Debug, Clone)]
pub struct DatacenterResult {
    /// The data center that was simulated.
    pub config: Config,
    /// The seed it ran with.
    pub seed: u64,
    /// One entry per failure kind, in table order.
    pub kinds: Vec<KindStats>,
    /// Machine outages per year from all kinds, with a 95% CI.
    pub machine_outages: Estimate,
    /// Time-average machines down, with a 95% CI.
    pub mean_down: Estimate,
    /// Most machines down at once in each year.
    pub peak_per_year: Vec<u32>,
    /// Fraction of time with a number of machines down in each bucket: `(label, fraction)`.
    pub down_distribution: Vec<(String, f64)>,
    /// Replica placements compared.
    pub placements: Vec<PlacementStats>,
    /// `(day, machines down)` at every change in the first simulated year.
    pub timeline: Vec<(f64, f64)>,
}

pub(super) fn reduce(config: &Config, seed: u64, outcomes: Vec<TrialOutcome>) -> DatacenterResult {
    let trials = outcomes.len() as f64;
    let est = |xs: Vec<f64>| stats::mean_ci95(&xs).expect("at least one trial");
    let kinds = config
        .failures
        .iter()
        .enumerate()
        .map(|(k, kind)| KindStats {
            name: kind.name.clone(),
            events: est(outcomes.iter().map(|o| o.kind_events[k] as f64).collect()),
            analytic_events: config.analytic_events(kind),
            machine_outages: est(outcomes.iter().map(|o| o.kind_machine_outages[k] as f64).collect()),
            analytic_machine_outages: config.analytic_machine_outages(kind),
        })
        .collect();
    let machine_outages = est(outcomes.iter().map(|o| o.kind_machine_outages.iter().sum::<u64>() as f64).collect());
    let mut buckets = [0.0; BUCKETS.len()];
    for o in &outcomes {
        for (b, x) in buckets.iter_mut().zip(o.buckets) {
            *b += x;
        }
    }
    let total: f64 = buckets.iter().sum();
    let down_distribution =
        BUCKETS.iter().zip(buckets).map(|(&(_, label), h)| (label.to_string(), h / total)).collect();
    let placements = PLACEMENTS
        .iter()
        .enumerate()
        .map(|(p, &placement)| {
            let lost: u64 = outcomes.iter().map(|o| o.placements[p].0).sum();
            let hours: f64 = outcomes.iter().map(|o| o.placements[p].1).sum();
            let n = config.chunks as u64 * outcomes.len() as u64;
            let unavailable_in_year = if n == 0 {
                Estimate { mean: f64::NAN, lo: f64::NAN, hi: f64::NAN, n: 0, std_err: f64::NAN }
            } else {
                stats::proportion_ci95(lost, n).expect("n >= 1")
            };
            PlacementStats {
                placement,
                unavailable_in_year,
                unavailable_hours: hours / (config.chunks.max(1) as f64 * trials),
            }
        })
        .collect();
    DatacenterResult {
        config: config.clone(),
        seed,
        kinds,
        machine_outages,
        mean_down: est(outcomes.iter().map(|o| o.mean_down).collect()),
        peak_per_year: outcomes.iter().map(|o| o.peak).collect(),
        down_distribution,
        placements,
        timeline: outcomes.into_iter().next().and_then(|o| o.timeline).unwrap_or_default(),
    }
}

impl DatacenterResult {
    /// Per failure kind: events and machine outages per year, simulated vs expected.
    pub fn table(&self) -> Table {
        let c = &self.config;
        let mut t = Table::new([
            "failure",
            "events/year",
            "expected events",
            "machine outages/year",
            "95% CI low",
            "95% CI high",
            "expected outages",
        ])
        .title(format!("A year in a data center: {} machines, {} simulated years", c.machines(), c.trials));
        for k in &self.kinds {
            let m = &k.machine_outages;
            t.row(vec![
                k.name.clone().into(),
                k.events.mean.into(),
                k.analytic_events.into(),
                m.mean.into(),
                m.lo.into(),
                m.hi.into(),
                k.analytic_machine_outages.into(),
            ])
            .expect("width");
        }
        let m = &self.machine_outages;
        let total_events: f64 = self.kinds.iter().map(|k| k.events.mean).sum();
        let expected_events: f64 = self.kinds.iter().map(|k| k.analytic_events).sum();
        t.row(vec![
            "all".into(),
            total_events.into(),
            expected_events.into(),
            m.mean.into(),
            m.lo.into(),
            m.hi.into(),
            c.analytic_total_machine_outages().into(),
        ])
        .expect("width");
        t
    }

    /// Machines down over the first simulated year, drawn as steps.
    pub fn plot(&self) -> Plot {
        let mut steps = Vec::with_capacity(self.timeline.len() * 2 + 2);
        for w in self.timeline.windows(2) {
            steps.push(w[0]);
            steps.push((w[1].0, w[0].1));
        }
        if let Some(&last) = self.timeline.last() {
            steps.push(last);
            steps.push((365.0, last.1));
        }
        Plot::new(format!("Machines down during one simulated year ({} machines)", self.config.machines()))
            .x_label("day of the year")
            .y_label("machines down")
            .line("machines down", steps)
    }

    /// Fraction of the time that each number of machines is down at once.
    pub fn distribution_table(&self) -> Table {
        let mut t =
            Table::new(["machines down at once", "fraction of time"]).title("How many machines are down at once");
        for (label, f) in &self.down_distribution {
            t.row(vec![label.clone().into(), (*f).into()]).expect("width");
        }
        let mean_peak = self.mean_peak();
        t.row(vec!["(average machines down)".into(), self.mean_down.mean.into()]).expect("width");
        t.row(vec!["(approximation, no overlaps)".into(), self.config.approx_mean_down().into()]).expect("width");
        t.row(vec!["(most down at once, mean over years)".into(), mean_peak.into()]).expect("width");
        t
    }

    /// Bars of the fraction of time per bucket of machines down.
    pub fn distribution_plot(&self) -> Plot {
        Plot::new("Fraction of the year with this many machines down at once")
            .x_label("machines down")
            .y_label("fraction of time")
            .bar("simulated", self.down_distribution.clone())
    }

    /// Replica placements: chance that a piece of data is unavailable during a year.
    pub fn placement_table(&self) -> Table {
        let mut t = Table::new([
            "placement",
            "P(unavailable at some point in the year)",
            "95% CI low",
            "95% CI high",
            "hours unavailable/year",
        ])
        .title(format!(
            "{} replicas per piece of data, {} pieces per placement per year",
            self.config.replicas, self.config.chunks
        ));
        for p in &self.placements {
            let e = &p.unavailable_in_year;
            t.row(vec![
                p.placement.label().into(),
                e.mean.into(),
                e.lo.into(),
                e.hi.into(),
                p.unavailable_hours.into(),
            ])
            .expect("width");
        }
        t
    }

    /// Bars of P(unavailable) per placement.
    pub fn placement_plot(&self) -> Plot {
        Plot::new("P(data unavailable at some point in a year)").y_label("probability").bar(
            "simulated",
            self.placements.iter().map(|p| (p.placement.label().to_string(), p.unavailable_in_year.mean)).collect(),
        )
    }
}

impl Render for DatacenterResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(DatacenterResult);

impl DatacenterResult {
    /// Most machines down at once, averaged over the simulated years.
    pub fn mean_peak(&self) -> f64 {
        self.peak_per_year.iter().map(|&p| f64::from(p)).sum::<f64>() / self.peak_per_year.len().max(1) as f64
    }
}

impl Report for DatacenterResult {
    /// Per simulated year: `machine_outages` (from all kinds), `mean_down` (machines down on
    /// average), `mean_peak` (most down at once); then, per placement, the probability that a
    /// piece of data is unavailable at some moment of the year: `unavailable_same_rack` and
    /// `unavailable_across_racks` (NaN when `chunks` is 0: nothing was placed, and a sweep
    /// refuses NaN).
    fn measures(&self) -> Vec<(String, f64)> {
        let placed = |p: Placement| {
            self.placements.iter().find(|s| s.placement == p).map_or(f64::NAN, |s| s.unavailable_in_year.mean)
        };
        vec![
            ("machine_outages".into(), self.machine_outages.mean),
            ("mean_down".into(), self.mean_down.mean),
            ("mean_peak".into(), self.mean_peak()),
            ("unavailable_same_rack".into(), placed(Placement::SameRack)),
            ("unavailable_across_racks".into(), placed(Placement::AcrossRacks)),
        ]
    }
    fn table(&self) -> Table {
        DatacenterResult::table(self)
    }
    fn plot(&self) -> Plot {
        DatacenterResult::plot(self)
    }
}
