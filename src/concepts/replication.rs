//! Primary-backup replication with failover: split brain, lost acknowledged writes, and the
//! epochs and fencing that prevent them.
//!
//! One replica, the **primary**, orders the writes: it appends each client write to its log,
//! sends the whole log to the **backups** (the same message is its heartbeat), and acknowledges
//! the write to the client once enough replicas hold it. A backup that hears nothing from the
//! primary for a while (a random time in `[failover, 2 failover)`, so that backups rarely time out
//! together) concludes that it has died and takes over: **failover**.
//!
//! But silence does not mean death. Here a partition cuts replica 0 (the primary) and one client
//! off from the other replicas and the other client for `partition`. Without fencing:
//!
//! * the primary stops hearing from its backups and, after `failover`, counts them as dead and
//!   acknowledges writes alone (as semi-synchronous replication falls back to asynchronous);
//! * a backup stops hearing from the primary and promotes itself with the next **epoch**;
//! * for the rest of the partition there are two primaries, both acknowledging writes: **split
//!   brain**. When the partition heals, the older epoch steps down and copies the newer log, and
//!   every write it acknowledged alone is gone, although its client was told it was safe.
//!
//! With `fencing`, an epoch must be *granted*: a backup that wants epoch `e` asks the others, and
//! each that agrees promises to refuse anything stamped with an older epoch and sends its log. It
//! becomes primary only with a majority (itself included), and starts from the newest log among
//! them. A primary acknowledges a write only when a majority, which has accepted its epoch, holds
//! it. Two majorities always share a replica, so the deposed primary can no longer gather one: its
//! client waits (unavailable, in CAP's terms) instead of being lied to, and no acknowledged write
//! is lost. The epoch here plays the part of Kleppmann's *fencing token*: a number that only
//! grows, checked by whoever stores the data.
//!
//! ```
//! use distsim::prelude::*;
//! use distsim::concepts::replication;
//! let naive = replication::Config { partition: millis(600), ..Default::default() };
//! let r = naive.run(1)?;
//! assert!(r.lost_acked > 0 && r.split_brain > Duration::ZERO); // two primaries, writes lost
//! let fenced = replication::Config { fencing: true, ..naive }.run(1)?;
//! assert_eq!(fenced.lost_acked, 0);
//! # Ok::<(), distsim::Error>(())
//! ```

mod node;
mod report;

pub use node::{Msg, Replica, Timer};
pub use report::{FencingCurve, ReplicationResult};

use crate::engine::Simulation;
use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range};
use crate::network::{Latency, Network, Partition};
use crate::time::{millis, secs, Duration, Time};

/// When the partition starts: after the system has settled and taken some writes.
pub const PARTITION_AT: Duration = millis(200);

/// How long the clients keep writing after the partition heals, and how long the run then goes
/// on so that the replicas settle.
pub const AFTER_HEAL: Duration = millis(400);

/// A primary-backup system with two clients and one partition.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Replicas (node ids `0..replicas`; replica 0 starts as primary), in `[2, 9]`.
    pub replicas: usize,
    /// Whether epochs are granted by a majority and checked before a write counts.
    pub fencing: bool,
    /// How long the partition lasts (replica 0 and client A on one side), in `[0, 10 s]`.
    pub partition: Duration,
    /// Each client writes once per `write_every`, in `[1 ms, 1 s]`.
    pub write_every: Duration,
    /// How often the primary sends its log, in `[1 ms, 1 s]`.
    pub heartbeat: Duration,
    /// Silence after which a replica counts another as dead, in `[1 ms, 10 s]`; at least twice
    /// `heartbeat` plus a round trip, or backups fail over while the primary is well.
    pub failover: Duration,
    /// One-way latency: each message takes between `latency` and twice it, in `[10 µs, 1 s]`.
    pub latency: Duration,
}

crate::parameters!(Config {
    replicas: Range::count(2, 9) => "replicas (replica 0 starts as primary)",
    fencing: Range::Flag => "epochs granted by a majority and checked before a write counts",
    partition: Range::time(Duration::ZERO, secs(10)) => "how long replica 0 is cut off",
    write_every: Range::time(millis(1), secs(1)) => "time between two writes of one client",
    heartbeat: Range::time(millis(1), secs(1)) => "how often the primary sends its log",
    failover: Range::time(millis(1), secs(10)) => "silence after which a replica counts another as dead",
    latency: Range::time(Duration::from_micros(10), secs(1)) => "shortest one-way latency (the longest is twice it)",
});

