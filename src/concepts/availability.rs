//! Availability and "nines": how long a system is down, and how redundancy changes it.
//!
//! A component that runs for a mean time between failures (MTBF) and then takes a mean time to
//! repair (MTTR) is up a fraction `A = MTBF / (MTBF + MTTR)` of the time. Availability is quoted in
//! *nines*: 99.9% ("three nines") allows 8.76 hours of downtime a year, 99.99% about 52.6 minutes.
//!
//! Components combine in three basic ways, assuming they fail independently:
//! * **series**: the system needs every one of `n` components, so `A_sys = A^n`. Adding a component
//!   adds its failures: two servers that both must work are down about twice as often as one.
//! * **parallel**: the system needs any one, so `A_sys = 1 - (1 - A)^n`. Redundancy multiplies the
//!   small unavailabilities together.
//! * **k-of-n**: the system needs at least `k` of `n` (a majority quorum is `k = n/2 + 1`), so
//!   `A_sys = Σ_{j≥k} C(n,j) A^j (1-A)^(n-j)`.
//!
//! The system fails at the moments when exactly `k` components are up and one of them fails, so it
//! suffers `P(exactly k up) · k / MTBF` outages per hour. The Monte Carlo below checks both numbers
//! by playing each component as an alternating up/down process with exponential up and repair
//! times, one simulated year at a time.
//!
//! Times are [`Duration`]s; long ones read best in hours: `mtbf: hours(720)`.
//!
//! ```
//! use distsim::prelude::*;
//! use distsim::concepts::availability::{self, Arrangement};
//! // The chapter's web server + database, both needed: about twice the outages of one server.
//! let pair = availability::Config { components: 2, arrangement: Arrangement::Series, ..Default::default() };
//! let one = availability::Config { components: 1, ..pair.clone() };
//! let ratio = pair.analytic_outages_per_year() / one.analytic_outages_per_year();
//! assert!((ratio - 2.0).abs() < 0.02);
//! let result = pair.run(1)?; // simulated years, shown as a table in a notebook
//! assert_eq!(result.downtime_per_year.len(), 200);
//! // Any knob by name: outages per year as the repair time grows.
//! let slower = pair.sweep("mttr", &[hours(1), hours(6), hours(24)], 0..3)?;
//! let outages = slower.means("outages")?;
//! assert!(outages[0] > outages[2]); // long repairs merge failures into fewer, longer outages
//! # Ok::<(), distsim::Error>(())
//! ```

mod composition;
mod nines;
pub use composition::{composition, two_servers_case, CompositionCurve};
pub use nines::{downtime_hours_per_year, downtime_table, nines};

use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range, Report};
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::stats::{self, Estimate};
use crate::time::{hours, secs, Duration};
use rand::Rng;
use rand_distr::{Distribution, Exp};

/// Hours in a (365-day) year, the unit of downtime tables.
pub const HOURS_PER_YEAR: f64 = 8760.0;

/// Availability levels of the downtime table, 90% to 99.9999%.
pub const NINES: [f64; 6] = [0.9, 0.99, 0.999, 0.9999, 0.99999, 0.999999];

/// How the system's components combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrangement {
    /// Every component must be up.
    Series,
    /// One component up is enough.
    Parallel,
    /// At least this many components must be up.
    KOfN(usize),
}

/// A system of identical, independently failing components.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Mean time between failures of one component, in `[1 minute, 1,000,000 hours]`.
    pub mtbf: Duration,
    /// Mean time to repair one component, in `[1 second, 100,000 hours]`.
    pub mttr: Duration,
    /// Number of components, in `[1, 1000]`.
    pub components: usize,
    /// How they combine (a k-of-n needs `k` in `[1, components]`). Not a named parameter: it
    /// carries a number with the choice; sweep `components` for each arrangement instead.
    pub arrangement: Arrangement,
    /// Simulated years, in `[1, 1_000_000]`.
    pub years: u64,
}

crate::parameters!(Config {
    mtbf: Range::time(secs(60), hours(1_000_000)) => "mean time between failures of one component",
    mttr: Range::time(secs(1), hours(100_000)) => "mean time to repair one component",
    components: Range::count(1, 1000) => "number of identical components",
    years: Range::count(1, 1_000_000) => "simulated years",
});

