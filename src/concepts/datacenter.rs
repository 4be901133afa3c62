//! A year in a data center: the failures a large cluster lives with, as editable data.
//!
//! The chapter lists what a typical year brings to a large cluster: an overheating event that powers
//! down most machines, a power distribution unit (PDU) failure and a rack move that each take out
//! hundreds of machines for hours, a rack failing every couple of weeks, a network rewiring, many
//! router incidents, about a thousand machine failures and thousands of disk failures. Each row of
//! [`Config::failures`] is one such kind with a **rate**, a **blast radius** (which failure domain it
//! takes down: one disk, one machine, one rack, one PDU, a fraction of the floor) and a **repair
//! time**. Change a row and rerun.
//!
//! [`Config::run`] plays many independent years. For every kind it draws the number of events in the
//! year (Poisson), their start times (uniform over the year), the domain hit and the repair time;
//! then it sweeps the outages in time order to count how many distinct machines are down at every
//! moment. That is *event sampling*: the cost grows with the number of failures, not with machines ×
//! time steps, so 10,000 machines × 1,000 years takes a fraction of a second.
//!
//! The results show the chapter's point: something is always down, the number down at once spans
//! orders of magnitude, and where replicas sit matters more than how reliable each machine is. Three
//! replicas in one rack share the rack's fate (and its PDU's); three replicas in different racks are
//! lost together only when independent failures happen to overlap.
//!
//! Racks and PDUs are a local layout here (contiguous machine ids: rack `m / machines_per_rack`, PDU
//! `rack / racks_per_pdu`), which keeps every blast radius a contiguous range of ids.
//!
//! Figures the chapter does not give (how many machines "most" is, how long a machine or disk takes
//! to repair, how wide a router incident is) are our assumptions and are marked as such below.
//!
//! ```
//! use distsim::concepts::datacenter;
//! let year = datacenter::Config { machines: 1000, trials: 10, ..Default::default() }.run(1)?;
//! let _timeline = year.plot();                // machines down over the first year
//! let _where = year.placement_table();        // one rack vs across racks
//! assert_eq!(year.kinds.len(), 8);            // the chapter's eight kinds of failure
//! # Ok::<(), distsim::Error>(())
//! ```

mod result;
mod simulate;

pub use result::{DatacenterResult, KindStats, PlacementStats};

use crate::error::{Error, Result};
use crate::validate;

/// Hours in a (365-day) year.
pub const HOURS_PER_YEAR: f64 = 8760.0;

/// Which machines one failure event takes down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Blast {
    /// One disk of one machine: the machine stays up, the data on that disk is unavailable.
    Disk,
    /// One machine.
    Machine,
    /// Every machine of one rack.
    Rack,
    /// Every machine behind one power distribution unit.
    Pdu,
    /// A contiguous block of this fraction of all machines (e.g. "most machines": 0.9).
    Fraction(f64),
    /// Maintenance that rolls over the floor: this fraction is down at a time, wave after wave, until
    /// every machine has had its turn; the repair time is the length of the whole rollout.
    Rolling(f64),
}

/// How often a kind of failure happens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rate {
    /// Events per year for the whole data center, whatever its size.
    PerYear(f64),
    /// Events per machine per year (the data-center rate grows with the machine count).
    PerMachineYear(f64),
}

/// One row of the failure table.
#[derive(Debug, Clone, PartialEq)]
pub struct FailureKind {
    /// What happens, e.g. `"rack failure"`.
    pub name: String,
    /// How often.
    pub rate: Rate,
    /// What it takes down.
    pub blast: Blast,
    /// Repair time in hours, drawn uniformly from `[lo, hi]`.
    pub repair_hours: (f64, f64),
}

impl FailureKind {
    /// A row of the table.
    pub fn new(name: &str, rate: Rate, blast: Blast, repair_hours: (f64, f64)) -> FailureKind {
        FailureKind { name: name.to_string(), rate, blast, repair_hours }
    }
}

