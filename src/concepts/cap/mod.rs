//! Consistency vs availability: a replicated register under a network partition (CAP).
//!
//! Keep one value on 3 or 5 replicas, let clients at every replica read and write it, and cut the
//! network in two for a while. Each side now has to choose. A replica that cannot reach a majority
//! can **refuse** (stay consistent, lose availability: the CP choice) or **answer from what it
//! has** (stay available, lose consistency: the AP choice). CAP says no design escapes choosing
//! while the partition lasts; this model lets you measure the price of each choice.
//!
//! Per run we count:
//! * **availability** — the fraction of operations that succeeded (overall, and during the cut);
//! * **stale reads** — reads that returned a value older than a write that had *completed* before
//!   the read began (real-time order, as a user with a stopwatch would see it);
//! * **lost updates** — acknowledged writes that were later thrown away in favour of a write that
//!   had completed before they even started (last-writer-wins with disagreeing clocks does this);
//! * **linearizability** — whether the whole recorded history has a legal sequential order, by the
//!   checker in [`linearizability`].
//!
//! Replicas are engine nodes ([`replica`]); the partition is an engine fault scheduled mid-run.

pub mod linearizability;
pub mod replica;
mod report;

pub use linearizability::{check_register, LinearizabilityReport, Operation, RegisterOp};
pub use replica::{CapMsg, ClientOp, Mode, Replica, ReplicaTimer};
pub use report::{CapComparison, CapResult};

use crate::clock::ClockConfig;
use crate::engine::Simulation;
use crate::error::Result;
use crate::faults::Fault;
use crate::network::{Latency, Network, Partition};
use crate::time::{Duration, Time};
use crate::trace::TraceMode;
use crate::validate;

/// The CAP experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct CapConfig {
    /// Replicas (3 to 9; odd counts make "majority" unambiguous).
    pub replicas: usize,
    /// CP (majority quorum) or AP (local + last-writer-wins).
    pub mode: Mode,
    /// Client operations in the run, over all replicas.
    pub operations: usize,
    /// Mean think time of each replica's client between operations, ms (one op in flight per client).
    pub think_ms: f64,
    /// Fraction of operations that are writes.
    pub write_fraction: f64,
    /// One-way network delay is uniform in [latency_ms / 2, 3·latency_ms / 2].
    pub latency_ms: f64,
    /// CP: an operation without a majority after this long fails, ms.
    pub timeout_ms: f64,
    /// AP: period of the anti-entropy broadcast, ms.
    pub anti_entropy_ms: f64,
    /// When the partition starts, ms.
    pub partition_at_ms: f64,
    /// How long it lasts, ms (0 = no partition).
    pub partition_for_ms: f64,
    /// Largest clock offset between replicas, ms (AP stamps writes with physical clocks).
    pub clock_offset_ms: f64,
    /// Linearizability check window (1 to 128): a segment where an operation stays pending while
    /// more operations than this must be ordered before it is skipped as unchecked.
    pub max_window: usize,
}

impl Default for CapConfig {
    /// 3 replicas, 10,000 operations, half writes; replica 0 is cut off from 5 s to 10 s.
    fn default() -> Self {
        CapConfig {
            replicas: 3,
            mode: Mode::Cp,
            operations: 10_000,
            think_ms: 5.0,
            write_fraction: 0.5,
            latency_ms: 1.0,
            timeout_ms: 50.0,
            anti_entropy_ms: 100.0,
            partition_at_ms: 5_000.0,
            partition_for_ms: 5_000.0,
            clock_offset_ms: 5.0,
            max_window: 128,
        }
    }
}

impl CapConfig {
    /// Refuses out-of-range counts, rates, times and fractions.
    pub fn validate(&self) -> Result<()> {
        validate::count_in("replicas", self.replicas, 3, 9)?;
        validate::count_in("operations", self.operations, 1, 10_000_000)?;
        validate::in_range("think_ms", self.think_ms, 0.0, 1e7)?;
        validate::probability("write_fraction", self.write_fraction)?;
        validate::in_range("latency_ms", self.latency_ms, 1e-3, 1e5)?;
        validate::in_range("timeout_ms", self.timeout_ms, 1e-3, 1e7)?;
        validate::in_range("anti_entropy_ms", self.anti_entropy_ms, 1e-3, 1e7)?;
        validate::in_range("partition_at_ms", self.partition_at_ms, 0.0, 1e10)?;
        validate::in_range("partition_for_ms", self.partition_for_ms, 0.0, 1e10)?;
        validate::in_range("clock_offset_ms", self.clock_offset_ms, 0.0, 1e7)?;
        validate::count_in("max_window", self.max_window, 1, 128)?;
        Ok(())
    }

    /// The minority side of the cut: replicas `0..(n − 1)/2`.
    pub fn minority(&self) -> Vec<usize> {
        (0..(self.replicas - 1) / 2).collect()
    }

    /// When the partition starts and heals.
    pub fn partition_window(&self) -> (Time, Time) {
        let ns = |ms: f64| Time((ms * 1e6) as u64);
        (ns(self.partition_at_ms), ns(self.partition_at_ms + self.partition_for_ms))
    }

    /// Builds the engine simulation: replicas, network, clocks and the scheduled partition.
    pub fn simulation(&self, seed: u64) -> Result<Simulation<Replica>> {
        self.validate()?;
        let n = self.replicas;
        let ms = |x: f64| Duration::from_millis_f64("latency_ms", x);
        let (cut, heal) = self.partition_window();
        let until = heal + ms(10.0 * self.anti_entropy_ms)?;
        let replicas = (0..n)
            .map(|i| {
                let ops = self.operations / n + usize::from(i < self.operations % n);
                Replica::new(
                    self.mode,
                    ops,
                    self.think_ms / 1e3,
                    self.write_fraction,
                    Duration::from_millis_f64("timeout_ms", self.timeout_ms).unwrap_or(Duration::ZERO),
                    Duration::from_millis_f64("anti_entropy_ms", self.anti_entropy_ms).unwrap_or(Duration::ZERO),
                    until,
                )
            })
            .collect();
        let latency = Latency::Uniform { lo: ms(self.latency_ms / 2.0)?, hi: ms(1.5 * self.latency_ms)? };
        let clocks = ClockConfig {
            max_offset: Duration::from_millis_f64("clock_offset_ms", self.clock_offset_ms)?,
            max_drift_ppm: 0.0,
            sync: None,
        };
        let mut sim = Simulation::new(seed, replicas)?
            .with_network(Network::new().latency(latency))?
            .with_clocks(clocks)?
            .with_trace_mode(TraceMode::DigestOnly);
        if self.partition_for_ms > 0.0 && !self.minority().is_empty() {
            sim.schedule(cut, Fault::Partition(Partition::isolate(self.minority(), n)))?;
            sim.schedule(heal, Fault::Heal)?;
        }
        Ok(sim)
    }

    /// Runs the workload to the end and analyses the recorded history.
    pub fn run(&self, seed: u64) -> Result<CapResult> {
        let mut sim = self.simulation(seed)?;
        sim.run_until_quiet()?;
        CapResult::analyse(self, &sim)
    }

    /// The same seed under CP and under AP.
    pub fn compare(&self, seed: u64) -> Result<CapComparison> {
        let cp = CapConfig { mode: Mode::Cp, ..self.clone() }.run(seed)?;
        let ap = CapConfig { mode: Mode::Ap, ..self.clone() }.run(seed)?;
        Ok(CapComparison { runs: vec![cp, ap] })
    }
}
