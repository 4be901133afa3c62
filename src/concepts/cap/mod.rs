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

pub use linearizability::{check_register, LinearizabilityReport, Operation, RegisterOp, MAX_WINDOW};
pub use replica::{CapMsg, ClientOp, Mode, Replica, ReplicaTimer};
pub use report::{CapComparison, CapResult};

use crate::clock::ClockConfig;
use crate::engine::Simulation;
use crate::error::Result;
use crate::experiment::{Experiment, Parameters, Range};
use crate::faults::Fault;
use crate::network::{Latency, Network, Partition};
use crate::time::{micros, secs, Duration, Time};
use crate::trace::TraceMode;

crate::choice_param!(Mode { Cp => "cp", Ap => "ap" });

/// The CAP experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct CapConfig {
    /// Replicas (3 to 9; odd counts make "majority" unambiguous).
    pub replicas: usize,
    /// CP (majority quorum) or AP (local + last-writer-wins).
    pub mode: Mode,
    /// Client operations in the run, over all replicas.
    pub operations: usize,
    /// Mean think time of each replica's client between operations (one op in flight per client).
    pub think: Duration,
    /// Fraction of operations that are writes.
    pub write_fraction: f64,
    /// One-way network delay is uniform in [latency / 2, 3·latency / 2].
    pub latency: Duration,
    /// CP: an operation without a majority after this long fails.
    pub timeout: Duration,
    /// AP: period of the anti-entropy broadcast.
    pub anti_entropy: Duration,
    /// When the partition starts, after the start of the run.
    pub partition_at: Duration,
    /// How long it lasts (zero = no partition).
    pub partition_for: Duration,
    /// Largest clock offset between replicas (AP stamps writes with physical clocks).
    pub clock_offset: Duration,
    /// Linearizability check window (1 to [`MAX_WINDOW`]): a segment where an operation stays
    /// pending while more operations than this must be ordered before it is skipped as unchecked.
    pub max_window: usize,
}

crate::parameters!(CapConfig {
    replicas: Range::count(3, 9) => "replicas of the register (odd counts make a majority unambiguous)",
    mode: Range::Choice(Mode::CHOICES) => "cp: majority quorums; ap: local answers, last writer wins",
    operations: Range::count(1, 10_000_000) => "client operations in the run, over all replicas",
    think: Range::time(Duration::ZERO, secs(10_000)) => "mean think time of a client between operations",
    write_fraction: Range::Probability => "fraction of operations that are writes",
    latency: Range::time(micros(1), secs(100)) => "mean one-way network delay (uniform in [½, 3/2] of it)",
    timeout: Range::time(micros(1), secs(10_000)) => "CP: an operation without a majority after this long fails",
    anti_entropy: Range::time(micros(1), secs(10_000)) => "AP: period of the anti-entropy broadcast",
    partition_at: Range::time(Duration::ZERO, secs(10_000_000)) => "when the partition starts",
    partition_for: Range::time(Duration::ZERO, secs(10_000_000)) => "how long the partition lasts (0 = none)",
    clock_offset: Range::time(Duration::ZERO, secs(10_000)) => "largest clock offset between replicas",
    max_window: Range::count(1, MAX_WINDOW as u64) => "linearizability check window, in operations",
});

impl Default for CapConfig {
    /// 3 replicas, 10,000 operations, half writes; replica 0 is cut off from 5 s to 10 s.
    fn default() -> Self {
        CapConfig {
            replicas: 3,
            mode: Mode::Cp,
            operations: 10_000,
            think: Duration::from_millis(5),
            write_fraction: 0.5,
            latency: Duration::from_millis(1),
            timeout: Duration::from_millis(50),
            anti_entropy: Duration::from_millis(100),
            partition_at: secs(5),
            partition_for: secs(5),
            clock_offset: Duration::from_millis(5),
            max_window: MAX_WINDOW,
        }
    }
}

impl CapConfig {
    /// The minority side of the cut: replicas `0..(n − 1)/2`.
    pub fn minority(&self) -> Vec<usize> {
        (0..(self.replicas - 1) / 2).collect()
    }

    /// When the partition starts and heals.
    pub fn partition_window(&self) -> (Time, Time) {
        let cut = Time::ZERO + self.partition_at;
        (cut, cut + self.partition_for)
    }

    /// Builds the engine simulation: replicas, network, clocks and the scheduled partition.
    pub fn simulation(&self, seed: u64) -> Result<Simulation<Replica>> {
        self.validate()?;
        let n = self.replicas;
        let (cut, heal) = self.partition_window();
        let until = heal + self.anti_entropy * 10;
        let replicas = (0..n)
            .map(|i| {
                let ops = self.operations / n + usize::from(i < self.operations % n);
                Replica::new(
                    self.mode,
                    ops,
                    self.think.as_secs_f64(),
                    self.write_fraction,
                    self.timeout,
                    self.anti_entropy,
                    until,
                )
            })
            .collect();
        // [latency / 2, 3·latency / 2], halves of a nanosecond rounded up.
        let ns = self.latency.as_nanos();
        let (lo, hi) = (Duration::from_nanos(ns.div_ceil(2)), Duration::from_nanos((3 * ns).div_ceil(2)));
        let clocks = ClockConfig { max_offset: self.clock_offset, max_drift_ppm: 0.0, sync: None };
        let mut sim = Simulation::new(seed, replicas)?
            .with_network(Network::new().latency(Latency::Uniform { lo, hi }))?
            .with_clocks(clocks)?
            .with_trace_mode(TraceMode::DigestOnly);
        if self.partition_for > Duration::ZERO && !self.minority().is_empty() {
            sim.schedule(cut, Fault::Partition(Partition::isolate(self.minority(), n)))?;
            sim.schedule(heal, Fault::Heal)?;
        }
        Ok(sim)
    }

    /// The same seed under CP and under AP.
    pub fn compare(&self, seed: u64) -> Result<CapComparison> {
        let cp = CapConfig { mode: Mode::Cp, ..self.clone() }.run(seed)?;
        let ap = CapConfig { mode: Mode::Ap, ..self.clone() }.run(seed)?;
        Ok(CapComparison { runs: vec![cp, ap] })
    }
}

impl Experiment for CapConfig {
    type Output = CapResult;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    /// Runs the workload to the end and analyses the recorded history.
    fn run(&self, seed: u64) -> Result<CapResult> {
        let mut sim = self.simulation(seed)?;
        sim.run_until_quiet()?;
        CapResult::analyse(self, &sim)
    }
}
