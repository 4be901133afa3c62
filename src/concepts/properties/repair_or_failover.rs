//! Fault-tolerant is not highly available: three answers to "the primary just died".
//!
//! One database server takes writes. A few times a year it fails, and replacing it takes hours.
//! Three designs meet the same failures (the same seed draws the same failures for all three):
//!
//! * **wait for repair**: every write is on the server's durable disk before it is acknowledged,
//!   and nothing else can answer. No acknowledged write is ever lost (fault-tolerant), but the
//!   service is down for the whole repair (not highly available).
//! * **fail over to an async backup**: writes are acknowledged at once and copied to a backup a
//!   little later (`replication_lag`). At a failure the backup takes over within `failover`, so the
//!   service is almost always up (highly available), but the writes acknowledged during the last
//!   `replication_lag` never reached it and are gone (not fault-tolerant).
//! * **fail over to a sync backup**: a write is acknowledged only after the backup has it. Both
//!   properties hold, and every write pays one round trip to the backup (`backup_rtt`): the price.
//!
//! Each simulated year draws a Poisson number of failures (`failures_per_year`), an exponential
//! repair time for each (mean `repair`) and, for the async design, a Poisson number of writes in the
//! lag window (`writes_per_sec × replication_lag`). Failures are assumed rare next to repairs, so
//! overlapping failures are not modelled, nor is the backup failing during a repair.
//!
//! Measures (per year, mean over `years`), with prefixes `repair_`, `async_`, `sync_`:
//! `*_down_hours`, `*_availability`, `*_nines`, `*_lost_writes`, `*_write_latency_ms`.

use crate::error::Result;
use crate::experiment::{Experiment, Parameters, Range, Report};
use crate::render::{Format, MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::time::{millis, secs, Duration};
use rand_distr::{Distribution, Exp, Poisson};

/// Hours in a (365-day) year.
const HOURS_PER_YEAR: f64 = 8760.0;

const FAILURES: Stream = Stream::named("properties/failures", 0);
const REPAIRS: Stream = Stream::named("properties/repairs", 0);
const LAG_WRITES: Stream = Stream::named("properties/lag_writes", 0);

/// The three designs, in the order of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// Durable writes on one server; down until it is repaired.
    WaitForRepair,
    /// Acknowledge at once, copy later; fail over to the backup.
    AsyncFailover,
    /// Acknowledge after the backup has the write; fail over to it.
    SyncFailover,
}

impl Design {
    /// All three.
    pub const ALL: [Design; 3] = [Design::WaitForRepair, Design::AsyncFailover, Design::SyncFailover];

    /// The design in words.
    pub fn label(self) -> &'static str {
        match self {
            Design::WaitForRepair => "wait for repair",
            Design::AsyncFailover => "fail over to an async backup",
            Design::SyncFailover => "fail over to a sync backup",
        }
    }

    /// The prefix of its measures.
    pub fn key(self) -> &'static str {
        match self {
            Design::WaitForRepair => "repair",
            Design::AsyncFailover => "async",
            Design::SyncFailover => "sync",
        }
    }
}

/// The failures and the designs' knobs.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Server failures per year, in `[0, 50]`.
    pub failures_per_year: f64,
    /// Mean time to repair a failed server, in `[1 min, 30 days]`.
    pub repair: Duration,
    /// Time for a backup to take over, in `[0, 1 hour]`.
    pub failover: Duration,
    /// How far the async backup trails the primary, in `[0, 1 hour]`.
    pub replication_lag: Duration,
    /// Writes per second, in `[0, 1e6]`.
    pub writes_per_sec: f64,
    /// Round trip from primary to backup, paid by every sync write, in `[0, 1 s]`.
    pub backup_rtt: Duration,
    /// Simulated years, in `[1, 1_000_000]`.
    pub years: u64,
}

crate::parameters!(Config {
    failures_per_year: Range::real(0.0, 50.0) => "server failures per year",
    repair: Range::time(Duration::from_secs(60), Duration::from_hours(720)) => "mean time to repair a failed server",
    failover: Range::time(Duration::ZERO, Duration::from_hours(1)) => "time for the backup to take over",
    replication_lag: Range::time(Duration::ZERO, Duration::from_hours(1)) => "how far the async backup trails the primary",
    writes_per_sec: Range::real(0.0, 1e6) => "writes per second",
    backup_rtt: Range::time(Duration::ZERO, secs(1)) => "round trip to the backup, paid by every sync write",
    years: Range::count(1, 1_000_000) => "simulated years",
});

impl Default for Config {
    /// Two failures a year, eight hours to repair, 30 s to fail over, a 200 ms lag at 500 writes
    /// per second, and a backup in the same region (1 ms away).
    fn default() -> Self {
        Config {
            failures_per_year: 2.0,
            repair: Duration::from_hours(8),
            failover: secs(30),
            replication_lag: millis(200),
            writes_per_sec: 500.0,
            backup_rtt: millis(1),
            years: 1000,
        }
    }
}

/// One design's year, averaged over the simulated years.
#[derive(Debug, Clone, PartialEq)]
pub struct DesignOutcome {
    /// Which design.
    pub design: Design,
    /// Hours the service could not take writes, per year.
    pub down_hours: f64,
    /// Acknowledged writes lost, per year.
    pub lost_writes: f64,
    /// What every write waits for beyond the primary itself.
    pub added_write_latency: Duration,
}

