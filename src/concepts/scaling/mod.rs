//! Scaling and coordination overhead: why adding machines can make a system slower.
//!
//! *Vertical* scaling buys a faster machine: no new coordination, but the largest machine is only
//! so large and its price grows faster than its speed. *Horizontal* scaling adds machines, and
//! with them two costs the single machine never paid:
//!
//! * **contention** — some work is serialised on a shared resource (a lock, a leader, one hot
//!   row), so those parts queue no matter how many nodes there are;
//! * **coherence** — nodes must tell each other what they did. If every job ends with an
//!   all-to-all exchange, a job on `N` nodes costs `N(N − 1)` messages, and each node spends time
//!   handling `N − 1` of them for *every* job anywhere in the system.
//!
//! The simulator is a closed system of `N` nodes on the engine ([`cluster`](self) has the nodes),
//! each running jobs back to back. A job is a stretch of local CPU work (exponential, mean
//! `(1 − serial_fraction)·job`), then a critical section on one global first-come-first-served
//! lock (exponential, mean `serial_fraction·job`), then a commit. The commit is an all-to-all
//! exchange: every one of the `N` nodes handles `N − 1` coordination messages for it, each costing
//! `coordination` of CPU, paid before its next job. So a job costs `N(N − 1)` messages, and a node
//! spends `(N − 1)·coordination` on every job committed anywhere.
//!
//! Without the lock, a node that is always busy satisfies `(X/N)·w + X·(N − 1)·c = 1` for cluster
//! throughput `X`, work per job `w` and message cost `c`, so `X(N) = N / (w + c·N(N − 1))`, which
//! peaks at `N* = sqrt(w / c)` (about 22 nodes with the defaults). Had each job cost only `N − 1`
//! messages in all (one to each other node), a node would handle `(N − 1)/N` of a message per job
//! and `X(N) = N / (w + (N − 1)·c)`, which rises towards `1/c` without a peak: the retrograde curve
//! needs the quadratic term.
//!
//! Contention yields Amdahl's curve; coherence adds the `κN(N − 1)` term of the Universal
//! Scalability Law (see [`fit`]) and with it a peak and *retrograde* scaling beyond it.
//!
//! ```
//! use distsim::prelude::*;
//! use concepts::scaling::{ScalingConfig, NODE_COUNTS};
//! let curve = ScalingConfig::default().scaling_curve(&NODE_COUNTS, 0..3)?;
//! assert!(curve.retrograde()); // past the peak, more nodes are slower
//! let coherence = ScalingConfig { nodes: 32, ..Default::default() }
//!     .sweep("coordination", &[Duration::ZERO, micros(20)], 0..3)?;
//! let jobs_per_s = coherence.means("throughput")?;
//! assert!(jobs_per_s[0] > 1.5 * jobs_per_s[1]);
//! # Ok::<(), distsim::Error>(())
//! ```

mod cluster;
pub mod fit;

pub use fit::{amdahl_throughput, fit_amdahl, fit_usl, synthetic_usl, usl_throughput, AmdahlFit, UslFit};

use crate::error::{Error, Result};
use crate::experiment::{Experiment, ExperimentSweep, Parameters, Range, Report};
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::stats::Estimate;
use crate::time::{micros, secs, Duration};

/// The node counts the course compares by default: 1, then 2 to 38 in steps of 2.
pub const NODE_COUNTS: [usize; 20] = [1, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 36, 38];

/// The scaling experiment: one cluster of `nodes` nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingConfig {
    /// Nodes N.
    pub nodes: usize,
    /// How many times faster each node is than the baseline machine (vertical scaling).
    pub speed: f64,
    /// Mean total work of one job on one baseline node.
    pub job: Duration,
    /// Fraction of a job's work done holding the global lock (contention).
    pub serial_fraction: f64,
    /// CPU time a baseline node spends on one coordination message (coherence). Every commit sends
    /// each of the `N` nodes `N − 1` of them: `N(N − 1)` messages per job.
    pub coordination: Duration,
    /// Jobs completed per run, across all nodes.
    pub jobs: usize,
}

crate::parameters!(ScalingConfig {
    nodes: Range::count(1, 4096) => "nodes N running jobs",
    speed: Range::real(0.001, 4096.0) => "how many times faster each node is than the baseline",
    job: Range::time(micros(1), secs(3600)) => "mean work of one job on a baseline node",
    serial_fraction: Range::Probability => "fraction of a job done holding the global lock (contention)",
    coordination: Range::time(Duration::ZERO, secs(1)) => "CPU a node spends on one coordination message; every commit sends each node N - 1 (coherence)",
    jobs: Range::count(10, 100_000_000) => "jobs committed per run, across all nodes",
});

