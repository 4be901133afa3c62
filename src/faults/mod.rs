//! Failures: crashes, recoveries, pauses, slow nodes and partitions, scheduled in time.
//!
//! The failure model, precisely:
//! - **Crash** (`Fault::Crash`): the node stops. Its `on_crash` runs (drop volatile state there),
//!   every timer it had set is discarded, and messages that arrive while it is down are dropped with
//!   `DropReason::Crashed`. Crash-stop is a crash that is never followed by a recovery.
//! - **Recover** (`Fault::Recover`): the node restarts; `on_recover` runs, where it re-arms timers
//!   from the state it kept (its "disk").
//! - **Pause** (`Fault::Pause`): the node stops taking steps for a while (a GC pause, a stalled VM)
//!   but loses nothing: messages and timers due while it is paused are held and handled, in their
//!   original order, the moment it resumes. Other nodes cannot tell a pause from a crash.
//! - **Slow** (`Fault::Slow`): the node does everything `factor` times slower: each message it sends
//!   takes `factor ×` its drawn flight time, and each timer it sets fires after `factor ×` the asked
//!   delay. `factor = 1` makes it normal again.
//! - **Partition / Heal**: see `network::Partition`. `HealPartition(p)` ends partition `p` (one
//!   occurrence of it, if it was started more than once) and leaves the others in force; `Heal`
//!   ends every active partition.
//!
//! Crashing a crashed node, recovering a running one, or pausing a crashed one does nothing;
//! pausing a paused node restarts its pause from now.
//!
//! Faults are scheduled with `Simulation::schedule(at, fault)` or in bulk with a [`FaultPlan`].
//! Failure domains ([`Topology`]) turn one event (a power supply failing) into many crashes.

mod domains;
mod plan;

pub use domains::{Domain, DomainKind, Topology};
pub use plan::FaultPlan;

use crate::engine::NodeId;
use crate::error::{Error, Result};
use crate::network::Partition;
use crate::time::Duration;
use serde::{Deserialize, Serialize};

/// One failure event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Fault {
    /// The node crashes (loses volatile state, timers and incoming messages).
    Crash(NodeId),
    /// The node restarts after a crash.
    Recover(NodeId),
    /// The node stops taking steps for `for_`, then resumes where it was.
    Pause { node: NodeId, for_: Duration },
    /// The node becomes `factor` times slower (`factor >= 1`; 1 restores normal speed).
    Slow { node: NodeId, factor: f64 },
    /// The partition starts.
    Partition(Partition),
    /// This partition ends; other partitions stay in force. Healing a partition that is not in
    /// force does nothing.
    HealPartition(Partition),
    /// Every partition ends.
    Heal,
}

impl Fault {
    /// Refuses unknown nodes and bad factors for a simulation of `node_count` nodes.
    pub fn validate(&self, node_count: usize) -> Result<()> {
        let check = |parameter: &str, node: NodeId| {
            if node < node_count {
                Ok(())
            } else {
                Err(Error::unknown_node(parameter, node, node_count))
            }
        };
        match self {
            Fault::Crash(n) => check("fault.crash", *n),
            Fault::Recover(n) => check("fault.recover", *n),
            Fault::Pause { node, .. } => check("fault.pause.node", *node),
            Fault::Slow { node, factor } => {
                check("fault.slow.node", *node)?;
                crate::validate::in_range("fault.slow.factor", *factor, 1.0, 1e6).map(|_| ())
            }
            Fault::Partition(p) | Fault::HealPartition(p) => p.validate(node_count),
            Fault::Heal => Ok(()),
        }
    }

    /// A short description, e.g. `crash n2`.
    pub fn describe(&self) -> String {
        match self {
            Fault::Crash(n) => format!("crash n{n}"),
            Fault::Recover(n) => format!("recover n{n}"),
            Fault::Pause { node, for_ } => format!("pause n{node} for {for_}"),
            Fault::Slow { node, factor } => format!("slow n{node} x{factor}"),
            Fault::Partition(p) => format!("partition {}", p.describe()),
            Fault::HealPartition(p) => format!("heal {}", p.describe()),
            Fault::Heal => "heal".to_string(),
        }
    }
}
