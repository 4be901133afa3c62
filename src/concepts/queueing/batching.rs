//! Batching: trading a little latency for a lot of throughput.
//!
//! Many operations have a fixed cost per call (a disk flush, a network round trip, a GPU launch)
//! plus a small cost per item. A server that handles one request per call can serve at most
//! `1/(overhead + per_item)` requests per second; one that takes everything waiting, up to `b`
//! items, per call can serve `b/(overhead + b·per_item)`. Near saturation this *lowers* latency,
//! because the queue drains faster; at light load it changes little (batches are small anyway).
//!
//! The model is *dynamic* batching: when the server becomes free it takes every request already
//! waiting (at most `max_batch`), so no request ever waits for a batch to fill.
//!
//! ```
//! use distsim::prelude::*;
//! use concepts::queueing::batching::BatchingConfig;
//! let limits = BatchingConfig::default().sweep_batch_sizes(&[1, 16], 0..3)?;
//! let p99 = limits.means("p99_ms")?;
//! assert!(p99[1] < p99[0]); // near saturation, batching cuts the tail
//! # Ok::<(), distsim::Error>(())
//! ```

use crate::cancel::Checkpoint;
use crate::error::{Error, Result};
use crate::experiment::{Experiment, ExperimentSweep, Parameters, Range, Report};
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::time::{secs, Duration};

use super::{exponential, sample_quantile};

/// Inter-arrival times of the batching server's requests.
const ARRIVALS: Stream = Stream::named("batching/arrivals", 0);

/// A single server that processes requests in batches.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchingConfig {
    /// Poisson arrival rate, requests per second.
    pub arrival_rate: f64,
    /// Fixed cost of one call.
    pub batch_overhead: Duration,
    /// Extra cost of each item in a call.
    pub per_item: Duration,
    /// Largest batch the server takes (1 = no batching).
    pub max_batch: usize,
    /// Requests simulated.
    pub requests: usize,
}

crate::parameters!(BatchingConfig {
    arrival_rate: Range::real(0.001, 1e9) => "requests arriving per second (Poisson), below the capacity",
    batch_overhead: Range::time(Duration::ZERO, secs(10)) => "fixed cost of one call (a flush, a round trip)",
    per_item: Range::time(Duration::ZERO, secs(10)) => "extra cost of each item in a call",
    max_batch: Range::count(1, 100_000) => "largest batch the server takes (1 = no batching)",
    requests: Range::count(100, 100_000_000) => "requests simulated",
});

impl Default for BatchingConfig {
    /// 800 requests/s against 1 ms per call + 0.2 ms per item: 96% busy without batching.
    fn default() -> Self {
        BatchingConfig {
            arrival_rate: 800.0,
            batch_overhead: Duration::from_millis(1),
            per_item: Duration::from_micros(200),
            max_batch: 16,
            requests: 50_000,
        }
    }
}

/// What a batching run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchingResult {
    /// The configuration that was run.
    pub config: BatchingConfig,
    /// Maximum throughput `b/(overhead + b·per_item)`, requests per second.
    pub capacity: f64,
    /// Mean latency.
    pub mean: Duration,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
    /// Mean number of requests per call.
    pub mean_batch: f64,
}

impl BatchingConfig {
    /// Throughput ceiling for this batch size, requests per second.
    pub fn capacity(&self) -> f64 {
        let b = self.max_batch as f64;
        b / (self.batch_overhead.as_secs_f64() + b * self.per_item.as_secs_f64())
    }

    /// The same load with each batch limit in `sizes` and every seed of `seeds`: a thin wrapper
    /// over [`Experiment::sweep`] of `max_batch` (a limit that cannot keep up is an error).
    pub fn sweep_batch_sizes(&self, sizes: &[usize], seeds: impl IntoIterator<Item = u64>) -> Result<ExperimentSweep> {
        self.sweep("max_batch", sizes, seeds)
    }
}

impl Experiment for BatchingConfig {
    type Output = BatchingResult;