impl Default for ScalingConfig {
    /// 16 nodes; coordination tuned so that throughput peaks near 20 nodes.
    fn default() -> Self {
        ScalingConfig {
            nodes: 16,
            speed: 1.0,
            job: Duration::from_millis(10),
            serial_fraction: 0.03,
            coordination: micros(20),
            jobs: 400,
        }
    }
}

/// Throughput of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingRun {
    /// The configuration that was run.
    pub config: ScalingConfig,
    /// Jobs committed per second.
    pub throughput: f64,
    /// When the last job committed.
    pub elapsed: Duration,
    /// Coordination messages per job, `N(N − 1)`.
    pub messages_per_job: u64,
}

impl Experiment for ScalingConfig {
    type Output = ScalingRun;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    /// Runs the cluster on the engine until `jobs` jobs committed.
    fn run(&self, seed: u64) -> Result<ScalingRun> {
        self.validate()?;
        let (committed, last) = cluster::simulate(self, seed)?;
        let elapsed = last.since(crate::time::Time::ZERO);
        if elapsed == Duration::ZERO {
            return Err(Error::invalid("job", self.job, "a job long enough to take some time"));
        }
        Ok(ScalingRun {
            config: self.clone(),
            throughput: committed as f64 / elapsed.as_secs_f64(),
            elapsed,
            messages_per_job: (self.nodes * (self.nodes - 1)) as u64,
        })
    }
}

impl ScalingRun {
    /// One row: nodes, speed, throughput, messages per job.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["nodes", "speed", "throughput (jobs/s)", "messages/job"]).title("One scaling run");
        t.row(vec![
            self.config.nodes.into(),
            self.config.speed.into(),
            self.throughput.into(),
            self.messages_per_job.into(),
        ])
        .expect("four columns");
        t
    }
    /// Measured throughput next to the ideal `N ×` one baseline node with no overhead.
    pub fn plot(&self) -> Plot {
        let c = &self.config;
        let ideal = c.nodes as f64 * c.speed / c.job.as_secs_f64();
        Plot::new(format!("{} node(s)", c.nodes))
            .y_label("throughput (jobs/s)")
            .bar("jobs/s", vec![("simulated".into(), self.throughput), ("no overhead".into(), ideal)])
    }
}

impl Report for ScalingRun {
    /// `throughput` (jobs per second) and `messages_per_job` (`N(N − 1)`).
    fn measures(&self) -> Vec<(String, f64)> {
        vec![("throughput".into(), self.throughput), ("messages_per_job".into(), self.messages_per_job as f64)]
    }
    fn table(&self) -> Table {
        ScalingRun::table(self)
    }
    fn plot(&self) -> Plot {
        ScalingRun::plot(self)
    }
}

impl ScalingConfig {
    /// Throughput at every node count of `node_counts` with every seed of `seeds` (a thin wrapper
    /// over [`Experiment::sweep`] of `nodes`), with Amdahl and USL fits of the means.
    pub fn scaling_curve(&self, node_counts: &[usize], seeds: impl IntoIterator<Item = u64>) -> Result<ScalingCurve> {
        let sweep = self.sweep("nodes", node_counts, seeds)?;
        let throughput = sweep.estimates("throughput")?;
        let points: Vec<CurvePoint> = node_counts
            .iter()
            .zip(throughput)
            .map(|(&n, throughput)| CurvePoint { nodes: n, throughput, messages_per_job: (n * (n - 1)) as u64 })
            .collect();
        let xy: Vec<(f64, f64)> = points.iter().map(|p| (p.nodes as f64, p.throughput.mean)).collect();
        Ok(ScalingCurve { config: self.clone(), amdahl: fit_amdahl(&xy)?, usl: fit_usl(&xy)?, points, sweep })
    }

