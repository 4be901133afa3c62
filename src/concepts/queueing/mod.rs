//! Latency vs throughput: what queues do to response time.
//!
//! A server that can finish `μ` requests per second, offered `λ` requests per second, is busy a
//! fraction `ρ = λ/μ` of the time (its *utilisation*). Requests that arrive while it is busy wait.
//! With random (Poisson) arrivals and random (exponential) service — the M/M/1 queue — the mean time
//! in the system is `W = 1/(μ − λ)`: at 50% utilisation a request takes twice its service time, at
//! 90% ten times, at 99% a hundred times. Plotted against utilisation this is the *hockey stick*
//! ([`hockey_stick`]), and the tail (p99) bends up sooner and harder than the median.
//!
//! With `c` servers sharing one queue (M/M/c) the probability of waiting at all is the Erlang C
//! formula; pooling servers flattens the stick. *Little's law* `L = λW` links the average number of
//! requests in the system to their arrival rate and mean latency, for any stable queue.
//!
//! The simulation here is exact for a first-come-first-served queue: request `i` starts when it has
//! arrived and a server is free, which needs no event queue, only the servers' next-free times
//! (Lindley's recursion). The mean latency's 95% confidence interval uses *batch means* (successive
//! latencies are correlated, so the naive standard error would be too small). Arrivals and service
//! times draw from two streams of their own (`queue/arrivals`, `queue/service`), so two loads run
//! with one seed serve the same work: the difference between them is the load's effect.
//!
//! ```
//! use distsim::prelude::*;
//! use concepts::queueing::QueueConfig;
//! let busy = QueueConfig::default().run(12)?; // one server at 80%: 5 ms mean in theory
//! assert!((busy.mean_latency.mean - busy.theory.mean_latency).abs() < 5e-4);
//! let loads = QueueConfig::default().sweep("arrival_rate", &[500.0, 900.0], 0..3)?;
//! let p99 = loads.means("p99_ms")?;
//! assert!(p99[1] > 3.0 * p99[0]); // the hockey stick
//! # Ok::<(), distsim::Error>(())
//! ```
//!
//! See also [`fanout`] (waiting for the slowest of `n` servers) and [`batching`].

pub mod batching;
pub mod fanout;
mod hockey;
mod theory;

pub use hockey::{hockey_stick, HockeyPoint, HockeyStick};
pub use theory::{erlang_c, mm1_mean_latency, MmcTheory};

use crate::cancel::Checkpoint;
use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range, Report};
use crate::render::{MimeBundle, Plot, Render, Table, Value};
use crate::rng::{stream, SimRng, Stream};
use crate::stats::{mean_ci95, Estimate};
use crate::time::Duration;
use rand::Rng;

/// Inter-arrival times of the queue's requests.
const ARRIVALS: Stream = Stream::named("queue/arrivals", 0);
/// Service times of the queue's requests.
const SERVICE: Stream = Stream::named("queue/service", 0);

/// An M/M/c queue: Poisson arrivals, exponential service, `servers` servers sharing one FCFS queue.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueConfig {
    /// Arrival rate λ, requests per second.
    pub arrival_rate: f64,
    /// Service rate μ of one server, requests per second.
    pub service_rate: f64,
    /// Number of servers c.
    pub servers: usize,
    /// Requests simulated, including the warm-up.
    pub requests: usize,
    /// Requests discarded at the start, while the queue fills from empty (less than half of them).
    pub warmup: usize,
}

crate::parameters!(QueueConfig {
    arrival_rate: Range::real(0.001, 1e9) => "requests arriving per second (Poisson), below servers × service_rate",
    service_rate: Range::real(0.001, 1e9) => "requests one server finishes per second (exponential service)",
    servers: Range::count(1, 10_000) => "servers sharing the one queue",
    requests: Range::count(1_000, 100_000_000) => "requests simulated, warm-up included",
    warmup: Range::count(0, 50_000_000) => "requests discarded at the start (fewer than requests / 2)",
});

impl Default for QueueConfig {
    /// One server doing 1,000 requests/s at 80% utilisation: 5 ms mean latency in theory.
    fn default() -> Self {
        QueueConfig { arrival_rate: 800.0, service_rate: 1000.0, servers: 1, requests: 100_000, warmup: 5_000 }
    }
}

impl QueueConfig {
    /// Utilisation ρ = λ / (cμ).
    pub fn utilisation(&self) -> f64 {
        self.arrival_rate / (self.servers as f64 * self.service_rate)
    }

