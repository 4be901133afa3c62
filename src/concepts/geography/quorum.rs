//! What coordination across data centers costs: a quorum write within a region and across continents.
//!
//! A write that must be on a majority of replicas before it is acknowledged (notebook 11's CP
//! choice, notebook 15's fault-tolerant one) waits for the round trip to the nearest replicas that
//! complete the majority. Within one region, where three zones sit a few tens of kilometres apart,
//! that round trip is below a millisecond of light and is dominated by the local network. Across
//! continents it is tens to hundreds of milliseconds of light alone, and no hardware buys it back.
//!
//! The model runs on the engine. Node 0 coordinates: it sends each write to every other replica
//! and counts acknowledgements (its own copy counts as one). The write *commits* when `quorum`
//! copies exist; the next write starts then, one at a time, as a single client would issue them.
//! Messages between replicas at different sites take the light-in-fiber floor of their great-circle
//! distance ([`Network::from_sites`]) plus a log-normal local delay (`local_median`, `local_sigma`)
//! for switches, queues and the replica's own work. Real routes are longer than the great circle,
//! so these are best cases.
//!
//! Measures: `commit_p50_ms`, `commit_p99_ms`, `commit_mean_ms` (until `quorum` copies),
//! `all_p50_ms` (until every replica has the write), `floor_ms` (the light-only round trip to the
//! replica that completes the quorum) and `writes_per_sec` (one client, one write at a time).

use crate::engine::{Context, Node, NodeId, Simulation};
use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range, Report};
use crate::network::{Latency, Network, Site, SiteMatrix};
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::time::{micros, secs, Duration, Time};
use crate::trace::TraceMode;

/// Three zones of one region, 35 to 55 km from the first (our assumption: providers do not
/// publish where their zones are, only that they are tens of kilometres apart).
pub fn frankfurt_region() -> Vec<Site> {
    vec![
        Site::new("Frankfurt zone a", 50.11, 8.68),
        Site::new("Frankfurt zone b", 50.00, 8.27),
        Site::new("Frankfurt zone c", 50.58, 8.68),
    ]
}

/// A replicated write and where its replicas are.
#[derive(Debug, Clone, PartialEq)]
pub struct QuorumConfig {
    /// The replicas' sites; the first one coordinates (at least 2 sites, each a valid [`Site`]).
    pub sites: Vec<Site>,
    /// Copies (the coordinator's included) a write needs before it commits, in `[2, 64]`, at most
    /// the number of sites (a quorum of one would need no coordination at all).
    pub quorum: usize,
    /// Median local delay per message (switches, queues, the replica's work), in `[1 µs, 1 s]`.
    pub local_median: Duration,
    /// Spread of the log-normal local delay, in `[0, 3]`.
    pub local_sigma: f64,
    /// Writes issued one after another, in `[1, 1_000_000]`.
    pub writes: u64,
}

crate::parameters!(QuorumConfig {
    quorum: Range::count(2, 64) => "copies a write needs before it commits (at most the number of sites)",
    local_median: Range::time(micros(1), secs(1)) => "median local delay per message",
    local_sigma: Range::real(0.0, 3.0) => "spread of the log-normal local delay",
    writes: Range::count(1, 1_000_000) => "writes issued one after another",
});

impl QuorumConfig {
    /// A majority of three zones of one region.
    pub fn in_region() -> QuorumConfig {
        QuorumConfig { sites: frankfurt_region(), quorum: 2, local_median: micros(250), local_sigma: 0.5, writes: 1000 }
    }

    /// A majority of three replicas on three continents, coordinated from Frankfurt.
    pub fn across_continents() -> QuorumConfig {
        let world = SiteMatrix::well_known();
        let pick = |name: &str| world.sites().iter().find(|s| s.name == name).cloned().expect("a well-known site");
        QuorumConfig { sites: vec![pick("Frankfurt"), pick("Ashburn"), pick("Tokyo")], ..QuorumConfig::in_region() }
    }
}

impl Default for QuorumConfig {
    /// [`QuorumConfig::in_region`].
    fn default() -> Self {
        QuorumConfig::in_region()
    }
}

#[derive(Debug, Clone)]
enum QuorumMsg {
    Write(u64),
    Ack(u64),
}

struct Replica {
    // Coordinator state (node 0); the other replicas only acknowledge.
    replicas: usize,
    quorum: usize,
    writes: u64,
    started: Vec<Time>,
    copies: Vec<usize>,
    commit: Vec<Duration>,
    everywhere: Vec<Duration>,
}

impl Replica {
    /// Starts write `id` (its own copy is the first), unless all writes are done.
    fn begin(&mut self, ctx: &mut Context<QuorumMsg>, id: u64) {
        if id < self.writes {
            self.started.push(ctx.now());
            self.copies.push(1);
            for r in 1..self.replicas {
                ctx.send(r, QuorumMsg::Write(id));
            }
        }
    }
}

impl Node for Replica {
    type Msg = QuorumMsg;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<QuorumMsg>) {
        if ctx.id() == 0 {
            self.begin(ctx, 0);
        }
    }
    fn on_message(&mut self, ctx: &mut Context<QuorumMsg>, from: NodeId, msg: QuorumMsg) {
        match msg {
            QuorumMsg::Write(id) => ctx.send(from, QuorumMsg::Ack(id)),
            QuorumMsg::Ack(id) => {
                let i = id as usize;
                self.copies[i] += 1;
                let waited = ctx.now().since(self.started[i]);
                if self.copies[i] == self.quorum {
                    self.commit.push(waited);
                    self.begin(ctx, id + 1);
                }
                if self.copies[i] == self.replicas {
                    self.everywhere.push(waited);
                }
            }
        }
    }
}