/// The chapter's year, for a 10,000-machine data center.
pub fn chapter_failures() -> Vec<FailureKind> {
    use Blast::*;
    use Rate::*;
    vec![
        // "Most machines" read as 90%; 1-2 days to recover.
        FailureKind::new("overheating", PerYear(0.5), Fraction(0.9), (24.0, 48.0)),
        FailureKind::new("PDU failure", PerYear(1.0), Pdu, (6.0, 6.0)),
        FailureKind::new("rack move", PerYear(1.0), Pdu, (6.0, 6.0)),
        FailureKind::new("rack failure", PerYear(20.0), Rack, (1.0, 6.0)),
        FailureKind::new("network rewiring", PerYear(1.0), Rolling(0.05), (48.0, 48.0)),
        // Assumption: a router incident cuts off one PDU's worth of machines for minutes to an hour.
        FailureKind::new("router issue", PerYear(20.0), Pdu, (0.05, 1.0)),
        // ~1000 machine failures a year for 10,000 machines; assumption: 1-24 h to repair or replace.
        FailureKind::new("machine failure", PerMachineYear(0.1), Machine, (1.0, 24.0)),
        // "Thousands" of disk failures: 3000 a year for 10,000 machines; assumption: 1-24 h to restore.
        FailureKind::new("disk failure", PerMachineYear(0.3), Disk, (1.0, 24.0)),
    ]
}

/// Where the replicas of one piece of data live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Placement {
    /// All replicas on different machines of one rack.
    SameRack,
    /// Every replica in a different rack (racks chosen at random: they may share a PDU).
    AcrossRacks,
}

impl Placement {
    /// A label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Placement::SameRack => "all replicas in one rack",
            Placement::AcrossRacks => "replicas in different racks",
        }
    }
}

/// A data center and the failures it suffers in a year.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Machines, in `[1, 1_000_000]`.
    pub machines: usize,
    /// Machines per rack, in `[1, machines]` (the chapter: 40-80).
    pub machines_per_rack: usize,
    /// Racks per PDU, at least 1 (20 racks of 40 = 800 machines: the chapter's 500-1000).
    pub racks_per_pdu: usize,
    /// Disks per machine, in `[1, 255]`.
    pub disks_per_machine: usize,
    /// The failure table.
    pub failures: Vec<FailureKind>,
    /// Simulated years, in `[1, 1_000_000]`.
    pub trials: u64,
    /// Replicas of each piece of data, in `[1, machines_per_rack]`.
    pub replicas: usize,
    /// Pieces of data placed per placement strategy per year, in `[0, 100_000]`.
    pub chunks: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            machines: 10_000,
            machines_per_rack: 40,
            racks_per_pdu: 20,
            disks_per_machine: 12,
            failures: chapter_failures(),
            trials: 200,
            replicas: 3,
            chunks: 100,
        }
    }
}

impl Config {
    /// Checks every parameter; the error names the first bad one and its valid range.
    pub fn validate(&self) -> Result<()> {
        validate::count_in("machines", self.machines, 1, 1_000_000)?;
        validate::count_in("machines_per_rack", self.machines_per_rack, 1, self.machines)?;
        validate::at_least("racks_per_pdu", self.racks_per_pdu, 1)?;
        validate::count_in("disks_per_machine", self.disks_per_machine, 1, 255)?;
        if !(1..=1_000_000).contains(&self.trials) {
            return Err(Error::invalid("trials", self.trials, "an integer in [1, 1000000]"));
        }
        validate::count_in("replicas", self.replicas, 1, self.machines_per_rack)?;
        validate::count_in("chunks", self.chunks, 0, 100_000)?;
        if self.chunks > 0 {
            validate::count_in("replicas (needs that many full racks)", self.replicas, 1, self.full_racks())?;
        }
        for (i, k) in self.failures.iter().enumerate() {
            let name = |field: &str| format!("failures[{i}].{field}");
            match k.rate {
                Rate::PerYear(r) => validate::in_range(&name("rate"), r, 0.0, 1e6)?,
                Rate::PerMachineYear(r) => validate::in_range(&name("rate"), r, 0.0, 1e3)?,
            };
            if let Blast::Fraction(f) | Blast::Rolling(f) = k.blast {
                if !(f.is_finite() && f > 0.0 && f <= 1.0) {
                    return Err(Error::invalid(name("blast"), f, "a fraction in (0, 1]"));
                }
            }
            let (lo, hi) = k.repair_hours;
            validate::positive(&name("repair_hours.0"), lo)?;
            validate::in_range(&name("repair_hours.1"), hi, lo, HOURS_PER_YEAR)?;
        }
        Ok(())
    }