    /// Vertical (one node `k` times faster) against horizontal (`k` baseline nodes), per factor,
    /// mean throughput over `seeds`: two thin wrappers over [`Experiment::sweep`] (of `speed` on
    /// one node, of `nodes` at baseline speed).
    pub fn vertical_vs_horizontal(&self, factors: &[usize], seeds: impl IntoIterator<Item = u64>) -> Result<Table> {
        let seeds: Vec<u64> = seeds.into_iter().collect();
        let vertical = self.with("nodes", 1)?.sweep("speed", factors, seeds.clone())?.means("throughput")?;
        let horizontal = self.with("speed", 1.0)?.sweep("nodes", factors, seeds.clone())?.means("throughput")?;
        let mut t = Table::new([
            "factor k",
            "vertical: 1 node k× faster (jobs/s)",
            "horizontal: k nodes (jobs/s)",
            "messages per job",
        ])
        .title(format!("Vertical vs horizontal scaling (mean of {} seeds)", seeds.len()));
        for (i, &k) in factors.iter().enumerate() {
            t.row(vec![k.into(), vertical[i].into(), horizontal[i].into(), ((k * (k - 1)) as u64).into()])
                .expect("four columns");
        }
        Ok(t)
    }
}

/// Mean throughput at one node count of a [`ScalingCurve`].
#[derive(Clone, Debug, PartialEq)]
pub struct CurvePoint {
    /// N.
    pub nodes: usize,
    /// Jobs per second: mean and 95% CI over the seeds.
    pub throughput: Estimate,
    /// Coordination messages per job, `N(N − 1)`.
    pub messages_per_job: u64,
}

/// Throughput per node count, with Amdahl and USL fits of the means.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingCurve {
    /// The configuration the node counts were set on.
    pub config: ScalingConfig,
    /// One point per node count, in the order given.
    pub points: Vec<CurvePoint>,
    /// Amdahl's law fitted to the means.
    pub amdahl: AmdahlFit,
    /// The USL fitted to the means.
    pub usl: UslFit,
    /// The generic sweep of `nodes` behind it, with every sample.
    pub sweep: ExperimentSweep,
}

impl ScalingCurve {
    /// The node count with the highest measured mean throughput.
    pub fn best_nodes(&self) -> usize {
        self.points.iter().max_by(|a, b| a.throughput.mean.total_cmp(&b.throughput.mean)).map_or(1, |p| p.nodes)
    }

    /// Whether the largest node count measured less than the best one: adding machines made it slower.
    pub fn retrograde(&self) -> bool {
        self.points.iter().map(|p| p.nodes).max().is_some_and(|largest| largest > self.best_nodes())
    }

    /// A one-line summary of both fits, the peak and whether scaling turned retrograde.
    pub fn summary(&self) -> String {
        let peak = self.usl.peak_nodes().map_or("none".to_string(), |p| format!("{p:.1}"));
        format!(
            "Scaling: USL σ = {:.4}, κ = {:.5}, peak N* = {peak}; Amdahl σ = {:.4}{}",
            self.usl.sigma,
            self.usl.kappa,
            self.amdahl.sigma,
            if self.retrograde() { " — retrograde: adding machines made it slower" } else { "" }
        )
    }

    /// Per node count: messages, mean throughput with its CI, both fits.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["nodes", "messages/job", "throughput (jobs/s)", "±95%", "Amdahl fit", "USL fit"])
            .title(self.summary());
        for p in &self.points {
            let n = p.nodes as f64;
            t.row(vec![
                p.nodes.into(),
                p.messages_per_job.into(),
                p.throughput.mean.into(),
                p.throughput.half_width().into(),
                self.amdahl.predict(n).into(),
                self.usl.predict(n).into(),
            ])
            .expect("six columns");
        }
        t
    }

    /// Mean throughput with 95% error bars, both fitted curves and the ideal linear line.
    pub fn plot(&self) -> Plot {
        let max_n = self.points.iter().map(|p| p.nodes).max().unwrap_or(1);
        let grid: Vec<f64> = (1..=max_n).map(|n| n as f64).collect();
        let curve = |f: &dyn Fn(f64) -> f64| grid.iter().map(|&n| (n, f(n))).collect::<Vec<_>>();
        let bars = self.points.iter().map(|p| (p.nodes as f64, p.throughput.mean, p.throughput.lo, p.throughput.hi));
        Plot::new("Throughput vs nodes")
            .x_label("nodes N")
            .y_label("throughput (jobs/s)")
            .error_bars("simulated (mean, 95% CI)", bars.collect())
            .line("USL fit", curve(&|n| self.usl.predict(n)))
            .line("Amdahl fit", curve(&|n| self.amdahl.predict(n)))
            .line("linear (no overhead)", curve(&|n| self.usl.lambda * n))
    }
}

impl Render for ScalingRun {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
impl Render for ScalingCurve {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(ScalingRun, ScalingCurve);