impl Default for Config {
    /// Three replicas without fencing, a 400 ms partition, a write every 10 ms from each client,
    /// heartbeats every 20 ms, failover after 100 ms, 2-4 ms per message.
    fn default() -> Self {
        Config {
            replicas: 3,
            fencing: false,
            partition: millis(400),
            write_every: millis(10),
            heartbeat: millis(20),
            failover: millis(100),
            latency: millis(2),
        }
    }
}

impl Config {
    /// The node ids of the two clients: A (beside replica 0) and B (beside replica 1).
    pub fn clients(&self) -> [usize; 2] {
        [self.replicas, self.replicas + 1]
    }

    /// When the clients stop writing.
    pub fn writes_end(&self) -> Time {
        Time::ZERO + PARTITION_AT + self.partition + AFTER_HEAL
    }

    /// Writes each client sends: one per `write_every`, strictly before [`Config::writes_end`].
    pub fn writes_per_client(&self) -> u32 {
        ((self.writes_end().since(Time::ZERO).as_nanos() - 1) / self.write_every.as_nanos()) as u32
    }

    /// When the run ends: the last write has had time to settle.
    pub fn end(&self) -> Time {
        self.writes_end() + AFTER_HEAL
    }

    /// The simulation, ready to run to [`Config::end`]: the replicas, the clients' writes (client
    /// A writes to replica 0, client B to replica 1; a backup forwards to its primary), and the
    /// partition. For looking at one run: `sim.run_until(config.end())`.
    pub fn build(&self, seed: u64) -> Result<Simulation<Replica>> {
        self.validate()?;
        let n = self.replicas;
        let nodes = (0..n + 2).map(|i| Replica::new(i, n, self.fencing, self.heartbeat, self.failover)).collect();
        let mut names: Vec<String> = (0..n).map(|i| format!("replica {i}")).collect();
        names.extend(["client A".to_string(), "client B".to_string()]);
        let net = Network::new().latency(Latency::Uniform { lo: self.latency, hi: self.latency * 2 });
        let mut sim = Simulation::new(seed, nodes)?.with_network(net)?.with_node_names(names)?;
        let [a, b] = self.clients();
        for k in 0..self.writes_per_client() {
            let at = Time::ZERO + self.write_every * u64::from(k + 1);
            sim.inject(at, a, 0, Msg::Write { id: 2 * k, client: a })?;
            sim.inject(at, b, 1, Msg::Write { id: 2 * k + 1, client: b })?;
        }
        if self.partition > Duration::ZERO {
            let cut = Partition::TwoWay { a: vec![0, a], b: (1..n).chain([b]).collect() };
            sim.schedule(Time::ZERO + PARTITION_AT, crate::faults::Fault::Partition(cut.clone()))?;
            sim.schedule(Time::ZERO + PARTITION_AT + self.partition, crate::faults::Fault::HealPartition(cut))?;
        }
        Ok(sim)
    }
}

impl Experiment for Config {
    type Output = ReplicationResult;

    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        let least = self.heartbeat * 2 + self.latency * 4;
        if self.failover < least {
            return Err(Error::invalid(
                "failover",
                self.failover,
                format!("at least 2 heartbeats plus a slowest round trip ({least}), or backups fail over while the primary is well"),
            ));
        }
        Ok(())
    }

    /// Runs to [`Config::end`] and compares what the clients were told with what survived.
    fn run(&self, seed: u64) -> Result<ReplicationResult> {
        let mut sim = self.build(seed)?;
        sim.run_until(self.end())?;
        Ok(ReplicationResult::measure(self, seed, &sim))
    }
}

impl Config {
    /// Lost acknowledged writes against the partition's length, without and with fencing, each
    /// length over `seeds` (two [`Experiment::sweep`]s of `"partition"`).
    pub fn lost_writes_vs_partition(
        &self,
        lengths: &[Duration],
        seeds: impl IntoIterator<Item = u64>,
    ) -> Result<FencingCurve> {
        let seeds: Vec<u64> = seeds.into_iter().collect();
        let naive = Config { fencing: false, ..self.clone() }.sweep("partition", lengths, seeds.clone())?;
        let fenced = Config { fencing: true, ..self.clone() }.sweep("partition", lengths, seeds)?;
        Ok(FencingCurve { lengths: lengths.to_vec(), naive, fenced })
    }
}
