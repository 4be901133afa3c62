//! Failure domains: the physical hierarchy that makes failures correlated.
//!
//! A data center holds power distribution units (PDUs), each PDU feeds racks, each rack holds
//! machines, and each machine holds disks. When a PDU fails, every rack, machine and disk it feeds
//! goes down with it. Replicas placed "independently" on machines that share a PDU are not
//! independent at all; that is why placement spreads replicas across racks and sites.
//!
//! [`Topology::uniform`] builds a regular tree. Machines are numbered `0..machines` depth-first
//! (the first rack's machines first), which is also the node id a machine gets in a simulation,
//! so `machines_under(domain)` lists exactly the nodes a domain failure must crash.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// A level of the hierarchy, from the largest to the smallest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DomainKind {
    /// A whole site.
    DataCenter,
    /// A power distribution unit.
    Pdu,
    /// A rack (one top-of-rack switch).
    Rack,
    /// A machine (a node in the simulation).
    Machine,
    /// A disk in a machine.
    Disk,
}

impl DomainKind {
    /// All levels, largest first.
    pub const ALL: [DomainKind; 5] =
        [DomainKind::DataCenter, DomainKind::Pdu, DomainKind::Rack, DomainKind::Machine, DomainKind::Disk];

    fn depth(self) -> usize {
        self as usize
    }
}

/// One failure domain: the `index`-th domain of its `kind` (numbered depth-first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Domain {
    /// Its level.
    pub kind: DomainKind,
    /// Its index among the domains of that level.
    pub index: usize,
}

/// A regular hierarchy of data centers, PDUs, racks, machines and disks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Topology {
    /// Children per parent, from data centers down to disks per machine.
    fanout: [usize; 5],
}

impl Topology {
    /// `dcs` data centers, each with `pdus_per_dc` PDUs, each feeding `racks_per_pdu` racks of
    /// `machines_per_rack` machines with `disks_per_machine` disks each. Every count must be >= 1.
    pub fn uniform(
        dcs: usize,
        pdus_per_dc: usize,
        racks_per_pdu: usize,
        machines_per_rack: usize,
        disks_per_machine: usize,
    ) -> Result<Self> {
        let fanout = [dcs, pdus_per_dc, racks_per_pdu, machines_per_rack, disks_per_machine];
        let names = ["dcs", "pdus_per_dc", "racks_per_pdu", "machines_per_rack", "disks_per_machine"];
        for (n, name) in fanout.iter().zip(names) {
            crate::validate::count_in(&format!("topology.{name}"), *n, 1, 1 << 20)?;
        }
        let total: u128 = fanout.iter().map(|&n| n as u128).product();
        if total > 1 << 32 {
            return Err(Error::invalid("topology", total, "at most 2^32 disks in total"));
        }
        Ok(Topology { fanout })
    }

    /// How many domains of this kind exist.
    pub fn count(&self, kind: DomainKind) -> usize {
        self.fanout[..=kind.depth()].iter().product()
    }

    /// How many machines (simulation nodes) the topology has.
    pub fn machines(&self) -> usize {
        self.count(DomainKind::Machine)
    }

    /// The `index`-th domain of `kind`, refusing indices that do not exist.
    pub fn domain(&self, kind: DomainKind, index: usize) -> Result<Domain> {
        let n = self.count(kind);
        if index < n {
            Ok(Domain { kind, index })
        } else {
            Err(Error::invalid(format!("domain.index ({kind:?})"), index, format!("an index in 0..{n}")))
        }
    }

    /// Checks that `domain` exists in this topology.
    pub fn check(&self, domain: Domain) -> Result<()> {
        self.domain(domain.kind, domain.index).map(|_| ())
    }

    /// The indices at level `level` that lie beneath (or are) `domain`; empty if `level` is above
    /// `domain`'s level or `domain` does not exist.
    fn range_under(&self, domain: Domain, level: DomainKind) -> Range<usize> {
        if self.check(domain).is_err() || level < domain.kind {
            return 0..0;
        }
        let per: usize = self.fanout[domain.kind.depth() + 1..=level.depth()].iter().product();
        domain.index * per..(domain.index + 1) * per
    }

    /// The machines (node ids) that go down when `domain` fails. A disk failure takes down no
    /// machine (only the disk), so it gives an empty list.
    pub fn machines_under(&self, domain: Domain) -> Vec<usize> {
        self.machine_range(domain).collect()
    }

    /// [`Topology::machines_under`] as a range: machines are numbered depth-first, so the
    /// machines of one domain are always contiguous ids. A model that handles many domain
    /// failures (a year of a data center) keeps ranges instead of lists.
    pub fn machine_range(&self, domain: Domain) -> Range<usize> {
        self.range_under(domain, DomainKind::Machine)
    }

    /// The disks lost when `domain` fails.
    pub fn disks_under(&self, domain: Domain) -> Vec<usize> {
        self.range_under(domain, DomainKind::Disk).collect()
    }

    /// The domain of `kind` that contains machine `machine` (e.g. its rack).
    pub fn domain_of_machine(&self, machine: usize, kind: DomainKind) -> Result<Domain> {
        let m = self.domain(DomainKind::Machine, machine)?;
        if kind > DomainKind::Machine {
            return Err(Error::invalid("kind", format!("{kind:?}"), "a level at or above Machine"));
        }
        let per: usize = self.fanout[kind.depth() + 1..=DomainKind::Machine.depth()].iter().product();
        Ok(Domain { kind, index: m.index / per })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdu_takes_down_exactly_its_racks_machines() {
        // 2 DCs x 2 PDUs x 3 racks x 4 machines x 2 disks.
        let t = Topology::uniform(2, 2, 3, 4, 2).unwrap();
        assert_eq!(t.machines(), 48);
        assert_eq!(t.count(DomainKind::Disk), 96);
        let pdu = t.domain(DomainKind::Pdu, 1).unwrap();
        assert_eq!(t.machines_under(pdu), (12..24).collect::<Vec<_>>());
        assert_eq!(t.machine_range(pdu), 12..24);
        let dc = t.domain(DomainKind::DataCenter, 1).unwrap();
        assert_eq!(t.machines_under(dc).len(), 24);
        let m = t.domain(DomainKind::Machine, 5).unwrap();
        assert_eq!(t.machines_under(m), vec![5]);
        assert_eq!(t.disks_under(m), vec![10, 11]);
        assert!(t.machines_under(t.domain(DomainKind::Disk, 3).unwrap()).is_empty());
        assert_eq!(t.domain_of_machine(13, DomainKind::Rack).unwrap(), Domain { kind: DomainKind::Rack, index: 3 });
        assert_eq!(t.domain_of_machine(13, DomainKind::Pdu).unwrap().index, 1);
    }

    #[test]
    fn bad_topologies_and_domains_are_refused() {
        let e = Topology::uniform(1, 0, 1, 1, 1).unwrap_err().to_string();
        assert!(e.contains("topology.pdus_per_dc"), "{e}");
        let t = Topology::uniform(1, 1, 2, 2, 1).unwrap();
        assert!(t.domain(DomainKind::Rack, 2).unwrap_err().to_string().contains("0..2"));
        assert!(t.machines_under(Domain { kind: DomainKind::Rack, index: 9 }).is_empty());
    }
}