impl Default for Config {
    /// The chapter's 2008 setup: a web server and a database server that must both work, each
    /// failing about once a month and taking the chapter's 6 hours to recover.
    fn default() -> Self {
        Config { mtbf: hours(720), mttr: hours(6), components: 2, arrangement: Arrangement::Series, years: 200 }
    }
}

/// A duration in hours for titles (`720 h`, `0.5 h`).
pub(crate) fn fmt_hours(d: Duration) -> String {
    let h = format!("{:.4}", d.as_hours_f64());
    format!("{} h", h.trim_end_matches('0').trim_end_matches('.'))
}

fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

impl Config {
    /// A single component with availability `a` and the given repair time (MTBF derived from
    /// both, to the nanosecond), e.g. `with_availability(0.99, hours(6))`.
    pub fn with_availability(a: f64, mttr: Duration) -> Result<Config> {
        if !(a.is_finite() && a > 0.0 && a < 1.0) {
            return Err(Error::invalid("availability", a, "a number in (0, 1)"));
        }
        let mtbf = Duration::from_hours_f64("mtbf", mttr.as_hours_f64() * a / (1.0 - a))?;
        let config = Config { mtbf, mttr, components: 1, arrangement: Arrangement::Series, ..Config::default() };
        config.check_ranges()?;
        Ok(config)
    }

    /// Components that must be up for the system to be up.
    pub fn needed(&self) -> usize {
        match self.arrangement {
            Arrangement::Series => self.components,
            Arrangement::Parallel => 1,
            Arrangement::KOfN(k) => k,
        }
    }

    /// Availability of one component: `MTBF / (MTBF + MTTR)`.
    pub fn component_availability(&self) -> f64 {
        let (up, down) = (self.mtbf.as_hours_f64(), self.mttr.as_hours_f64());
        up / (up + down)
    }

    fn p_exactly_up(&self, j: usize) -> f64 {
        let (a, n) = (self.component_availability(), self.components);
        binomial(n, j) * a.powi(j as i32) * (1.0 - a).powi((n - j) as i32)
    }

    /// Exact steady-state availability of the system.
    pub fn analytic_availability(&self) -> f64 {
        (self.needed()..=self.components).map(|j| self.p_exactly_up(j)).sum()
    }

    /// Exact expected system downtime per year, in hours.
    pub fn analytic_downtime_hours(&self) -> f64 {
        downtime_hours_per_year(self.analytic_availability())
    }

    /// Exact expected number of system outages per year.
    pub fn analytic_outages_per_year(&self) -> f64 {
        let k = self.needed();
        self.p_exactly_up(k) * k as f64 / self.mtbf.as_hours_f64() * HOURS_PER_YEAR
    }
}

impl Experiment for Config {
    type Output = AvailabilityResult;

