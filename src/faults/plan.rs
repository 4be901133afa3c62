//! Fault plans: a script of failures to replay against a simulation.

use super::{Domain, Fault, Topology};
use crate::engine::NodeId;
use crate::error::{Error, Result};
use crate::network::Partition;
use crate::time::{Duration, Time};
use serde::{Deserialize, Serialize};

/// A list of faults with the times they strike. Entries at equal times apply in the order added.
///
/// ```
/// use distsim::prelude::*;
/// let plan = FaultPlan::new()
///     .crash_for(2, Time::ZERO + millis(100), millis(50))          // down from 100 ms to 150 ms
///     .partition_for(Partition::TwoWay { a: vec![0], b: vec![1] }, Time::ZERO + millis(20), millis(30));
/// assert_eq!(plan.entries().len(), 4);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FaultPlan {
    entries: Vec<(Time, Fault)>,
}

impl FaultPlan {
    /// An empty plan.
    pub fn new() -> Self {
        Self::default()
    }
    /// Adds `fault` at time `at`.
    pub fn at(mut self, at: Time, fault: Fault) -> Self {
        self.entries.push((at, fault));
        self
    }
    /// Crash-stop: `node` crashes at `at` and never comes back.
    pub fn crash(self, node: NodeId, at: Time) -> Self {
        self.at(at, Fault::Crash(node))
    }
    /// `node` recovers at `at`.
    pub fn recover(self, node: NodeId, at: Time) -> Self {
        self.at(at, Fault::Recover(node))
    }
    /// Crash-recover: `node` crashes at `at` and recovers `down_for` later.
    pub fn crash_for(self, node: NodeId, at: Time, down_for: Duration) -> Self {
        self.crash(node, at).recover(node, at + down_for)
    }
    /// `node` pauses at `at` for `for_`.
    pub fn pause(self, node: NodeId, at: Time, for_: Duration) -> Self {
        self.at(at, Fault::Pause { node, for_ })
    }
    /// `node` becomes `factor` times slower at `at`.
    pub fn slow(self, node: NodeId, at: Time, factor: f64) -> Self {
        self.at(at, Fault::Slow { node, factor })
    }
    /// The partition starts at `at` (until a `heal`).
    pub fn partition(self, p: Partition, at: Time) -> Self {
        self.at(at, Fault::Partition(p))
    }
    /// The partition starts at `at` and heals `for_` later; other partitions are not touched, so
    /// overlapping partitions each last their own time.
    pub fn partition_for(self, p: Partition, at: Time, for_: Duration) -> Self {
        let end = at + for_;
        self.partition(p.clone(), at).at(end, Fault::HealPartition(p))
    }
    /// Every partition heals at `at`.
    pub fn heal(self, at: Time) -> Self {
        self.at(at, Fault::Heal)
    }
    /// Everything beneath `domain` crashes at `at` (machines are node ids), and recovers after
    /// `down_for` if given. Refuses a domain the topology does not have.
    pub fn domain_down(
        mut self,
        topology: &Topology,
        domain: Domain,
        at: Time,
        down_for: Option<Duration>,
    ) -> Result<Self> {
        topology.check(domain)?;
        let machines = topology.machines_under(domain);
        for &m in &machines {
            self = self.crash(m, at);
        }
        if let Some(d) = down_for {
            for &m in &machines {
                self = self.recover(m, at + d);
            }
        }
        Ok(self)
    }
    /// The scheduled faults, in the order added.
    pub fn entries(&self) -> &[(Time, Fault)] {
        &self.entries
    }
    /// Checks every fault against a simulation of `node_count` nodes; the error says which entry.
    pub fn validate(&self, node_count: usize) -> Result<()> {
        for (i, (_, f)) in self.entries.iter().enumerate() {
            f.validate(node_count).map_err(|e| match e {
                Error::UnknownNode { parameter, node, node_count } => {
                    Error::UnknownNode { parameter: format!("plan[{i}].{parameter}"), node, node_count }
                }
                Error::InvalidParameter { parameter, value, expected } => {
                    Error::InvalidParameter { parameter: format!("plan[{i}].{parameter}"), value, expected }
                }
                other => other,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::DomainKind;
    use crate::time::millis;

    #[test]
    fn domain_down_crashes_and_recovers_every_machine_beneath() {
        let t = Topology::uniform(1, 2, 2, 2, 1).unwrap();
        let rack = t.domain(DomainKind::Rack, 1).unwrap();
        let plan = FaultPlan::new().domain_down(&t, rack, Time::from_nanos(5), Some(millis(1))).unwrap();
        let e = plan.entries();
        assert_eq!(e.len(), 4);
        assert_eq!(e[0], (Time::from_nanos(5), Fault::Crash(2)));
        assert_eq!(e[1], (Time::from_nanos(5), Fault::Crash(3)));
        assert_eq!(e[3], (Time::from_nanos(5) + millis(1), Fault::Recover(3)));
    }

    #[test]
    fn validate_names_the_entry() {
        let plan = FaultPlan::new().crash(0, Time::from_nanos(1)).slow(1, Time::from_nanos(2), 0.5);
        let e = plan.validate(3).unwrap_err().to_string();
        assert!(e.contains("plan[1].fault.slow.factor") && e.contains("[1, 1000000]"), "{e}");
        let e = FaultPlan::new().crash(9, Time::from_nanos(1)).validate(3).unwrap_err().to_string();
        assert!(e.contains("plan[0].fault.crash") && e.contains("unknown node 9"), "{e}");
    }
}