    /// The closed-form M/M/c figures for this queue.
    pub fn theory(&self) -> Result<MmcTheory> {
        MmcTheory::new(self.arrival_rate, self.service_rate, self.servers)
    }
}

impl Experiment for QueueConfig {
    type Output = QueueResult;

    /// The ranges, then: a warm-up shorter than half the run, and a stable queue (λ < cμ).
    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        if self.warmup >= self.requests / 2 {
            return Err(Error::invalid(
                "warmup",
                self.warmup,
                format!("an integer < requests/2 = {}", self.requests / 2),
            ));
        }
        let capacity = self.servers as f64 * self.service_rate;
        if self.arrival_rate >= capacity {
            return Err(Error::invalid(
                "arrival_rate",
                self.arrival_rate,
                format!("< servers × service_rate = {capacity} (otherwise the queue grows without bound)"),
            ));
        }
        Ok(())
    }

    /// Simulates the queue: arrivals from stream `queue/arrivals`, service from `queue/service`.
    fn run(&self, seed: u64) -> Result<QueueResult> {
        self.validate()?;
        let (arrivals, departures) = simulate_fcfs(self, seed)?;
        let kept = self.warmup..self.requests;
        let latencies: Vec<f64> = kept.clone().map(|i| departures[i] - arrivals[i]).collect();
        // Batch means: 20 consecutive batches are nearly independent for runs this long.
        let batch = latencies.len() / 20;
        let batch_means: Vec<f64> =
            latencies.chunks_exact(batch).map(|c| c.iter().sum::<f64>() / c.len() as f64).collect();
        let mean_latency = mean_ci95(&batch_means)?;
        let mut sorted = latencies.clone();
        sorted.sort_by(f64::total_cmp);
        let little = little_check(&arrivals, &departures, self.warmup);
        Ok(QueueResult {
            config: self.clone(),
            theory: self.theory()?,
            mean_latency,
            p50: Duration::from_secs_f64("p50", sample_quantile(&sorted, 0.50))?,
            p99: Duration::from_secs_f64("p99", sample_quantile(&sorted, 0.99))?,
            little,
        })
    }
}

/// Exact FCFS multi-server recursion: returns arrival and departure times in seconds.
fn simulate_fcfs(cfg: &QueueConfig, seed: u64) -> Result<(Vec<f64>, Vec<f64>)> {
    let (mut arrive, mut serve) = (stream(seed, ARRIVALS), stream(seed, SERVICE));
    let mut free_at = vec![0.0_f64; cfg.servers];
    let (mut arrivals, mut departures) = (Vec::with_capacity(cfg.requests), Vec::with_capacity(cfg.requests));
    let mut now = 0.0;
    let mut checkpoint = Checkpoint::every(65_536);
    for _ in 0..cfg.requests {
        checkpoint.tick()?;
        now += exponential(&mut arrive, cfg.arrival_rate);
        // The server that frees up first takes the request; ties go to the lowest index.
        let (k, &free) = free_at.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).expect("servers >= 1");
        let start = if free > now { free } else { now };
        let done = start + exponential(&mut serve, cfg.service_rate);
        free_at[k] = done;
        arrivals.push(now);
        departures.push(done);
    }
    Ok((arrivals, departures))
}

/// One exponential draw with the given rate (inverse transform; `1 − u` avoids `ln 0`).
pub(crate) fn exponential(rng: &mut SimRng, rate: f64) -> f64 {
    -(1.0 - rng.random::<f64>()).ln() / rate
}

/// One exponential span of time with the given mean (zero without a draw when the mean is zero),
/// rounded to the engine's nanosecond.
pub(crate) fn exponential_time(rng: &mut SimRng, mean: Duration) -> Duration {
    if mean == Duration::ZERO {
        return Duration::ZERO;
    }
    let draw = -(1.0 - rng.random::<f64>()).ln();
    Duration::from_nanos((draw * mean.as_nanos() as f64).round() as u64)
}

/// The `q`-quantile of ascending `sorted` samples (nearest rank); 0 for an empty slice.
pub fn sample_quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Little's law measured independently on both sides over one observation window.
#[derive(Clone, Debug, PartialEq)]
pub struct LittleCheck {
    /// Time-average number of requests in the system, L, integrated over the window.
    pub mean_in_system: f64,
    /// Arrivals per second during the window, λ.
    pub arrival_rate: f64,
    /// Mean time in the system of the requests that arrived in the window, W (seconds).
    pub mean_latency: f64,
}

impl LittleCheck {
    /// L / (λW): 1 when Little's law holds; the window's edges make it differ slightly.
    pub fn ratio(&self) -> f64 {
        self.mean_in_system / (self.arrival_rate * self.mean_latency)
    }
}

