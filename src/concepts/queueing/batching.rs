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

use crate::cancel::Checkpoint;
use crate::error::{Error, Result};
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::validate;

use super::{exponential, sample_quantile};

/// A single server that processes requests in batches.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchingConfig {
    /// Poisson arrival rate, requests per second.
    pub arrival_rate: f64,
    /// Fixed cost of one call, milliseconds.
    pub batch_overhead_ms: f64,
    /// Extra cost of each item in a call, milliseconds.
    pub per_item_ms: f64,
    /// Largest batch the server takes (1 = no batching).
    pub max_batch: usize,
    /// Requests simulated.
    pub requests: usize,
}

impl Default for BatchingConfig {
    /// 800 requests/s against 1 ms per call + 0.2 ms per item: 96% busy without batching.
    fn default() -> Self {
        BatchingConfig {
            arrival_rate: 800.0,
            batch_overhead_ms: 1.0,
            per_item_ms: 0.2,
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
    /// Mean latency, ms.
    pub mean_ms: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Mean number of requests per call.
    pub mean_batch: f64,
}

impl BatchingConfig {
    /// Throughput ceiling for this batch size, requests per second.
    pub fn capacity(&self) -> f64 {
        let b = self.max_batch as f64;
        1e3 * b / (self.batch_overhead_ms + b * self.per_item_ms)
    }

    /// Refuses bad costs and a load above the capacity.
    pub fn validate(&self) -> Result<()> {
        validate::positive("arrival_rate", self.arrival_rate)?;
        validate::non_negative("batch_overhead_ms", self.batch_overhead_ms)?;
        validate::non_negative("per_item_ms", self.per_item_ms)?;
        if self.batch_overhead_ms + self.per_item_ms <= 0.0 {
            return Err(Error::invalid("per_item_ms", self.per_item_ms, "> 0 when batch_overhead_ms is 0"));
        }
        validate::count_in("max_batch", self.max_batch, 1, 100_000)?;
        validate::count_in("requests", self.requests, 100, 100_000_000)?;
        if self.arrival_rate >= self.capacity() {
            return Err(Error::invalid(
                "arrival_rate",
                self.arrival_rate,
                format!("< the capacity {:.1}/s of batches of up to {}", self.capacity(), self.max_batch),
            ));
        }
        Ok(())
    }

    /// Simulates the server. Service times are deterministic; only arrivals are random.
    pub fn run(&self, seed: u64) -> Result<BatchingResult> {
        self.validate()?;
        let mut rng = stream(seed, Stream::Workload);
        let mut t = 0.0;
        let arrivals: Vec<f64> = (0..self.requests)
            .map(|_| {
                t += exponential(&mut rng, self.arrival_rate);
                t
            })
            .collect();
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
            let size = (end - next) as f64;
            free_at = start + (self.batch_overhead_ms + size * self.per_item_ms) / 1e3;
            latencies.extend(arrivals[next..end].iter().map(|a| 1e3 * (free_at - a)));
            next = end;
            batches += 1;
        }
        let mean_ms = latencies.iter().sum::<f64>() / latencies.len() as f64;
        latencies.sort_by(f64::total_cmp);
        Ok(BatchingResult {
            config: self.clone(),
            capacity: self.capacity(),
            mean_ms,
            p50_ms: sample_quantile(&latencies, 0.5),
            p99_ms: sample_quantile(&latencies, 0.99),
            mean_batch: self.requests as f64 / batches as f64,
        })
    }

    /// Runs the same load with each batch limit in `sizes` (sizes that cannot keep up are errors).
    pub fn sweep_batch_sizes(&self, sizes: &[usize], seed: u64) -> Result<BatchingSweep> {
        if sizes.is_empty() {
            return Err(Error::empty("sizes"));
        }
        let runs =
            sizes.iter().map(|&b| BatchingConfig { max_batch: b, ..self.clone() }.run(seed)).collect::<Result<_>>()?;
        Ok(BatchingSweep { runs })
    }
}

/// Several batch limits under the same load.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchingSweep {
    /// One run per batch limit.
    pub runs: Vec<BatchingResult>,
}

impl BatchingResult {
    /// One-row table of this run.
    pub fn table(&self) -> Table {
        BatchingSweep { runs: vec![self.clone()] }.table()
    }
    /// Latency quantiles of this run as bars.
    pub fn plot(&self) -> Plot {
        Plot::new(format!("Batches of up to {}", self.config.max_batch)).y_label("latency (ms)").bar(
            "latency",
            vec![("mean".into(), self.mean_ms), ("p50".into(), self.p50_ms), ("p99".into(), self.p99_ms)],
        )
    }
}

impl BatchingSweep {
    /// Batch limit against capacity, batch size and latency.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["max batch", "capacity (req/s)", "mean batch", "mean (ms)", "p50 (ms)", "p99 (ms)"])
            .title("Batching: capacity and latency");
        for r in &self.runs {
            t.row(vec![
                r.config.max_batch.into(),
                r.capacity.into(),
                r.mean_batch.into(),
                r.mean_ms.into(),
                r.p50_ms.into(),
                r.p99_ms.into(),
            ])
            .expect("six columns");
        }
        t
    }
    /// p50 and p99 against the batch limit.
    pub fn plot(&self) -> Plot {
        let s = |f: fn(&BatchingResult) -> f64| self.runs.iter().map(|r| (r.config.max_batch as f64, f(r))).collect();
        Plot::new("Latency vs batch limit")
            .x_label("max batch")
            .y_label("latency (ms)")
            .line("p50", s(|r| r.p50_ms))
            .line("p99", s(|r| r.p99_ms))
    }
}

impl Render for BatchingResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
impl Render for BatchingSweep {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(BatchingResult);
crate::impl_evcxr_display!(BatchingSweep);
