//! The consistency ladder on a running store: which rung do its clients' histories reach?
//!
//! [`crate::check::consistency`] judges a client history against five models, from
//! linearizable down to eventual. This experiment makes histories to judge: clients read and
//! write a few keys of a small replicated store ([`store`]) whose quorums and read write-back
//! are knobs, over a network with random delays; then every client reads every key once more
//! (the final reads that show whether the replicas converged). One run is one history and one
//! verdict per rung; a sweep over seeds gives the fraction of runs each rung accepts.
//!
//! ```
//! use distsim::prelude::*;
//! use distsim::check::consistency::Consistency;
//! use distsim::concepts::ladder::Config;
//! // Majority quorums with write-back (ABD): linearizable, run after run.
//! let abd = Config::default().run(1)?;
//! assert!(abd.ladder.verdict(Consistency::Linearizable).accepted());
//! // Quorums of one: some run breaks read-your-writes.
//! let sloppy = Config { read_quorum: 1, write_quorum: 1, write_back: false, ..Config::default() };
//! let broken = (0..10).filter(|&s| !sloppy.run(s).unwrap().ladder.verdict(Consistency::ReadYourWrites).accepted());
//! assert!(broken.count() > 0);
//! # Ok::<(), distsim::Error>(())
//! ```

pub mod store;

use crate::check::consistency::{ClientHistory, Consistency, Ladder};
use crate::engine::Simulation;
use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range, Report};
use crate::network::{Latency, Network};
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::time::{micros, millis, secs, Duration};
use crate::trace::spacetime::SpaceTime;
use crate::trace::{EventKind, Trace, TraceMode};
use store::{Settings, StoreNode};

/// The experiment: a replicated store, its clients, and the ladder's verdict on their history.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Replicas of every key.
    pub replicas: usize,
    /// Answers a query phase waits for (1 to `replicas`).
    pub read_quorum: usize,
    /// Acknowledgements a store phase waits for (1 to `replicas`).
    pub write_quorum: usize,
    /// Whether a read stores what it returns on a write quorum before answering (ABD).
    pub write_back: bool,
    /// Whether each client always talks to the same replica.
    pub sticky: bool,
    /// Clients.
    pub clients: usize,
    /// Keys they share.
    pub keys: usize,
    /// Workload operations per client (before the final reads).
    pub operations: usize,
    /// Fraction of workload operations that are writes.
    pub write_fraction: f64,
    /// Mean one-way delay; each message takes an exponential delay with this mean.
    pub latency: Duration,
    /// Mean pause between a client's operations.
    pub think: Duration,
    /// When every client starts its final read of each key.
    pub final_reads_at: Duration,
}

crate::parameters!(Config {
    replicas: Range::count(1, 7) => "replicas of every key",
    read_quorum: Range::count(1, 7) => "answers a read (and a write's query) waits for",
    write_quorum: Range::count(1, 7) => "acknowledgements a write (and a write-back) waits for",
    write_back: Range::Flag => "a read stores what it returns on a write quorum first (ABD)",
    sticky: Range::Flag => "each client always uses the same replica",
    clients: Range::count(1, 8) => "clients",
    keys: Range::count(1, 8) => "keys the clients share",
    operations: Range::count(1, 40) => "workload operations per client",
    write_fraction: Range::Probability => "fraction of operations that are writes",
    latency: Range::time(micros(1), secs(10)) => "mean one-way delay (exponential)",
    think: Range::time(Duration::ZERO, secs(10)) => "mean pause between a client's operations",
    final_reads_at: Range::time(Duration::ZERO, secs(1_000)) => "when clients start their final reads",
});

impl Default for Config {
    /// 3 replicas, majority quorums with write-back (ABD), 3 clients on 2 keys, 8 operations
    /// each, 1 ms mean delay, 0.5 ms mean think time, final reads at 1 s.
    fn default() -> Self {
        Config {
            replicas: 3,
            read_quorum: 2,
            write_quorum: 2,
            write_back: true,
            sticky: false,
            clients: 3,
            keys: 2,
            operations: 8,
            write_fraction: 0.5,
            latency: millis(1),
            think: micros(500),
            final_reads_at: secs(1),
        }
    }
}

