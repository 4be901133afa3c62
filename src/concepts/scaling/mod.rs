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
//! The simulator here is a closed system of `N` nodes, each running jobs back to back. A job is a
//! stretch of local CPU work (exponential, mean `(1 − serial_fraction)·job_ms`), then a critical
//! section on one global first-come-first-served lock (exponential, mean `serial_fraction·job_ms`),
//! then a commit that sends one coordination message to every other node. Every node pays
//! `coordination_ms` of CPU per message it receives, before its next job. We use this queueing
//! model rather than the message-level engine because a sweep needs thousands of runs; the costs
//! are the same ones the engine would charge, without per-message scheduling.
//!
//! Contention yields Amdahl's curve; coherence adds the `κN(N − 1)` term of the Universal
//! Scalability Law (see [`fit`]) and with it a peak and *retrograde* scaling beyond it.

pub mod fit;

pub use fit::{amdahl_throughput, fit_amdahl, fit_usl, synthetic_usl, usl_throughput, AmdahlFit, UslFit};

use crate::cancel::Checkpoint;
use crate::error::{Error, Result};
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::sweep::{Sweep, SweepResult};
use crate::validate;
use rand::Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The scaling experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingConfig {
    /// Node counts to compare.
    pub node_counts: Vec<usize>,
    /// Mean total work of one job on one node, milliseconds.
    pub job_ms: f64,
    /// Fraction of a job's work done holding the global lock (contention).
    pub serial_fraction: f64,
    /// CPU time a node spends handling one coordination message, milliseconds (coherence).
    pub coordination_ms: f64,
    /// Jobs completed per run, across all nodes.
    pub jobs: usize,
}

impl Default for ScalingConfig {
    /// 20 node counts from 1 to 38; coordination tuned so that throughput peaks near 20 nodes.
    fn default() -> Self {
        let mut node_counts = vec![1];
        node_counts.extend((1..20).map(|k| 2 * k));
        ScalingConfig { node_counts, job_ms: 10.0, serial_fraction: 0.03, coordination_ms: 0.02, jobs: 400 }
    }
}

/// Throughput of one run on `nodes` nodes.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingPoint {
    /// N.
    pub nodes: usize,
    /// Jobs per second.
    pub throughput: f64,
    /// Coordination messages per job, `N(N − 1)`.
    pub messages_per_job: u64,
}

impl ScalingConfig {
    /// Refuses empty or zero node counts and costs out of range.
    pub fn validate(&self) -> Result<()> {
        if self.node_counts.is_empty() {
            return Err(Error::empty("node_counts"));
        }
        for &n in &self.node_counts {
            validate::count_in("node_counts", n, 1, 4096)?;
        }
        validate::positive("job_ms", self.job_ms)?;
        validate::in_range("serial_fraction", self.serial_fraction, 0.0, 1.0)?;
        validate::non_negative("coordination_ms", self.coordination_ms)?;
        validate::count_in("jobs", self.jobs, 10, 100_000_000)?;
        Ok(())
    }

