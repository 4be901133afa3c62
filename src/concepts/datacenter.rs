//! A year in a data center: the failures a large cluster lives with, as editable data.
//!
//! The chapter lists what a typical year brings to a large cluster (the list is Jeff Dean's "typical
//! first year for a new cluster" at Google, from his keynote *Designs, Lessons and Advice from
//! Building Large Distributed Systems*, LADIS 2009): an overheating event that powers
//! down most machines, a power distribution unit (PDU) failure and a rack move that each take out
//! hundreds of machines for hours, a rack failing every couple of weeks, a network rewiring, many
//! router incidents, about a thousand machine failures and thousands of disk failures. Each row of
//! [`Config::failures`] is one such kind with a **rate**, a **blast radius** (which failure domain it
//! takes down: one disk, one machine, one rack, one PDU, a fraction of the floor) and a **repair
//! time**. Change a row and rerun.
//!
//! The floor is a [`Topology`] from [`crate::faults`]: `pdus` PDUs, each feeding `racks_per_pdu`
//! racks of `machines_per_rack` machines with `disks_per_machine` disks. A rack or PDU failure
//! takes down exactly the machines the topology puts beneath that domain, the same machines a
//! [`FaultPlan`](crate::faults::FaultPlan) would crash in an engine simulation.
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
//! Figures the chapter does not give (how many machines "most" is, how long a machine or disk takes
//! to repair, how wide a router incident is) are our assumptions and are marked as such below.
//!
//! ```
//! use distsim::prelude::*;
//! use distsim::concepts::datacenter;
//! let floor = datacenter::Config { pdus: 1, trials: 10, ..Default::default() }; // 1,000 machines
//! let year = floor.run(1)?;
//! let _timeline = year.plot();                // machines down over the first year
//! let _where = year.placement_table();        // one rack vs across racks
//! assert_eq!(year.kinds.len(), 8);            // the chapter's eight kinds of failure
//! // Any knob by name: machines down on average as the floor grows.
//! let bigger = floor.sweep("pdus", &[1, 4], 0..2)?.means("mean_down")?;
//! assert!(bigger[1] > bigger[0]);
//! # Ok::<(), distsim::Error>(())
//! ```

mod failures;
mod result;
mod simulate;

pub use failures::{chapter_failures, Blast, FailureKind, Rate};
pub use result::{DatacenterResult, KindStats, PlacementStats};

use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range};
use crate::faults::{DomainKind, Topology};

/// Hours in a (365-day) year.
pub const HOURS_PER_YEAR: f64 = 8760.0;

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
    /// Power distribution units, in `[1, 10_000]`.
    pub pdus: usize,
    /// Racks per PDU, in `[1, 1000]` (25 racks of 40 = 1,000 machines: the chapter's 500-1000).
    pub racks_per_pdu: usize,
    /// Machines per rack, in `[1, 1000]` (the chapter: 40-80).
    pub machines_per_rack: usize,
    /// Disks per machine, in `[1, 255]`.
    pub disks_per_machine: usize,
    /// The failure table (each row checked by `validate`; not a named parameter).
    pub failures: Vec<FailureKind>,
    /// Simulated years, in `[1, 1_000_000]`.
    pub trials: u64,
    /// Replicas of each piece of data, in `[1, 64]`, at most `machines_per_rack` and the racks.
    pub replicas: usize,
    /// Pieces of data placed per placement strategy per year, in `[0, 100_000]`.
    pub chunks: usize,
}

crate::parameters!(Config {
    pdus: Range::count(1, 10_000) => "power distribution units (machines = pdus x racks_per_pdu x machines_per_rack)",
    racks_per_pdu: Range::count(1, 1000) => "racks fed by one PDU",
    machines_per_rack: Range::count(1, 1000) => "machines in one rack",
    disks_per_machine: Range::count(1, 255) => "disks in one machine",
    trials: Range::count(1, 1_000_000) => "simulated years",
    replicas: Range::count(1, 64) => "replicas of each piece of data",
    chunks: Range::count(0, 100_000) => "pieces of data placed per placement strategy per year",
});

impl Default for Config {
    /// The chapter's 10,000 machines: 10 PDUs of 25 racks of 40 machines, 12 disks each.
    fn default() -> Self {
        Config {
            pdus: 10,
            racks_per_pdu: 25,
            machines_per_rack: 40,
            disks_per_machine: 12,
            failures: chapter_failures(),
            trials: 200,
            replicas: 3,
            chunks: 100,
        }
    }
}