impl Config {
    /// The simulation of one run, with its full trace (for the diagram).
    pub fn simulation(&self, seed: u64) -> Result<Simulation<StoreNode>> {
        self.validate()?;
        let settings = Settings {
            replicas: self.replicas,
            read_quorum: self.read_quorum,
            write_quorum: self.write_quorum,
            write_back: self.write_back,
            sticky: self.sticky,
            keys: self.keys as u8,
            operations: self.operations,
            write_fraction: self.write_fraction,
            think: self.think,
            final_reads_at: self.final_reads_at,
        };
        let names = (0..self.replicas).map(|r| format!("r{r}")).chain((0..self.clients).map(|c| format!("c{c}")));
        let sim = Simulation::new(seed, StoreNode::system(&settings, self.clients))?
            .with_network(Network::new().latency(Latency::Exponential { mean: self.latency }))?
            .with_trace_mode(TraceMode::Full)
            .with_node_names(names.collect())?;
        Ok(sim)
    }
}

impl Experiment for Config {
    type Output = LadderRun;

    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        for (name, q) in [("read_quorum", self.read_quorum), ("write_quorum", self.write_quorum)] {
            if q > self.replicas {
                return Err(Error::invalid(name, q, format!("at most `replicas` ({})", self.replicas)));
            }
        }
        Ok(())
    }

    /// Runs the workload to quiet, collects the clients' history (each operation tied to the
    /// trace event where its answer arrived) and checks every rung.
    fn run(&self, seed: u64) -> Result<LadderRun> {
        let mut sim = self.simulation(seed)?;
        sim.run_until_quiet()?;
        let trace = sim.trace().clone();
        let mut history = ClientHistory::new().names((0..self.clients).map(|c| format!("c{c}")).collect());
        for (c, node) in sim.nodes()[self.replicas..].iter().enumerate() {
            // A client's k-th answered operation got the k-th message delivered to it.
            let mut answers = trace
                .events
                .iter()
                .filter(|e| matches!(e.kind, EventKind::Deliver { to, .. } if to == self.replicas + c));
            for o in node.history() {
                let mut o = o.clone();
                if o.ret.is_some() {
                    o.event = answers.next().map(|e| e.seq);
                }
                history.push(o);
            }
        }
        let ladder = history.ladder()?;
        Ok(LadderRun { config: self.clone(), seed, history, ladder, trace })
    }
}

/// One run: the history, the ladder's verdicts, and the trace to draw.
#[derive(Clone, Debug)]
pub struct LadderRun {
    /// The configuration that ran.
    pub config: Config,
    /// Its seed.
    pub seed: u64,
    /// What the clients saw.
    pub history: ClientHistory<u8, u32>,
    /// Every rung's verdict.
    pub ladder: Ladder,
    /// The run's full trace.
    pub trace: Trace,
}

impl LadderRun {
    /// The run's space-time diagram with the violating operations of rung `model` highlighted.
    pub fn spacetime(&self, model: Consistency) -> SpaceTime {
        self.ladder.verdict(model).highlight(SpaceTime::new(&self.trace), &self.history)
    }
}

impl Report for LadderRun {
    /// One measure per rung: 1 if it accepts the history, 0 if not (a sweep's mean is the
    /// fraction of runs accepted).
    fn measures(&self) -> Vec<(String, f64)> {
        self.ladder.verdicts.iter().map(|v| (v.model.name().to_string(), f64::from(u8::from(v.accepted())))).collect()
    }

    fn table(&self) -> Table {
        self.ladder.table()
    }

    fn plot(&self) -> Plot {
        let bars = self.measures();
        Plot::new(format!("seed {}: which rungs accept the history (1 = accepts)", self.seed))
            .y_label("accepted")
            .bar("verdict", bars)
    }
}

impl Render for LadderRun {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(LadderRun);
