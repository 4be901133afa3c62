//! The failure table: what breaks, how often, how much it takes down, and how long repair takes.

use crate::concepts::availability::fmt_hours;
use crate::error::{Error, Result};
use crate::faults::DomainKind;
use crate::time::{hours, secs, Duration};
use crate::validate;

/// Which machines one failure event takes down.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Blast {
    /// Every machine of one failure domain of this kind, chosen at random from the data center's
    /// [`Topology`](crate::faults::Topology): a rack, a PDU, one machine. A
    /// [`DomainKind::Disk`] takes down no machine: only that disk's data is unavailable.
    Domain(DomainKind),
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
    /// Repair time, drawn uniformly from `[lo, hi]`, with `0 < lo <= hi <= one year`.
    pub repair: (Duration, Duration),
}

impl FailureKind {
    /// A row of the table.
    pub fn new(name: &str, rate: Rate, blast: Blast, repair: (Duration, Duration)) -> FailureKind {
        FailureKind { name: name.to_string(), rate, blast, repair }
    }

    /// Checks the row; errors name the field as `failures[i].field`.
    pub(super) fn validate(&self, i: usize) -> Result<()> {
        let name = |field: &str| format!("failures[{i}].{field}");
        match self.rate {
            Rate::PerYear(r) => validate::in_range(&name("rate"), r, 0.0, 1e6)?,
            Rate::PerMachineYear(r) => validate::in_range(&name("rate"), r, 0.0, 1e3)?,
        };
        if let Blast::Fraction(f) | Blast::Rolling(f) = self.blast {
            if !(f.is_finite() && f > 0.0 && f <= 1.0) {
                return Err(Error::invalid(name("blast"), f, "a fraction in (0, 1]"));
            }
        }
        let (lo, hi) = self.repair;
        if lo == Duration::ZERO || lo > hours(8760) {
            return Err(Error::invalid(name("repair.0"), fmt_hours(lo), "a duration in (0, 8760 h]"));
        }
        if !(lo..=hours(8760)).contains(&hi) {
            let range = format!("a duration in [{}, 8760 h] (repair.0 to a year)", fmt_hours(lo));
            return Err(Error::invalid(name("repair.1"), fmt_hours(hi), range));
        }
        Ok(())
    }

    /// The mean repair time, in hours.
    pub fn mean_repair_hours(&self) -> f64 {
        (self.repair.0.as_hours_f64() + self.repair.1.as_hours_f64()) / 2.0
    }
}

/// The chapter's year, for a 10,000-machine data center.
pub fn chapter_failures() -> Vec<FailureKind> {
    use DomainKind::{Disk, Machine, Pdu, Rack};
    use Rate::*;
    let domain = Blast::Domain;
    vec![
        // "Most machines" read as 90%; 1-2 days to recover.
        FailureKind::new("overheating", PerYear(0.5), Blast::Fraction(0.9), (hours(24), hours(48))),
        FailureKind::new("PDU failure", PerYear(1.0), domain(Pdu), (hours(6), hours(6))),
        FailureKind::new("rack move", PerYear(1.0), domain(Pdu), (hours(6), hours(6))),
        FailureKind::new("rack failure", PerYear(20.0), domain(Rack), (hours(1), hours(6))),
        FailureKind::new("network rewiring", PerYear(1.0), Blast::Rolling(0.05), (hours(48), hours(48))),
        // Assumption: a router incident cuts off one PDU's worth of machines for minutes to an hour.
        FailureKind::new("router issue", PerYear(20.0), domain(Pdu), (secs(180), hours(1))),
        // ~1000 machine failures a year for 10,000 machines; assumption: 1-24 h to repair or replace.
        FailureKind::new("machine failure", PerMachineYear(0.1), domain(Machine), (hours(1), hours(24))),
        // "Thousands" of disk failures: 3000 a year for 10,000 machines; assumption: 1-24 h to restore.
        FailureKind::new("disk failure", PerMachineYear(0.3), domain(Disk), (hours(1), hours(24))),
    ]
}
