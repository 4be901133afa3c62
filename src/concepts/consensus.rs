//! Consensus: leader election and a replicated log, as a small Raft.
//!
//! Replication (notebook 16) needs one primary at a time, and choosing it is itself an agreement
//! problem. Raft (Ongaro and Ousterhout, 2014) solves it with **terms**: numbered periods, each
//! with at most one leader. A follower that hears no leader for an election timeout becomes a
//! candidate for the next term, votes for itself and asks the others; each node votes at most
//! once per term, and only for a candidate whose log is at least as up to date as its own. A
//! candidate with votes from a **majority** leads the term. Two majorities of the same cluster
//! always share a node, and that node voted once, so no term has two leaders.
//!
//! The leader appends entries to its log and sends them on; a follower accepts them only if its
//! log holds the leader's entry just before them, with the same term (**log matching**), and
//! otherwise the leader backs up one entry and tries again. An entry held by a majority (and of
//! the leader's own term) is **committed**: every later leader has it, because it needed votes from
//! a majority, one of which holds the entry and refuses candidates with older logs.
//!
//! [`Raft`] is that node; it runs on the engine and under the model checker. [`checker`] builds a
//! check of "at most one leader per term"; it passes with [`Quorum::Majority`] and fails with
//! [`Quorum::AtLeastHalf`] on an even number of nodes (with 3 nodes, "at least half" is 2 of 3,
//! a majority anyway).
//!
//! **Liveness is another matter.** Fischer, Lynch and Paterson (1985) proved that no deterministic
//! protocol can guarantee to reach agreement in an asynchronous network if even one node may
//! crash: a slow node cannot be told from a dead one. Raft stays *safe* always and is *live* only
//! under **partial synchrony** (Dwork, Lynch and Stockmeyer, 1988): once messages arrive within
//! some bound, well inside the election timeout, a leader is elected. [`Config`] measures that: the
//! network isolates every node for `unstable`, then heals; how long until a leader, as the delay
//! grows, and with fixed instead of randomised timeouts (then every node times out at the same
//! instant, every vote splits, and no leader is ever elected).
//!
//! ```
//! use distsim::prelude::*;
//! use distsim::concepts::consensus::{self, Quorum};
//! assert!(consensus::checker(3, Quorum::Majority, 2).run()?.passed());
//! let two_leaders = consensus::checker(4, Quorum::AtLeastHalf, 1).run()?;
//! assert_eq!(two_leaders.violation.expect("two leaders in term 1").steps.len(), 6);
//! let r = consensus::Config::default().run(1)?;
//! assert!(r.time_to_leader.is_some());
//! let fixed = consensus::Config { randomized: false, ..Default::default() }.run(1)?;
//! assert!(fixed.time_to_leader.is_none()); // every vote split, forever
//! # Ok::<(), distsim::Error>(())
//! ```

mod node;
mod report;

pub use node::{Msg, Quorum, Raft, Role, Settings, Timer};
pub use report::ConsensusResult;

use crate::check::Checker;
use crate::engine::Simulation;
use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range};
use crate::faults::Fault;
use crate::network::{Latency, Network, Partition};
use crate::time::{millis, secs, Duration, Time};

/// How long the run goes on after the heal: what "never elected" means.
pub const HORIZON: Duration = secs(5);

/// Whether no term has two leaders among `nodes` (a stale leader of an older term may remain).
pub fn one_leader_per_term(nodes: &[Raft]) -> bool {
    let mut terms: Vec<u64> = nodes.iter().filter(|n| n.is_leader()).map(|n| n.term).collect();
    terms.sort_unstable();
    terms.windows(2).all(|w| w[0] != w[1])
}

/// A model check of `nodes` Raft nodes electing leaders up to term `max_term` (no log entries,
/// no heartbeats: timers fire in any order, messages arrive in any order), with the property
/// "at most one leader per term".
pub fn checker(nodes: usize, quorum: Quorum, max_term: u64) -> Checker<Raft> {
    let settings = Settings { quorum, election: millis(150), randomized: false, heartbeat: None, max_term, max_log: 0 };
    Checker::new(vec![Raft::new(settings); nodes])
        .always("at most one leader per term", |s| one_leader_per_term(&s.nodes().to_vec()))
}