    /// Racks (the last one may be partly filled).
    pub fn racks(&self) -> usize {
        self.machines.div_ceil(self.machines_per_rack)
    }

    /// Racks with `machines_per_rack` machines; replicas are placed only in these.
    pub fn full_racks(&self) -> usize {
        self.machines / self.machines_per_rack
    }

    /// PDUs (the last one may be partly filled).
    pub fn pdus(&self) -> usize {
        self.racks().div_ceil(self.racks_per_pdu)
    }

    /// Events of one kind expected per year.
    pub fn analytic_events(&self, kind: &FailureKind) -> f64 {
        match kind.rate {
            Rate::PerYear(r) => r,
            Rate::PerMachineYear(r) => r * self.machines as f64,
        }
    }

    /// Machines one event of this kind takes down, on average over the domains it may hit.
    pub fn mean_blast_size(&self, blast: Blast) -> f64 {
        let n = self.machines as f64;
        match blast {
            Blast::Disk => 0.0,
            Blast::Machine => 1.0,
            Blast::Rack => n / self.racks() as f64,
            Blast::Pdu => n / self.pdus() as f64,
            Blast::Fraction(f) => fraction_len(f, self.machines) as f64,
            Blast::Rolling(_) => n, // every machine gets its turn
        }
    }

    /// Machine outages (machine × event, counting a machine again if it is hit while down)
    /// expected per year from one kind: rate × mean blast size.
    pub fn analytic_machine_outages(&self, kind: &FailureKind) -> f64 {
        self.analytic_events(kind) * self.mean_blast_size(kind.blast)
    }

    /// Expected machine outages per year over all kinds.
    pub fn analytic_total_machine_outages(&self) -> f64 {
        self.failures.iter().map(|k| self.analytic_machine_outages(k)).sum()
    }

    /// Time-average machines down, *ignoring overlaps and the empty start of the year*: the sum of
    /// rate × blast size × mean time down / year. An upper-bound style approximation.
    pub fn approx_mean_down(&self) -> f64 {
        let per_kind = |k: &FailureKind| {
            let repair = (k.repair_hours.0 + k.repair_hours.1) / 2.0;
            let down_each = match k.blast {
                Blast::Rolling(f) => repair / waves(f) as f64,
                _ => repair,
            };
            self.analytic_machine_outages(k) * down_each
        };
        self.failures.iter().map(per_kind).sum::<f64>() / HOURS_PER_YEAR
    }

    /// The failure table as a table: rate, blast radius (in machines here) and repair time per kind.
    pub fn failure_table(&self) -> crate::render::Table {
        let mut t = crate::render::Table::new([
            "failure",
            "events/year",
            "blast radius",
            "machines per event",
            "repair (hours)",
        ])
        .title(format!("The failure table for {} machines", self.machines));
        for k in &self.failures {
            let blast = match k.blast {
                Blast::Disk => "one disk".to_string(),
                Blast::Machine => "one machine".to_string(),
                Blast::Rack => "one rack".to_string(),
                Blast::Pdu => "one PDU".to_string(),
                Blast::Fraction(f) => format!("{}% of machines", f * 100.0),
                Blast::Rolling(f) => format!("{}% at a time, rolling", f * 100.0),
            };
            let (lo, hi) = k.repair_hours;
            let repair = if lo == hi { format!("{lo}") } else { format!("{lo} to {hi}") };
            let row = vec![
                k.name.clone().into(),
                self.analytic_events(k).into(),
                blast.into(),
                self.mean_blast_size(k.blast).into(),
                repair.into(),
            ];
            t.row(row).expect("width");
        }
        t
    }

    /// Simulates `trials` independent years (in parallel; the result does not depend on the thread count).
    pub fn run(&self, seed: u64) -> Result<DatacenterResult> {
        self.validate()?;
        simulate::run(self, seed)
    }
}

/// Machines in a `fraction` block of `machines` (at least one).
fn fraction_len(fraction: f64, machines: usize) -> usize {
    ((fraction * machines as f64).round() as usize).clamp(1, machines)
}

/// Waves of a rolling maintenance that keeps `fraction` of the floor down at a time.
fn waves(fraction: f64) -> usize {
    (1.0 / fraction).ceil() as usize
}
