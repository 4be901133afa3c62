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
//! ```
//! use distsim::concepts::availability::{self, Arrangement};
//! // The chapter's web server + database, both needed: about twice the outages of one server.
//! let pair = availability::Config { components: 2, arrangement: Arrangement::Series, ..Default::default() };
//! let one = availability::Config { components: 1, ..pair.clone() };
//! let ratio = pair.analytic_outages_per_year() / one.analytic_outages_per_year();
//! assert!((ratio - 2.0).abs() < 0.02);
//! let result = pair.run(1)?; // simulated years, shown as a table in a notebook
//! assert_eq!(result.downtime_per_year.len(), 200);
//! # Ok::<(), distsim::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::stats::{self, Estimate};
use crate::validate;
use rand::Rng;
use rand_distr::{Distribution, Exp};

/// Hours in a (365-day) year, the unit of downtime tables.
pub const HOURS_PER_YEAR: f64 = 8760.0;

/// Availability levels of the downtime table, 90% to 99.9999%.
pub const NINES: [f64; 6] = [0.9, 0.99, 0.999, 0.9999, 0.99999, 0.999999];

/// Downtime allowed per year, in hours, at availability `a`.
pub fn downtime_hours_per_year(a: f64) -> f64 {
    (1.0 - a) * HOURS_PER_YEAR
}

/// The number of nines of `a`: `-log10(1 - a)` (3 for 99.9%).
pub fn nines(a: f64) -> f64 {
    -(1.0 - a).log10()
}

fn human_hours(h: f64) -> String {
    match h {
        h if h >= 24.0 => format!("{:.2} days", h / 24.0),
        h if h >= 1.0 => format!("{h:.2} hours"),
        h if h * 60.0 >= 1.0 => format!("{:.2} minutes", h * 60.0),
        h => format!("{:.2} seconds", h * 3600.0),
    }
}

/// Downtime per year, month and week for availability from 90% to 99.9999%.
pub fn downtime_table() -> Table {
    let mut t = Table::new(["availability", "nines", "per year", "per month", "per week"])
        .title("Downtime allowed by each availability");
    for a in NINES {
        let year = downtime_hours_per_year(a);
        let pct = format!("{:.4}", a * 100.0);
        let pct = pct.trim_end_matches('0').trim_end_matches('.');
        let row = vec![
            format!("{pct}%").into(),
            nines(a).into(),
            human_hours(year).into(),
            human_hours(year / 12.0).into(),
            human_hours(year * 7.0 / 365.0).into(),
        ];
        t.row(row).expect("width");
    }
    t
}

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
    /// Mean time between failures of one component, in hours (> 0).
    pub mtbf_hours: f64,
    /// Mean time to repair one component, in hours (> 0).
    pub mttr_hours: f64,
    /// Number of components, in `[1, 1000]`.
    pub components: usize,
    /// How they combine.
    pub arrangement: Arrangement,
    /// Simulated years, in `[1, 1_000_000]`.
    pub years: u64,
}

impl Default for Config {
    /// The chapter's 2008 setup: a web server and a database server that must both work, each
    /// failing about once a month and taking the chapter's 6 hours to recover.
    fn default() -> Self {
        Config { mtbf_hours: 720.0, mttr_hours: 6.0, components: 2, arrangement: Arrangement::Series, years: 200 }
    }
}

fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

impl Config {
    /// A single component with availability `a` and the given repair time (MTBF derived from both).
    pub fn with_availability(a: f64, mttr_hours: f64) -> Result<Config> {
        if !(a.is_finite() && a > 0.0 && a < 1.0) {
            return Err(Error::invalid("availability", a, "a number in (0, 1)"));
        }
        validate::positive("mttr_hours", mttr_hours)?;
        let mtbf_hours = mttr_hours * a / (1.0 - a);
        Ok(Config { mtbf_hours, mttr_hours, components: 1, arrangement: Arrangement::Series, ..Config::default() })
    }

    /// Checks every parameter; the error names the first bad one and its valid range.
    pub fn validate(&self) -> Result<()> {
        validate::positive("mtbf_hours", self.mtbf_hours)?;
        validate::positive("mttr_hours", self.mttr_hours)?;
        validate::count_in("components", self.components, 1, 1000)?;
        if let Arrangement::KOfN(k) = self.arrangement {
            validate::count_in("arrangement k", k, 1, self.components)?;
        }
        if !(1..=1_000_000).contains(&self.years) {
            return Err(Error::invalid("years", self.years, "an integer in [1, 1000000]"));
        }
        Ok(())
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
        self.mtbf_hours / (self.mtbf_hours + self.mttr_hours)
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
        self.p_exactly_up(k) * k as f64 / self.mtbf_hours * HOURS_PER_YEAR
    }