/// A Raft cluster whose network misbehaves for a while and then heals.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Nodes in the cluster, in `[2, 9]`.
    pub nodes: usize,
    /// Whether election timeouts are drawn at random from `[election, 2 election)`.
    pub randomized: bool,
    /// The election timeout, in `[1 ms, 10 s]`.
    pub election: Duration,
    /// The leader's heartbeat period, in `[1 ms, 10 s]`; shorter than `election`.
    pub heartbeat: Duration,
    /// One-way delay: each message takes between `latency` and twice it, in `[10 µs, 10 s]`.
    pub latency: Duration,
    /// How long every node is cut off from every other before the network heals, in `[0, 60 s]`.
    pub unstable: Duration,
}

crate::parameters!(Config {
    nodes: Range::count(2, 9) => "nodes in the cluster",
    randomized: Range::Flag => "election timeouts drawn at random from [election, 2 election)",
    election: Range::time(millis(1), secs(10)) => "election timeout",
    heartbeat: Range::time(millis(1), secs(10)) => "the leader's heartbeat period",
    latency: Range::time(Duration::from_micros(10), secs(10)) => "shortest one-way delay (the longest is twice it)",
    unstable: Range::time(Duration::ZERO, secs(60)) => "how long every node is cut off before the heal",
});

impl Default for Config {
    /// Five nodes, randomised 150-300 ms election timeouts, heartbeats every 50 ms, 5-10 ms per
    /// message, one second of isolation.
    fn default() -> Self {
        Config {
            nodes: 5,
            randomized: true,
            election: millis(150),
            heartbeat: millis(50),
            latency: millis(5),
            unstable: secs(1),
        }
    }
}

impl Config {
    /// The settings every node gets.
    pub fn settings(&self) -> Settings {
        Settings {
            quorum: Quorum::Majority,
            election: self.election,
            randomized: self.randomized,
            heartbeat: Some(self.heartbeat),
            max_term: u64::MAX,
            max_log: 1_000,
        }
    }

    /// When the network heals.
    pub fn heal(&self) -> Time {
        Time::ZERO + self.unstable
    }

    /// When the run ends.
    pub fn end(&self) -> Time {
        self.heal() + HORIZON
    }

    /// The cluster, with every node isolated until [`Config::heal`]. For looking at one run:
    /// `sim.run_until(config.end())`.
    pub fn build(&self, seed: u64) -> Result<Simulation<Raft>> {
        self.validate()?;
        let net = Network::new().latency(Latency::Uniform { lo: self.latency, hi: self.latency * 2 });
        let mut sim = Simulation::new(seed, vec![Raft::new(self.settings()); self.nodes])?.with_network(net)?;
        if self.unstable > Duration::ZERO {
            for node in 0..self.nodes {
                sim.schedule(Time::ZERO, Fault::Partition(Partition::isolate(vec![node], self.nodes)))?;
            }
            sim.schedule(self.heal(), Fault::Heal)?;
        }
        Ok(sim)
    }
}

impl Experiment for Config {
    type Output = ConsensusResult;

    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        if self.heartbeat >= self.election {
            return Err(Error::invalid(
                "heartbeat",
                self.heartbeat,
                format!(
                    "shorter than the election timeout ({}), or followers never hear a leader in time",
                    self.election
                ),
            ));
        }
        Ok(())
    }

    /// Runs to [`Config::end`] and reports how long after the heal the first leader came.
    fn run(&self, seed: u64) -> Result<ConsensusResult> {
        let mut sim = self.build(seed)?;
        sim.run_until(self.heal())?;
        let term_at_heal = sim.nodes().iter().map(|n| n.term).max().unwrap_or(0);
        sim.run_until(self.end())?;
        Ok(ConsensusResult::measure(self, seed, term_at_heal, &sim))
    }
}