/// Commit latencies of one placement.
#[derive(Debug, Clone, PartialEq)]
pub struct QuorumResult {
    /// The configuration that ran.
    pub config: QuorumConfig,
    /// Time from issue to commit of every write, in issue order.
    pub commit: Vec<Duration>,
    /// Time from issue until every replica had the write (each write, in the order they completed).
    pub everywhere: Vec<Duration>,
    /// Light-only round trip from the coordinator to the replica that completes the quorum.
    pub floor: Duration,
}

impl Experiment for QuorumConfig {
    type Output = QuorumResult;

    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        SiteMatrix::new(self.sites.clone())?;
        if self.sites.len() < 2 {
            return Err(Error::invalid("sites", self.sites.len(), "at least 2 sites"));
        }
        if self.quorum > self.sites.len() {
            let expected = format!("an integer in [2, {}] (the number of sites)", self.sites.len());
            return Err(Error::invalid("quorum", self.quorum, expected));
        }
        Ok(())
    }

    fn run(&self, seed: u64) -> Result<QuorumResult> {
        self.validate()?;
        let sites = SiteMatrix::new(self.sites.clone())?;
        let n = self.sites.len();
        let replicas = (0..n)
            .map(|_| Replica {
                replicas: n,
                quorum: self.quorum,
                writes: self.writes,
                started: Vec::new(),
                copies: Vec::new(),
                commit: Vec::new(),
                everywhere: Vec::new(),
            })
            .collect();
        let local = Latency::LogNormal { median: self.local_median, sigma: self.local_sigma };
        let net = Network::from_sites(&sites, (0..n).collect()).latency(local);
        let mut sim = Simulation::new(seed, replicas)?.with_network(net)?.with_trace_mode(TraceMode::DigestOnly);
        sim.run_until_quiet()?;
        let coordinator = sim.node(0);
        // The quorum completes at the (quorum − 1)-th nearest other replica.
        let mut floors: Vec<Duration> = (1..n).map(|r| sites.rtt_floor(0, r)).collect::<Result<_>>()?;
        floors.sort();
        let floor = floors[self.quorum - 2];
        Ok(QuorumResult {
            config: self.clone(),
            commit: coordinator.commit.clone(),
            everywhere: coordinator.everywhere.clone(),
            floor,
        })
    }
}

/// The `q`-quantile of `durations` in ms (nearest rank).
fn quantile_ms(durations: &[Duration], q: f64) -> f64 {
    let mut ms: Vec<f64> = durations.iter().map(|d| d.as_millis_f64()).collect();
    ms.sort_by(f64::total_cmp);
    let rank = ((q * ms.len() as f64).ceil() as usize).clamp(1, ms.len().max(1));
    ms.get(rank - 1).copied().unwrap_or(f64::NAN)
}

impl QuorumResult {
    /// A name for the placement: its sites.
    pub fn label(&self) -> String {
        let names: Vec<&str> = self.config.sites.iter().map(|s| s.name.as_str()).collect();
        format!("{} of {}: {}", self.config.quorum, names.len(), names.join(", "))
    }

    /// Mean commit latency in ms.
    pub fn mean_ms(&self) -> f64 {
        self.commit.iter().map(|d| d.as_millis_f64()).sum::<f64>() / self.commit.len() as f64
    }

    /// One row: the placement and its commit latencies.
    pub fn table(&self) -> Table {
        quorum_table(std::slice::from_ref(self))
    }

    /// The distribution of commit latencies.
    pub fn plot(&self) -> Plot {
        quorum_plot(std::slice::from_ref(self))
    }
}

/// Several placements side by side: light floor, commit p50/p99, all-replica p50, writes/s.
pub fn quorum_table(results: &[QuorumResult]) -> Table {
    let mut t = Table::new([
        "replicas",
        "light floor (ms)",
        "commit p50 (ms)",
        "commit p99 (ms)",
        "on every replica p50 (ms)",
        "writes/s, one client",
    ])
    .title("What a quorum write costs");
    for r in results {
        let m = r.measures();
        let row = vec![r.label().into(), m[4].1.into(), m[0].1.into(), m[1].1.into(), m[3].1.into(), m[5].1.into()];
        t.row(row).expect("six columns");
    }
    t
}

/// The commit latencies of several placements as CDFs, on a logarithmic axis of milliseconds.
pub fn quorum_plot(results: &[QuorumResult]) -> Plot {
    let mut plot = Plot::new("Quorum write: time to commit").x_label("commit latency (ms, log scale)").log_x();
    for r in results {
        plot = plot.cdf(r.label(), r.commit.iter().map(|d| d.as_millis_f64().max(1e-3)).collect());
    }
    plot
}

impl Report for QuorumResult {
    fn measures(&self) -> Vec<(String, f64)> {
        let mean = self.mean_ms();
        vec![
            ("commit_p50_ms".into(), quantile_ms(&self.commit, 0.5)),
            ("commit_p99_ms".into(), quantile_ms(&self.commit, 0.99)),
            ("commit_mean_ms".into(), mean),
            ("all_p50_ms".into(), quantile_ms(&self.everywhere, 0.5)),
            ("floor_ms".into(), self.floor.as_millis_f64()),
            ("writes_per_sec".into(), 1e3 / mean),
        ]
    }
    fn table(&self) -> Table {
        QuorumResult::table(self)
    }
    fn plot(&self) -> Plot {
        QuorumResult::plot(self)
    }
}

impl Render for QuorumResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(QuorumResult);