    /// Simulates `years` independent years and measures downtime and outages in each.
    pub fn run(&self, seed: u64) -> Result<AvailabilityResult> {
        self.validate()?;
        let mut rng = stream(seed, Stream::Failures);
        let up_time = Exp::new(1.0 / self.mtbf_hours)
            .map_err(|_| Error::invalid("mtbf_hours", self.mtbf_hours, "a finite number > 0"))?;
        let repair = Exp::new(1.0 / self.mttr_hours)
            .map_err(|_| Error::invalid("mttr_hours", self.mttr_hours, "a finite number > 0"))?;
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
            "{} component(s), {:?}, MTBF {} h, MTTR {} h, {} simulated years",
            c.components, c.arrangement, c.mtbf_hours, c.mttr_hours, c.years
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

/// The chapter's case: one server vs a web server plus a database server that both must work.
///
/// Simulates both with `config`'s component and years; returns outages and downtime per year,
/// simulated and analytic, and the ratio two/one.
pub fn two_servers_case(config: &Config, seed: u64) -> Result<Table> {
    let one = Config { components: 1, arrangement: Arrangement::Series, ..config.clone() };
    let two = Config { components: 2, arrangement: Arrangement::Series, ..config.clone() };
    let (r1, r2) = (one.run(seed)?, two.run(seed.wrapping_add(1))?);
    let mut t = Table::new([
        "setup",
        "outages/year (sim)",
        "outages/year (analytic)",
        "downtime h/year (sim)",
        "downtime h/year (analytic)",
    ])
    .title("Two servers that must both work are offline about twice as often");
    for (name, c, r) in [("one server", &one, &r1), ("web + database", &two, &r2)] {
        let row = vec![
            name.into(),
            r.outages.mean.into(),
            c.analytic_outages_per_year().into(),
            r.downtime_hours.mean.into(),
            c.analytic_downtime_hours().into(),
        ];
        t.row(row)?;
    }
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    t.row(vec![
        "ratio two / one".into(),
        ratio(r2.outages.mean, r1.outages.mean).into(),
        ratio(two.analytic_outages_per_year(), one.analytic_outages_per_year()).into(),
        ratio(r2.downtime_hours.mean, r1.downtime_hours.mean).into(),
        ratio(two.analytic_downtime_hours(), one.analytic_downtime_hours()).into(),
    ])?;
    Ok(t)
}

/// Analytic availability of series, parallel and majority arrangements for 1..=`max_components`.
#[derive(Debug, Clone)]
pub struct CompositionCurve {
    /// `(n, series, parallel, majority)` availability per component count.
    pub rows: Vec<(usize, f64, f64, f64)>,
    /// The component everything is built from.
    pub component: Config,
}

/// Series, parallel and majority (k = n/2 + 1) availability as the component count grows.
pub fn composition(component: &Config, max_components: usize) -> Result<CompositionCurve> {
    component.validate()?;
    validate::count_in("max_components", max_components, 1, 1000)?;
    let rows = (1..=max_components)
        .map(|n| {
            let at = |arrangement| Config { components: n, arrangement, ..component.clone() }.analytic_availability();
            (n, at(Arrangement::Series), at(Arrangement::Parallel), at(Arrangement::KOfN(n / 2 + 1)))
        })
        .collect();
    Ok(CompositionCurve { rows, component: component.clone() })
}

impl CompositionCurve {
    /// One row per component count, with the nines of each arrangement.
    pub fn table(&self) -> Table {
        let mut t = Table::new([
            "components",
            "series",
            "parallel",
            "majority",
            "series nines",
            "parallel nines",
            "majority nines",
        ])
        .title(format!("Composition of components with availability {:.5}", self.component.component_availability()));
        for &(n, s, p, m) in &self.rows {
            t.row(vec![n.into(), s.into(), p.into(), m.into(), nines(s).into(), nines(p).into(), nines(m).into()])
                .expect("width");
        }
        t
    }

    /// Unavailability (1 - A) of each arrangement on a log scale.
    pub fn plot(&self) -> Plot {
        // Parallel unavailability underflows to 0 for many components; a log axis cannot show 0.
        let pts = |f: fn(&(usize, f64, f64, f64)) -> f64| {
            self.rows.iter().map(|r| (r.0 as f64, 1.0 - f(r))).filter(|p| p.1 > 1e-300).collect::<Vec<_>>()
        };
        Plot::new("Unavailability vs number of components")
            .x_label("components")
            .y_label("1 - availability")
            .log_y()
            .line("series", pts(|r| r.1))
            .line("parallel", pts(|r| r.2))
            .line("majority", pts(|r| r.3))
    }
}

impl Render for CompositionCurve {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(CompositionCurve);