    /// Simulates `nodes` nodes, each `speed` times faster than the baseline, until `jobs` commit.
    /// Events at equal times run in (time, sequence) order, so the run is deterministic.
    pub fn throughput(&self, nodes: usize, speed: f64, seed: u64) -> Result<ScalingPoint> {
        self.validate()?;
        validate::count_in("nodes", nodes, 1, 4096)?;
        validate::positive("speed", speed)?;
        let mut rng = stream(seed, Stream::Custom(nodes as u64));
        let mut exp = |mean: f64| -> f64 {
            if mean > 0.0 {
                -mean * (1.0 - rng.random::<f64>()).ln()
            } else {
                0.0
            }
        };
        let local_ms = (1.0 - self.serial_fraction) * self.job_ms / speed;
        let lock_ms = self.serial_fraction * self.job_ms / speed;
        let per_commit = self.coordination_ms / speed * (nodes - 1) as f64;
        // Coordination work owed by every node is one global counter; each node remembers how much
        // of it it has already paid, so a commit costs O(1) instead of touching all N nodes.
        let (mut owed, mut paid) = (0.0_f64, vec![0.0_f64; nodes]);
        let (mut lock_free, mut seq, mut committed, mut now) = (0.0_f64, 0u64, 0usize, 0.0_f64);
        // (time in ns as an integer key for exact ordering, sequence, node, is_commit)
        let mut queue: BinaryHeap<Reverse<(u64, u64, usize, bool)>> = BinaryHeap::new();
        let key = |ms: f64| (ms * 1e6).round() as u64;
        for node in 0..nodes {
            queue.push(Reverse((key(exp(local_ms)), seq, node, false)));
            seq += 1;
        }
        let mut checkpoint = Checkpoint::every(4096);
        while let Some(Reverse((t_ns, _, node, is_commit))) = queue.pop() {
            checkpoint.tick()?;
            let t = t_ns as f64 / 1e6;
            now = t;
            if is_commit {
                committed += 1;
                if committed >= self.jobs {
                    break;
                }
                owed += per_commit;
                let debt = owed - paid[node];
                paid[node] = owed;
                queue.push(Reverse((key(t + debt + exp(local_ms)), seq, node, false)));
            } else {
                let release = lock_free.max(t) + exp(lock_ms);
                lock_free = release;
                queue.push(Reverse((key(release), seq, node, true)));
            }
            seq += 1;
        }
        Ok(ScalingPoint {
            nodes,
            throughput: 1e3 * committed as f64 / now,
            messages_per_job: (nodes * (nodes - 1)) as u64,
        })
    }

    /// One run per node count with `seed`, then Amdahl and USL fits of the measured curve.
    pub fn run(&self, seed: u64) -> Result<ScalingResult> {
        self.validate()?;
        let points = self.node_counts.iter().map(|&n| self.throughput(n, 1.0, seed)).collect::<Result<Vec<_>>>()?;
        let xy: Vec<(f64, f64)> = points.iter().map(|p| (p.nodes as f64, p.throughput)).collect();
        ScalingResult::from_points(self.clone(), points, &xy)
    }

    /// Every node count × every seed, in parallel (deterministic regardless of thread count); the
    /// fits use the per-node-count means.
    pub fn sweep(&self, seeds: impl IntoIterator<Item = u64>) -> Result<ScalingSweep> {
        self.validate()?;
        let sweep = Sweep::new(self.node_counts.clone())
            .seeds(seeds)
            .run(|&n, seed| Ok(self.throughput(n, 1.0, seed)?.throughput))?;
        let xy: Vec<(f64, f64)> = sweep.points.iter().map(|p| (p.param as f64, p.estimates[0].mean)).collect();
        let fitted = ScalingResult::from_points(
            self.clone(),
            xy.iter()
                .map(|&(n, x)| ScalingPoint {
                    nodes: n as usize,
                    throughput: x,
                    messages_per_job: (n * (n - 1.0)) as u64,
                })
                .collect(),
            &xy,
        )?;
        Ok(ScalingSweep { sweep, fitted })
    }

    /// Vertical (one node `k` times faster) against horizontal (`k` baseline nodes), per factor.
    pub fn vertical_vs_horizontal(&self, factors: &[usize], seed: u64) -> Result<Table> {
        if factors.is_empty() {
            return Err(Error::empty("factors"));
        }
        let mut t = Table::new([
            "factor k",
            "vertical: 1 node k× faster (jobs/s)",
            "horizontal: k nodes (jobs/s)",
            "messages per job",
        ])
        .title("Vertical vs horizontal scaling");
        for &k in factors {
            validate::count_in("factors", k, 1, 4096)?;
            let v = self.throughput(1, k as f64, seed)?;
            let h = self.throughput(k, 1.0, seed)?;
            t.row(vec![k.into(), v.throughput.into(), h.throughput.into(), h.messages_per_job.into()])
                .expect("four columns");
        }
        Ok(t)
    }
}

