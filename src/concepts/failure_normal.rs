//! Failure is normal: at scale, something is always broken.
//!
//! Give one machine a small probability `p` of being down at any moment: it is down a day a year,
//! say, so `p ≈ 0.0027`. For one machine that is a rare event. For `N` independent machines the
//! probability that *at least one* is down right now is
//!
//! ```text
//! P(at least one of N down) = 1 - (1 - p)^N
//! ```
//!
//! which is about `N·p` while that is small and races to 1 after: with a thousand such machines some
//! machine is down about 93% of the time, with ten thousand essentially always. A fleet of `N`
//! machines also sees `N · year / (MTBF + MTTR)` failures a year: a thousand machines failing once a
//! year each is the chapter's "~1000 machine failures per year", about three a day.
//!
//! So a large system cannot treat failure as an exception to handle on a bad day: repair is part of
//! the normal workload, running all the time. The simulation plays every machine as an alternating
//! up/down process with exponential times and draws the number of machines down over a year.
//!
//! ```
//! use distsim::prelude::*;
//! use distsim::concepts::failure_normal as fleet;
//! let fleet = fleet::Config { machines: 200, years: 5, ..Default::default() };
//! let curve = fleet.vs_machines(&[1, 100, 1000], 0..3)?; // P(some machine down) vs fleet size
//! assert!(curve.points[2].2.mean > curve.points[0].2.mean);
//! let err = fleet.sweep("mttr", &[hours(0)], 0..3).unwrap_err().to_string();
//! assert!(err.contains("`mttr`"), "{err}");
//! # Ok::<(), distsim::Error>(())
//! ```

mod curve;
pub use curve::AnyDownCurve;

use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range, Report};
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::stats::{self, Estimate};
use crate::time::{hours, secs, Duration};
use rand::Rng;
use rand_distr::{Distribution, Exp};

const HOURS_PER_YEAR: f64 = 8760.0;

/// A fleet of identical machines failing independently.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Machines in the fleet, in `[1, 1_000_000]`.
    pub machines: usize,
    /// Mean time between failures of one machine, in `[1 minute, 1,000,000 hours]`.
    pub mtbf: Duration,
    /// Mean time to repair one machine, in `[1 second, 100,000 hours]`.
    pub mttr: Duration,
    /// Simulated years, in `[1, 10_000]`.
    pub years: u64,
}

crate::parameters!(Config {
    machines: Range::count(1, 1_000_000) => "machines in the fleet",
    mtbf: Range::time(secs(60), hours(1_000_000)) => "mean time between failures of one machine",
    mttr: Range::time(secs(1), hours(100_000)) => "mean time to repair one machine",
    years: Range::count(1, 10_000) => "simulated years",
});

impl Default for Config {
    /// A thousand machines, each failing about once a year and down a day each time: the chapter's
    /// "~1000 machine failures per year".
    fn default() -> Self {
        Config { machines: 1000, mtbf: hours(365 * 24), mttr: hours(24), years: 20 }
    }
}

/// `1 - (1 - p)^n`: the probability that at least one of `n` independent machines is down, when each
/// is down with probability `p`.
pub fn analytic_any_down(p: f64, n: usize) -> f64 {
    // ln_1p keeps precision when p is tiny and n large.
    -((n as f64) * (-p).ln_1p()).exp_m1()
}

impl Config {
    /// Probability that one machine is down at a random moment: `MTTR / (MTBF + MTTR)`.
    pub fn p_down(&self) -> f64 {
        self.mttr.as_hours_f64() / self.cycle_hours()
    }

    /// Hours of one failure-and-repair cycle, on average: `MTBF + MTTR`.
    fn cycle_hours(&self) -> f64 {
        self.mtbf.as_hours_f64() + self.mttr.as_hours_f64()
    }

    /// Probability that at least one machine of the fleet is down at a random moment.
    pub fn analytic_any_down(&self) -> f64 {
        analytic_any_down(self.p_down(), self.machines)
    }

    /// Expected machine failures per year over the fleet.
    pub fn analytic_failures_per_year(&self) -> f64 {
        self.machines as f64 * HOURS_PER_YEAR / self.cycle_hours()
    }

    /// Expected number of machines down at a random moment.
    pub fn analytic_mean_down(&self) -> f64 {
        self.machines as f64 * self.p_down()
    }

    /// P(at least one down) simulated vs exact for each fleet size in `sizes`: the generic
    /// [`Experiment::sweep`] of `machines` over `seeds`, with the formula beside it.
    pub fn vs_machines(&self, sizes: &[usize], seeds: impl IntoIterator<Item = u64>) -> Result<AnyDownCurve> {
        let sweep = self.sweep("machines", sizes, seeds)?;
        let points = sizes
            .iter()
            .zip(sweep.estimates("any_down")?)
            .map(|(&n, est)| (n, Config { machines: n, ..self.clone() }.analytic_any_down(), est))
            .collect();
        Ok(AnyDownCurve { config: self.clone(), points })
    }
}

