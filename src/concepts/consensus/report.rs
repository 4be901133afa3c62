//! What a consensus run measured: how long after the heal a leader came, and the logs.

use super::{Config, Raft, HORIZON};
use crate::engine::Simulation;
use crate::experiment::Report;
use crate::render::{MimeBundle, Plot, Render, Table, Value};
use crate::time::Duration;
use crate::trace::EventKind;

/// The outcome of one run of a Raft cluster through an unstable period and a heal.
#[derive(Debug, Clone)]
pub struct ConsensusResult {
    /// The run's settings.
    pub config: Config,
    /// The seed it ran with.
    pub seed: u64,
    /// Time from the heal to the first leader elected after it (`None`: none within [`HORIZON`]).
    pub time_to_leader: Option<Duration>,
    /// Terms started after the heal (elections, won or split).
    pub elections: u64,
    /// Every node at the end, in id order.
    pub nodes: Vec<Raft>,
}

impl ConsensusResult {
    pub(super) fn measure(config: &Config, seed: u64, term_at_heal: u64, sim: &Simulation<Raft>) -> Self {
        let heal = config.heal();
        let first = sim.trace().events.iter().find(|e| {
            e.time >= heal && matches!(&e.kind, EventKind::Log { text, .. } if text.starts_with("leader of term"))
        });
        let last_term = sim.nodes().iter().map(|n| n.term).max().unwrap_or(0);
        ConsensusResult {
            config: config.clone(),
            seed,
            time_to_leader: first.map(|e| e.time.since(heal)),
            elections: last_term - term_at_heal,
            nodes: sim.nodes().to_vec(),
        }
    }

    /// Entries committed by the cluster: the highest commit index of any node.
    pub fn committed(&self) -> usize {
        self.nodes.iter().map(|n| n.commit).max().unwrap_or(0)
    }
}

impl Report for ConsensusResult {
    /// `elected` (1 if a leader came within the horizon), `time_to_leader_ms` (the horizon when
    /// none came), `elections` after the heal, `committed` entries.
    fn measures(&self) -> Vec<(String, f64)> {
        let t = self.time_to_leader.unwrap_or(HORIZON).as_millis_f64();
        vec![
            ("elected".into(), f64::from(u8::from(self.time_to_leader.is_some()))),
            ("time_to_leader_ms".into(), t),
            ("elections".into(), self.elections as f64),
            ("committed".into(), self.committed() as f64),
        ]
    }

    /// One row per node: its role, term, log and commit index.
    fn table(&self) -> Table {
        let c = &self.config;
        let leader = match self.time_to_leader {
            Some(t) => format!("first leader {t} after the heal"),
            None => format!("no leader within {HORIZON} of the heal"),
        };
        let title = format!(
            "{} nodes, {} timeouts, delay {}-{}: {leader}, {} elections, {} entries committed",
            c.nodes,
            if c.randomized { "random" } else { "fixed" },
            c.latency,
            c.latency * 2,
            self.elections,
            self.committed()
        );
        let mut t = Table::new(["node", "role", "term", "log length", "committed"]).title(title);
        for (i, n) in self.nodes.iter().enumerate() {
            let role = match n.role {
                super::Role::Follower => "follower",
                super::Role::Candidate { .. } => "candidate",
                super::Role::Leader { .. } => "leader",
            };
            let row: Vec<Value> = vec![i.into(), role.into(), n.term.into(), n.log.len().into(), n.commit.into()];
            t.row(row).expect("five columns");
        }
        t
    }

    /// Each node's log length and commit index.
    fn plot(&self) -> Plot {
        let bars = |f: &dyn Fn(&Raft) -> usize| {
            self.nodes.iter().enumerate().map(|(i, n)| (format!("node {i}"), f(n) as f64)).collect::<Vec<_>>()
        };
        Plot::new("Logs at the end of the run")
            .y_label("entries")
            .bar("in the log", bars(&|n| n.log.len()))
            .bar("committed", bars(&|n| n.commit))
    }
}

impl Render for ConsensusResult {
    fn mime_bundle(&self) -> MimeBundle {
        Report::table(self).mime_bundle()
    }
}
crate::impl_evcxr_display!(ConsensusResult);
