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

use crate::error::{Error, Result};
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::stats::{self, Estimate};
use crate::validate;
use rand::Rng;
use rand_distr::{Distribution, Exp};

const HOURS_PER_YEAR: f64 = 8760.0;

/// A fleet of identical machines failing independently.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Machines in the fleet, in `[1, 1_000_000]`.
    pub machines: usize,
    /// Mean time between failures of one machine, in days (> 0).
    pub mtbf_days: f64,
    /// Mean time to repair one machine, in hours (> 0).
    pub mttr_hours: f64,
    /// Simulated years, in `[1, 10_000]`.
    pub years: u64,
}

impl Default for Config {
    /// A thousand machines, each failing about once a year and down a day each time: the chapter's
    /// "~1000 machine failures per year".
    fn default() -> Self {
        Config { machines: 1000, mtbf_days: 365.0, mttr_hours: 24.0, years: 20 }
    }
}

/// `1 - (1 - p)^n`: the probability that at least one of `n` independent machines is down, when each
/// is down with probability `p`.
pub fn analytic_any_down(p: f64, n: usize) -> f64 {
    // ln_1p keeps precision when p is tiny and n large.
    -((n as f64) * (-p).ln_1p()).exp_m1()
}

impl Config {
    /// Checks every parameter; the error names the first bad one and its valid range.
    pub fn validate(&self) -> Result<()> {
        validate::count_in("machines", self.machines, 1, 1_000_000)?;
        validate::positive("mtbf_days", self.mtbf_days)?;
        validate::positive("mttr_hours", self.mttr_hours)?;
        if !(1..=10_000).contains(&self.years) {
            return Err(Error::invalid("years", self.years, "an integer in [1, 10000]"));
        }
        Ok(())
    }

    /// Probability that one machine is down at a random moment: `MTTR / (MTBF + MTTR)`.
    pub fn p_down(&self) -> f64 {
        self.mttr_hours / (self.mtbf_days * 24.0 + self.mttr_hours)
    }

    /// Probability that at least one machine of the fleet is down at a random moment.
    pub fn analytic_any_down(&self) -> f64 {
        analytic_any_down(self.p_down(), self.machines)
    }

    /// Expected machine failures per year over the fleet.
    pub fn analytic_failures_per_year(&self) -> f64 {
        self.machines as f64 * HOURS_PER_YEAR / (self.mtbf_days * 24.0 + self.mttr_hours)
    }

    /// Expected number of machines down at a random moment.
    pub fn analytic_mean_down(&self) -> f64 {
        self.machines as f64 * self.p_down()
    }

    /// Simulates `years` independent years of the fleet.
    pub fn run(&self, seed: u64) -> Result<FailureNormalResult> {
        self.validate()?;
        let mut rng = stream(seed, Stream::Failures);
        let up_time = Exp::new(1.0 / (self.mtbf_days * 24.0))
            .map_err(|_| Error::invalid("mtbf_days", self.mtbf_days, "a finite number > 0"))?;
        let repair = Exp::new(1.0 / self.mttr_hours)
            .map_err(|_| Error::invalid("mttr_hours", self.mttr_hours, "a finite number > 0"))?;
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

    /// P(at least one down) simulated vs exact for each fleet size in `sizes`.
    pub fn vs_machines(&self, sizes: &[usize], seed: u64) -> Result<AnyDownCurve> {
        if sizes.is_empty() {
            return Err(Error::empty("sizes"));
        }
        let mut points = Vec::with_capacity(sizes.len());
        for (i, &n) in sizes.iter().enumerate() {
            let c = Config { machines: n, ..self.clone() };
            let r = c.run(seed.wrapping_add(i as u64))?;
            points.push((n, c.analytic_any_down(), r.any_down));
        }
        Ok(AnyDownCurve { config: self.clone(), points })
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
            "{} machines, MTBF {} days, MTTR {} h, {} simulated years",
            c.machines, c.mtbf_days, c.mttr_hours, c.years
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

/// P(at least one machine down) against fleet size.
#[derive(Debug, Clone)]
pub struct AnyDownCurve {
    /// The fleet settings (other than size) used at every point.
    pub config: Config,
    /// `(machines, exact, simulated)` per point.
    pub points: Vec<(usize, f64, Estimate)>,
}

impl AnyDownCurve {
    /// One row per fleet size.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["machines", "exact", "simulated", "95% CI low", "95% CI high"])
            .title(format!("P(at least one machine down), each down with p = {:.5}", self.config.p_down()));
        for (n, exact, e) in &self.points {
            t.row(vec![(*n).into(), (*exact).into(), e.mean.into(), e.lo.into(), e.hi.into()]).expect("width");
        }
        t
    }

    /// Exact curve and simulated points with 95% error bars, on a log axis of fleet size.
    pub fn plot(&self) -> Plot {
        Plot::new("P(at least one machine down) vs fleet size")
            .x_label("machines")
            .y_label("P(at least one down)")
            .log_x()
            .line("exact: 1 - (1-p)^N", self.points.iter().map(|(n, e, _)| (*n as f64, *e)).collect())
            .error_bars(
                "simulated (95% CI)",
                self.points.iter().map(|(n, _, s)| (*n as f64, s.mean, s.lo, s.hi)).collect(),
            )
    }
}

impl Render for AnyDownCurve {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(AnyDownCurve);