/// Measured throughput per node count, with Amdahl and USL fits.
#[derive(Clone, Debug, PartialEq)]
pub struct ScalingResult {
    /// The configuration that was run.
    pub config: ScalingConfig,
    /// One point per node count.
    pub points: Vec<ScalingPoint>,
    /// Amdahl's law fitted to the points.
    pub amdahl: AmdahlFit,
    /// The USL fitted to the points.
    pub usl: UslFit,
}

impl ScalingResult {
    fn from_points(config: ScalingConfig, points: Vec<ScalingPoint>, xy: &[(f64, f64)]) -> Result<Self> {
        Ok(ScalingResult { config, points, amdahl: fit_amdahl(xy)?, usl: fit_usl(xy)? })
    }

    /// The node count with the highest measured throughput.
    pub fn best_nodes(&self) -> usize {
        self.points.iter().max_by(|a, b| a.throughput.total_cmp(&b.throughput)).map_or(1, |p| p.nodes)
    }

    /// Whether the largest node count measured less than the best one: adding machines made it slower.
    pub fn retrograde(&self) -> bool {
        let largest = self.points.iter().max_by_key(|p| p.nodes).expect("validated non-empty");
        largest.nodes > self.best_nodes()
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

    /// Per node count: messages, measured throughput, both fits.
    pub fn table(&self) -> Table {
        let mut t =
            Table::new(["nodes", "messages/job", "throughput (jobs/s)", "Amdahl fit", "USL fit"]).title(self.summary());
        for p in &self.points {
            let n = p.nodes as f64;
            t.row(vec![
                p.nodes.into(),
                p.messages_per_job.into(),
                p.throughput.into(),
                self.amdahl.predict(n).into(),
                self.usl.predict(n).into(),
            ])
            .expect("five columns");
        }
        t
    }

    /// Measured points, both fitted curves and the ideal linear line.
    pub fn plot(&self) -> Plot {
        let max_n = self.points.iter().map(|p| p.nodes).max().unwrap_or(1);
        let grid: Vec<f64> = (1..=max_n).map(|n| n as f64).collect();
        let curve = |f: &dyn Fn(f64) -> f64| grid.iter().map(|&n| (n, f(n))).collect::<Vec<_>>();
        Plot::new("Throughput vs nodes")
            .x_label("nodes N")
            .y_label("throughput (jobs/s)")
            .scatter("simulated", self.points.iter().map(|p| (p.nodes as f64, p.throughput)).collect())
            .line("USL fit", curve(&|n| self.usl.predict(n)))
            .line("Amdahl fit", curve(&|n| self.amdahl.predict(n)))
            .line("linear (no overhead)", curve(&|n| self.usl.lambda * n))
    }
}

/// A seeds × node-counts sweep with fits on the means.
#[derive(Clone, Debug)]
pub struct ScalingSweep {
    /// Every sample, with a 95% CI per node count.
    pub sweep: SweepResult<usize>,
    /// Fits on the per-node-count means.
    pub fitted: ScalingResult,
}

impl ScalingSweep {
    /// Node count against mean throughput and its CI.
    pub fn table(&self) -> Table {
        self.sweep.table("nodes").title(self.fitted.summary())
    }
    /// Means with error bars and the USL fit.
    pub fn plot(&self) -> Plot {
        let err = self
            .sweep
            .points
            .iter()
            .map(|p| (p.param as f64, p.estimates[0].mean, p.estimates[0].lo, p.estimates[0].hi))
            .collect();
        let max_n = self.fitted.points.iter().map(|p| p.nodes).max().unwrap_or(1);
        Plot::new("Throughput vs nodes (mean and 95% CI over seeds)")
            .x_label("nodes N")
            .y_label("throughput (jobs/s)")
            .error_bars("simulated", err)
            .line("USL fit", (1..=max_n).map(|n| (n as f64, self.fitted.usl.predict(n as f64))).collect())
    }
}

impl Render for ScalingResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
impl Render for ScalingSweep {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(ScalingResult);
crate::impl_evcxr_display!(ScalingSweep);