/// Machines a data center may hold, so that one year of it stays a fraction of a second.
const MAX_MACHINES: usize = 1_000_000;

impl Experiment for Config {
    type Output = DatacenterResult;

    /// The ranges; then at most a million machines in all, replicas that fit in one rack (and
    /// in distinct racks, when data is placed), and every row of the failure table.
    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        let machines = self.pdus * self.racks_per_pdu * self.machines_per_rack;
        if machines > MAX_MACHINES {
            return Err(Error::invalid(
                "machines (pdus x racks_per_pdu x machines_per_rack)",
                machines,
                format!("at most {MAX_MACHINES}"),
            ));
        }
        let racks = self.pdus * self.racks_per_pdu;
        if self.replicas > self.machines_per_rack || (self.chunks > 0 && self.replicas > racks) {
            let most = if self.chunks > 0 { self.machines_per_rack.min(racks) } else { self.machines_per_rack };
            return Err(Error::invalid(
                "replicas",
                self.replicas,
                format!("an integer in [1, {most}] (machines_per_rack, and racks when chunks > 0)"),
            ));
        }
        for (i, k) in self.failures.iter().enumerate() {
            k.validate(i)?;
        }
        Ok(())
    }

    /// Simulates `trials` independent years (in parallel; the result does not depend on the thread count).
    fn run(&self, seed: u64) -> Result<DatacenterResult> {
        self.validate()?;
        simulate::run(self, seed)
    }
}

impl Config {
    /// The floor as failure domains: one data center of `pdus` PDUs, `racks_per_pdu` racks each,
    /// `machines_per_rack` machines per rack, `disks_per_machine` disks per machine.
    pub fn topology(&self) -> Result<Topology> {
        Topology::uniform(1, self.pdus, self.racks_per_pdu, self.machines_per_rack, self.disks_per_machine)
    }

    /// Machines in the data center: `pdus × racks_per_pdu × machines_per_rack`.
    pub fn machines(&self) -> usize {
        self.pdus * self.racks_per_pdu * self.machines_per_rack
    }

    /// Racks in the data center.
    pub fn racks(&self) -> usize {
        self.pdus * self.racks_per_pdu
    }

    /// Domains of `kind` in the data center's [`Topology`] (0 if the layout is invalid).
    pub fn domains(&self, kind: DomainKind) -> usize {
        self.topology().map_or(0, |t| t.count(kind))
    }

    /// Events of one kind expected per year.
    pub fn analytic_events(&self, kind: &FailureKind) -> f64 {
        match kind.rate {
            Rate::PerYear(r) => r,
            Rate::PerMachineYear(r) => r * self.machines() as f64,
        }
    }

    /// Machines one event of this kind takes down, on average over the domains it may hit.
    pub fn mean_blast_size(&self, blast: Blast) -> f64 {
        let n = self.machines();
        match blast {
            Blast::Domain(DomainKind::Disk) => 0.0, // the machine stays up
            Blast::Domain(kind) => match self.domains(kind) {
                0 => 0.0,
                domains => (n / domains) as f64,
            },
            Blast::Fraction(f) => fraction_len(f, n) as f64,
            Blast::Rolling(_) => n as f64, // every machine gets its turn
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
            let repair = k.mean_repair_hours();
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
        .title(format!("The failure table for {} machines", self.machines()));
        for k in &self.failures {
            let blast = match k.blast {
                Blast::Domain(DomainKind::DataCenter) => "the whole data center".to_string(),
                Blast::Domain(DomainKind::Pdu) => "one PDU".to_string(),
                Blast::Domain(kind) => format!("one {kind:?}").to_lowercase(),
                Blast::Fraction(f) => format!("{}% of machines", f * 100.0),
                Blast::Rolling(f) => format!("{}% at a time, rolling", f * 100.0),
            };
            let (lo, hi) = (k.repair.0.as_hours_f64(), k.repair.1.as_hours_f64());
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
}

/// Machines in a `fraction` block of `machines` (at least one).
fn fraction_len(fraction: f64, machines: usize) -> usize {
    ((fraction * machines as f64).round() as usize).clamp(1, machines)
}

/// Waves of a rolling maintenance that keeps `fraction` of the floor down at a time.
fn waves(fraction: f64) -> usize {
    (1.0 / fraction).ceil() as usize
}