impl Experiment for Config {
    type Output = FailureNormalResult;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    /// Simulates `years` independent years of the fleet.
    fn run(&self, seed: u64) -> Result<FailureNormalResult> {
        self.validate()?;
        let mut rng = stream(seed, Stream::Failures);
        let exp = |name: &str, d: Duration| {
            Exp::new(1.0 / d.as_hours_f64()).map_err(|_| Error::invalid(name, d, "a duration > 0"))
        };
        let (up_time, repair) = (exp("mtbf", self.mtbf)?, exp("mttr", self.mttr)?);
        let p = self.p_down();
        let (mut failures, mut any_down, mut mean_down, mut max_down) = (vec![], vec![], vec![], vec![]);
        let mut timeline = Vec::new();
        let mut events: Vec<(f64, i64)> = Vec::new();
        let mut checkpoint = crate::cancel::Checkpoint::every(16);
        for year in 0..self.years {
            checkpoint.tick()?;
            events.clear();
            let mut down = 0i64;
            for _ in 0..self.machines {
                // Steady-state start: down with probability p; exponential times are memoryless.
                let mut is_down = rng.random_bool(p);
                down += is_down as i64;
                let mut t = 0.0;
                loop {
                    t += if is_down { repair.sample(&mut rng) } else { up_time.sample(&mut rng) };
                    if t >= HOURS_PER_YEAR {
                        break;
                    }
                    is_down = !is_down;
                    events.push((t, if is_down { 1 } else { -1 }));
                }
            }
            events.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
            let (mut last, mut any_hours, mut machine_hours, mut peak, mut count) = (0.0, 0.0, 0.0, down, 0u64);
            if year == 0 {
                timeline.push((0.0, down as f64));
            }
            for &(t, delta) in &events {
                let span = t - last;
                any_hours += if down > 0 { span } else { 0.0 };
                machine_hours += down as f64 * span;
                down += delta;
                count += u64::from(delta > 0);
                peak = peak.max(down);
                last = t;
                if year == 0 {
                    timeline.push((t / 24.0, down as f64));
                }
            }
            let span = HOURS_PER_YEAR - last;
            any_hours += if down > 0 { span } else { 0.0 };
            machine_hours += down as f64 * span;
            failures.push(count as f64);
            any_down.push(any_hours / HOURS_PER_YEAR);
            mean_down.push(machine_hours / HOURS_PER_YEAR);
            max_down.push(peak as usize);
        }
        Ok(FailureNormalResult {
            config: self.clone(),
            seed,
            failures: stats::mean_ci95(&failures)?,
            any_down: stats::mean_ci95(&any_down)?,
            mean_down: stats::mean_ci95(&mean_down)?,
            failures_per_year: failures,
            max_down_per_year: max_down,
            timeline,
        })
    }
}

/// A simulated fleet, year by year.
#[derive(Debug, Clone)]
pub struct FailureNormalResult {
    /// The fleet that was simulated.
    pub config: Config,
    /// The seed it ran with.
    pub seed: u64,
    /// Machine failures per year, with a 95% CI.
    pub failures: Estimate,
    /// Fraction of time at least one machine is down, with a 95% CI.
    pub any_down: Estimate,
    /// Time-average number of machines down, with a 95% CI.
    pub mean_down: Estimate,
    /// Failures in each simulated year.
    pub failures_per_year: Vec<f64>,
    /// Most machines down at once in each simulated year.
    pub max_down_per_year: Vec<usize>,
    /// `(day, machines down)` at every change during the first simulated year.
    pub timeline: Vec<(f64, f64)>,
}

impl FailureNormalResult {
    /// Simulated vs analytic failure counts and down fractions.
    pub fn table(&self) -> Table {
        let c = &self.config;
        let mut t = Table::new(["metric", "simulated", "95% CI low", "95% CI high", "analytic"]).title(format!(
            "{} machines, MTBF {} days, MTTR {}, {} simulated years",
            c.machines,
            c.mtbf.as_hours_f64() / 24.0,
            crate::concepts::availability::fmt_hours(c.mttr),
            c.years
        ));
        let rows = [
            ("machine failures per year", &self.failures, c.analytic_failures_per_year()),
            ("P(at least one machine down)", &self.any_down, c.analytic_any_down()),
            ("machines down on average", &self.mean_down, c.analytic_mean_down()),
        ];
        for (name, e, exact) in rows {
            t.row(vec![name.into(), e.mean.into(), e.lo.into(), e.hi.into(), exact.into()]).expect("width");
        }
        let worst = self.max_down_per_year.iter().copied().max().unwrap_or(0);
        t.row(vec![
            "most machines down at once (any year)".into(),
            worst.into(),
            None::<f64>.into(),
            None::<f64>.into(),
            None::<f64>.into(),
        ])
        .expect("width");
        t
    }

    /// Machines down over the first simulated year: never zero for long.
    pub fn plot(&self) -> Plot {
        // Draw as steps: hold each count until the next change.
        let mut steps = Vec::with_capacity(self.timeline.len() * 2);
        for w in self.timeline.windows(2) {
            steps.push(w[0]);
            steps.push((w[1].0, w[0].1));
        }
        if let Some(&last) = self.timeline.last() {
            steps.push(last);
            steps.push((365.0, last.1));
        }
        Plot::new(format!("Machines down during one year ({} machines)", self.config.machines))
            .x_label("day of the year")
            .y_label("machines down")
            .line("machines down", steps)
            .line(
                "expected average",
                vec![(0.0, self.config.analytic_mean_down()), (365.0, self.config.analytic_mean_down())],
            )
    }
}

impl Render for FailureNormalResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(FailureNormalResult);

impl Report for FailureNormalResult {
    /// `failures` (machine failures per year), `any_down` (fraction of time at least one machine
    /// is down), `mean_down` (machines down on average) and `max_down` (most down at once in the
    /// worst year).
    fn measures(&self) -> Vec<(String, f64)> {
        let worst = self.max_down_per_year.iter().copied().max().unwrap_or(0);
        vec![
            ("failures".into(), self.failures.mean),
            ("any_down".into(), self.any_down.mean),
            ("mean_down".into(), self.mean_down.mean),
            ("max_down".into(), worst as f64),
        ]
    }
    fn table(&self) -> Table {
        FailureNormalResult::table(self)
    }
    fn plot(&self) -> Plot {
        FailureNormalResult::plot(self)
    }
}