    /// The ranges, then: a call costs something, and the load is below the capacity.
    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        if self.batch_overhead + self.per_item == Duration::ZERO {
            return Err(Error::invalid("per_item", self.per_item, "> 0 when batch_overhead is 0"));
        }
        if self.arrival_rate >= self.capacity() {
            return Err(Error::invalid(
                "arrival_rate",
                self.arrival_rate,
                format!("< the capacity {:.1}/s of batches of up to {}", self.capacity(), self.max_batch),
            ));
        }
        Ok(())
    }

    /// Simulates the server. Service times are deterministic; only arrivals are random (stream
    /// `batching/arrivals`).
    fn run(&self, seed: u64) -> Result<BatchingResult> {
        self.validate()?;
        let mut rng = stream(seed, ARRIVALS);
        let mut t = 0.0;
        let arrivals: Vec<f64> = (0..self.requests)
            .map(|_| {
                t += exponential(&mut rng, self.arrival_rate);
                t
            })
            .collect();
        let (overhead, per_item) = (self.batch_overhead.as_secs_f64(), self.per_item.as_secs_f64());
        let (mut next, mut free_at, mut batches) = (0usize, 0.0_f64, 0usize);
        let mut latencies = Vec::with_capacity(self.requests);
        let mut checkpoint = Checkpoint::every(4096);
        while next < arrivals.len() {
            checkpoint.tick()?;
            let start = free_at.max(arrivals[next]);
            // Everything that has arrived by `start`, up to the batch limit.
            let mut end = next;
            while end < arrivals.len() && end - next < self.max_batch && arrivals[end] <= start {
                end += 1;
            }
            free_at = start + overhead + (end - next) as f64 * per_item;
            latencies.extend(arrivals[next..end].iter().map(|a| free_at - a));
            next = end;
            batches += 1;
        }
        let mean = latencies.iter().sum::<f64>() / latencies.len() as f64;
        latencies.sort_by(f64::total_cmp);
        Ok(BatchingResult {
            config: self.clone(),
            capacity: self.capacity(),
            mean: Duration::from_secs_f64("mean latency", mean)?,
            p50: Duration::from_secs_f64("p50", sample_quantile(&latencies, 0.5))?,
            p99: Duration::from_secs_f64("p99", sample_quantile(&latencies, 0.99))?,
            mean_batch: self.requests as f64 / batches as f64,
        })
    }
}

impl BatchingResult {
    /// One-row table of this run: batch limit, capacity, batch size and latency.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["max batch", "capacity (req/s)", "mean batch", "mean", "p50", "p99"])
            .title("Batching: capacity and latency");
        t.row(vec![
            self.config.max_batch.into(),
            self.capacity.into(),
            self.mean_batch.into(),
            self.mean.into(),
            self.p50.into(),
            self.p99.into(),
        ])
        .expect("six columns");
        t
    }
    /// Latency quantiles of this run as bars.
    pub fn plot(&self) -> Plot {
        Plot::new(format!("Batches of up to {}", self.config.max_batch)).y_label("latency (ms)").bar(
            "latency",
            vec![
                ("mean".into(), self.mean.as_millis_f64()),
                ("p50".into(), self.p50.as_millis_f64()),
                ("p99".into(), self.p99.as_millis_f64()),
            ],
        )
    }
}

impl Report for BatchingResult {
    /// `mean_ms`, `p50_ms`, `p99_ms` (latency), `mean_batch` (requests per call) and `capacity`
    /// (requests per second).
    fn measures(&self) -> Vec<(String, f64)> {
        vec![
            ("mean_ms".into(), self.mean.as_millis_f64()),
            ("p50_ms".into(), self.p50.as_millis_f64()),
            ("p99_ms".into(), self.p99.as_millis_f64()),
            ("mean_batch".into(), self.mean_batch),
            ("capacity".into(), self.capacity),
        ]
    }
    fn table(&self) -> Table {
        BatchingResult::table(self)
    }
    fn plot(&self) -> Plot {
        BatchingResult::plot(self)
    }
}

impl Render for BatchingResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(BatchingResult);