    /// The ranges, and a k-of-n's `k` in `[1, components]`.
    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        if let Arrangement::KOfN(k) = self.arrangement {
            if !(1..=self.components).contains(&k) {
                let range = format!("an integer in [1, {}] (the components)", self.components);
                return Err(Error::invalid("arrangement k", k, range));
            }
        }
        Ok(())
    }

    /// Simulates `years` independent years and measures downtime and outages in each.
    fn run(&self, seed: u64) -> Result<AvailabilityResult> {
        self.validate()?;
        let mut rng = stream(seed, Stream::Failures);
        let exp = |name: &str, d: Duration| {
            Exp::new(1.0 / d.as_hours_f64()).map_err(|_| Error::invalid(name, d, "a duration > 0"))
        };
        let (up_time, repair) = (exp("mtbf", self.mtbf)?, exp("mttr", self.mttr)?);
        let a = self.component_availability();
        let needed = self.needed() as i64;
        let (mut downtime, mut outages) = (Vec::new(), Vec::new());
        let mut events: Vec<(f64, i64)> = Vec::new();
        let mut checkpoint = crate::cancel::Checkpoint::every(64);
        for _ in 0..self.years {
            checkpoint.tick()?;
            events.clear();
            let mut up_now = 0i64;
            for _ in 0..self.components {
                // Start in the steady state; exponential times are memoryless, so the time left
                // in the starting state has the same distribution as a fresh one.
                let mut up = rng.random_bool(a);
                up_now += up as i64;
                let mut t = 0.0;
                loop {
                    t += if up { up_time.sample(&mut rng) } else { repair.sample(&mut rng) };
                    if t >= HOURS_PER_YEAR {
                        break;
                    }
                    up = !up;
                    events.push((t, if up { 1 } else { -1 }));
                }
            }
            // Continuous times never tie in practice; total_cmp then the delta keeps it deterministic anyway.
            events.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
            let (mut last, mut down_hours, mut count) = (0.0, 0.0, 0u64);
            for &(t, delta) in &events {
                if up_now < needed {
                    down_hours += t - last;
                }
                let was_up = up_now >= needed;
                up_now += delta;
                count += u64::from(was_up && up_now < needed);
                last = t;
            }
            if up_now < needed {
                down_hours += HOURS_PER_YEAR - last;
            }
            downtime.push(down_hours);
            outages.push(count as f64);
        }
        let availability_samples: Vec<f64> = downtime.iter().map(|d| 1.0 - d / HOURS_PER_YEAR).collect();
        Ok(AvailabilityResult {
            config: self.clone(),
            seed,
            availability: stats::mean_ci95(&availability_samples)?,
            downtime_hours: stats::mean_ci95(&downtime)?,
            outages: stats::mean_ci95(&outages)?,
            downtime_per_year: downtime,
            outages_per_year: outages,
        })
    }
}

/// Measured availability of a system over many simulated years.
#[derive(Debug, Clone)]
pub struct AvailabilityResult {
    /// The system that was simulated.
    pub config: Config,
    /// The seed it ran with.
    pub seed: u64,
    /// Fraction of time up, mean over years with a 95% CI.
    pub availability: Estimate,
    /// Hours down per year, with a 95% CI.
    pub downtime_hours: Estimate,
    /// Outages per year, with a 95% CI.
    pub outages: Estimate,
    /// Hours down in each simulated year.
    pub downtime_per_year: Vec<f64>,
    /// Outages in each simulated year.
    pub outages_per_year: Vec<f64>,
}

impl AvailabilityResult {
    /// Simulated vs analytic availability, downtime and outages.
    pub fn table(&self) -> Table {
        let c = &self.config;
        let mut t = Table::new(["metric", "simulated", "95% CI low", "95% CI high", "analytic"]).title(format!(
            "{} component(s), {:?}, MTBF {}, MTTR {}, {} simulated years",
            c.components,
            c.arrangement,
            fmt_hours(c.mtbf),
            fmt_hours(c.mttr),
            c.years
        ));
        let rows = [
            ("availability", &self.availability, c.analytic_availability()),
            ("downtime (hours/year)", &self.downtime_hours, c.analytic_downtime_hours()),
            ("outages per year", &self.outages, c.analytic_outages_per_year()),
        ];
        for (name, e, exact) in rows {
            t.row(vec![name.into(), e.mean.into(), e.lo.into(), e.hi.into(), exact.into()]).expect("width");
        }
        t
    }

    /// Histogram of downtime per simulated year.
    pub fn plot(&self) -> Plot {
        Plot::new(format!("Downtime per simulated year (analytic mean {:.2} h)", self.config.analytic_downtime_hours()))
            .x_label("hours down in the year")
            .y_label("years")
            .histogram("simulated years", self.downtime_per_year.clone(), 30)
    }
}

impl Render for AvailabilityResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(AvailabilityResult);

impl Report for AvailabilityResult {
    /// `availability` (fraction of time up), `downtime_hours` and `outages`, per simulated year.
    fn measures(&self) -> Vec<(String, f64)> {
        vec![
            ("availability".into(), self.availability.mean),
            ("downtime_hours".into(), self.downtime_hours.mean),
            ("outages".into(), self.outages.mean),
        ]
    }
    fn table(&self) -> Table {
        AvailabilityResult::table(self)
    }
    fn plot(&self) -> Plot {
        AvailabilityResult::plot(self)
    }
}