/// L is the area under N(t) over the window [first kept arrival, last arrival], divided by its length;
/// λ and W come from the arrivals inside it. No quantity is derived from another, so the check can fail.
fn little_check(arrivals: &[f64], departures: &[f64], warmup: usize) -> LittleCheck {
    let (t0, t1) = (arrivals[warmup], arrivals[arrivals.len() - 1]);
    let mut area = 0.0;
    let (mut count, mut latency_sum) = (0usize, 0.0);
    for (&a, &d) in arrivals.iter().zip(departures) {
        let (lo, hi) = (a.max(t0), d.min(t1));
        if hi > lo {
            area += hi - lo;
        }
        if a >= t0 && a < t1 {
            count += 1;
            latency_sum += d - a;
        }
    }
    let span = t1 - t0;
    LittleCheck {
        mean_in_system: area / span,
        arrival_rate: count as f64 / span,
        mean_latency: latency_sum / count as f64,
    }
}

/// What one queue run measured, next to the closed form.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueResult {
    /// The configuration that was run.
    pub config: QueueConfig,
    /// Erlang C / M/M/1 closed forms (times in seconds).
    pub theory: MmcTheory,
    /// Mean latency in seconds, with a batch-means 95% CI.
    pub mean_latency: Estimate,
    /// Median latency.
    pub p50: Duration,
    /// 99th-percentile latency.
    pub p99: Duration,
    /// Little's law, measured.
    pub little: LittleCheck,
}

impl QueueResult {
    /// Theory vs simulation, one row per quantity.
    pub fn table(&self) -> Table {
        let c = &self.config;
        let mut t = Table::new(["quantity", "theory", "simulated", "95% CI"]).title(format!(
            "M/M/{} queue at utilisation {:.0}%",
            c.servers,
            100.0 * c.utilisation()
        ));
        let ms = |x: f64| Value::Text(format!("{:.3} ms", 1e3 * x));
        let ci = format!("[{:.3}, {:.3}] ms", 1e3 * self.mean_latency.lo, 1e3 * self.mean_latency.hi);
        let th = &self.theory;
        let rows = vec![
            vec!["mean latency W".into(), ms(th.mean_latency), ms(self.mean_latency.mean), ci.into()],
            vec!["p50 latency".into(), ms(th.latency_quantile(0.5)), ms(self.p50.as_secs_f64()), Value::Missing],
            vec!["p99 latency".into(), ms(th.latency_quantile(0.99)), ms(self.p99.as_secs_f64()), Value::Missing],
            vec!["P(wait) (Erlang C)".into(), th.wait_probability.into(), Value::Missing, Value::Missing],
            vec![
                "L (mean in system)".into(),
                th.mean_in_system.into(),
                self.little.mean_in_system.into(),
                Value::Missing,
            ],
            vec![
                "λW (Little)".into(),
                (c.arrival_rate * th.mean_latency).into(),
                (self.little.arrival_rate * self.little.mean_latency).into(),
                Value::Missing,
            ],
        ];
        for r in rows {
            t.row(r).expect("four columns");
        }
        t
    }

    /// Latency quantiles, simulated and exact, on one plot.
    pub fn plot(&self) -> Plot {
        let qs = [0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];
        let th: Vec<(f64, f64)> = qs.iter().map(|&q| (q, 1e3 * self.theory.latency_quantile(q))).collect();
        let sim = vec![(0.5, self.p50.as_millis_f64()), (0.99, self.p99.as_millis_f64())];
        Plot::new(format!("M/M/{} latency quantiles", self.config.servers))
            .x_label("quantile")
            .y_label("latency (ms)")
            .line("theory", th)
            .scatter("simulated", sim)
    }
}

impl Report for QueueResult {
    /// `mean_ms`, `p50_ms`, `p99_ms` (latency), `in_system` (L, measured) and `little_ratio`
    /// (L / λW, 1 when Little's law holds).
    fn measures(&self) -> Vec<(String, f64)> {
        vec![
            ("mean_ms".into(), 1e3 * self.mean_latency.mean),
            ("p50_ms".into(), self.p50.as_millis_f64()),
            ("p99_ms".into(), self.p99.as_millis_f64()),
            ("in_system".into(), self.little.mean_in_system),
            ("little_ratio".into(), self.little.ratio()),
        ]
    }
    fn table(&self) -> Table {
        QueueResult::table(self)
    }
    fn plot(&self) -> Plot {
        QueueResult::plot(self)
    }
}

impl Render for QueueResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(QueueResult);