impl DesignOutcome {
    /// Fraction of the year the service was up.
    pub fn availability(&self) -> f64 {
        1.0 - self.down_hours / HOURS_PER_YEAR
    }
}

/// The three designs under the same failures.
#[derive(Debug, Clone, PartialEq)]
pub struct RepairOrFailover {
    /// The configuration that ran.
    pub config: Config,
    /// Failures per year, mean over the simulated years.
    pub failures: f64,
    /// One outcome per design, in [`Design::ALL`] order.
    pub designs: Vec<DesignOutcome>,
}

impl Experiment for Config {
    type Output = RepairOrFailover;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    fn run(&self, seed: u64) -> Result<RepairOrFailover> {
        self.validate()?;
        let (mut failure_rng, mut repair_rng, mut lag_rng) =
            (stream(seed, FAILURES), stream(seed, REPAIRS), stream(seed, LAG_WRITES));
        let repair = Exp::new(1.0 / self.repair.as_hours_f64()).expect("repair is at least a minute");
        let in_lag = self.writes_per_sec * self.replication_lag.as_secs_f64();
        let failover_hours = self.failover.as_hours_f64();
        let (mut failures, mut repair_hours, mut lost) = (0u64, 0.0, 0u64);
        for _ in 0..self.years {
            let n = poisson(self.failures_per_year, &mut failure_rng);
            failures += n;
            for _ in 0..n {
                repair_hours += repair.sample(&mut repair_rng);
                lost += poisson(in_lag, &mut lag_rng);
            }
        }
        let years = self.years as f64;
        let outcome = |design, down_hours, lost_writes, added_write_latency| DesignOutcome {
            design,
            down_hours: down_hours / years,
            lost_writes: lost_writes / years,
            added_write_latency,
        };
        let failover_total = failures as f64 * failover_hours;
        let designs = vec![
            outcome(Design::WaitForRepair, repair_hours, 0.0, Duration::ZERO),
            outcome(Design::AsyncFailover, failover_total, lost as f64, Duration::ZERO),
            outcome(Design::SyncFailover, failover_total, 0.0, self.backup_rtt),
        ];
        Ok(RepairOrFailover { config: self.clone(), failures: failures as f64 / years, designs })
    }
}

/// A Poisson draw with mean `mean` (0 when the mean is 0).
fn poisson(mean: f64, rng: &mut crate::rng::SimRng) -> u64 {
    if mean <= 0.0 {
        return 0;
    }
    Poisson::new(mean).expect("a positive, finite mean").sample(rng) as u64
}

impl RepairOrFailover {
    /// The outcome of one design.
    pub fn design(&self, design: Design) -> &DesignOutcome {
        self.designs.iter().find(|d| d.design == design).expect("every design runs")
    }

    /// One row per design: is it fault-tolerant, how available is it, what does it cost.
    pub fn table(&self) -> Table {
        let mut t = Table::new([
            "design",
            "fault-tolerant (no acknowledged write lost)",
            "writes lost per year",
            "hours down per year",
            "availability",
            "nines",
            "added write latency (ms)",
        ])
        .title(format!("Fault-tolerant vs highly available: {:.2} failures a year", self.failures));
        for d in &self.designs {
            let yes_no = if d.lost_writes == 0.0 { "yes" } else { "no" };
            let row = vec![
                d.design.label().into(),
                yes_no.into(),
                d.lost_writes.into(),
                d.down_hours.into(),
                d.availability().into(),
                crate::concepts::availability::nines(d.availability()).into(),
                d.added_write_latency.as_millis_f64().into(),
            ];
            t.row(row).expect("seven columns");
        }
        t.format("availability", Format::Percent(4)).expect("the column exists")
    }

    /// Each design as a point: hours down per year against writes lost per year.
    pub fn plot(&self) -> Plot {
        let mut plot = Plot::new("Down or lossy: each design's year")
            .x_label("hours down per year (not highly available →)")
            .y_label("acknowledged writes lost per year (not fault-tolerant ↑)");
        for d in &self.designs {
            plot = plot.scatter(d.design.label(), vec![(d.down_hours, d.lost_writes)]);
        }
        plot
    }
}

impl Report for RepairOrFailover {
    fn measures(&self) -> Vec<(String, f64)> {
        let mut m = Vec::new();
        for d in &self.designs {
            let a = d.availability();
            let key = d.design.key();
            m.push((format!("{key}_down_hours"), d.down_hours));
            m.push((format!("{key}_availability"), a));
            m.push((format!("{key}_nines"), crate::concepts::availability::nines(a)));
            m.push((format!("{key}_lost_writes"), d.lost_writes));
            m.push((format!("{key}_write_latency_ms"), d.added_write_latency.as_millis_f64()));
        }
        m
    }
    fn table(&self) -> Table {
        RepairOrFailover::table(self)
    }
    fn plot(&self) -> Plot {
        RepairOrFailover::plot(self)
    }
}

impl Render for RepairOrFailover {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(RepairOrFailover);
