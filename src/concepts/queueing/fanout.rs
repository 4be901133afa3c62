//! Fan-out tail amplification: a request that waits for the slowest of `n` servers.
//!
//! A search front-end asks `n` index servers and answers when the last one replies. If one server
//! is slower than its own p99 only 1% of the time, the request is held up by *some* slow server with
//! probability `1 − 0.99ⁿ`: 10% for n = 10, 63% for n = 100. The rare tail of one machine becomes
//! the common case of the whole system. For i.i.d. latencies with CDF `F`, the fan-out latency's
//! quantile `p` is `F⁻¹(p^(1/n))`; with exponential latencies (mean `m`) that is `−m·ln(1 − p^(1/n))`.

use crate::cancel::Checkpoint;
use crate::error::{Error, Result};
use crate::render::{Format, MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::stats::{proportion_ci95, Estimate};
use crate::validate;

use super::{exponential, sample_quantile};

/// Fan-out to `n` servers whose latencies are independent exponentials.
#[derive(Clone, Debug, PartialEq)]
pub struct FanoutConfig {
    /// The fan-out widths to compare.
    pub fanouts: Vec<usize>,
    /// Mean latency of one server, milliseconds.
    pub server_mean_ms: f64,
    /// The per-server quantile that defines "slow" (0.99: slower than one server's p99).
    pub quantile: f64,
    /// Requests simulated per fan-out width.
    pub requests: usize,
}

impl Default for FanoutConfig {
    fn default() -> Self {
        FanoutConfig { fanouts: vec![1, 2, 5, 10, 20, 50, 100], server_mean_ms: 10.0, quantile: 0.99, requests: 20_000 }
    }
}

/// One fan-out width.
#[derive(Clone, Debug, PartialEq)]
pub struct FanoutPoint {
    /// n.
    pub fanout: usize,
    /// Fraction of requests slower than one server's `quantile`, with a Wilson 95% CI.
    pub slow_fraction: Estimate,
    /// `1 − quantileⁿ`.
    pub slow_theory: f64,
    /// Simulated request latency at `quantile`, ms.
    pub tail_ms: f64,
    /// Exact request latency at `quantile`, ms.
    pub tail_theory_ms: f64,
}

/// Tail amplification across fan-out widths.
#[derive(Clone, Debug, PartialEq)]
pub struct FanoutResult {
    /// The configuration that was run.
    pub config: FanoutConfig,
    /// One point per fan-out width, in the order given.
    pub points: Vec<FanoutPoint>,
}

impl FanoutConfig {
    /// Refuses empty or zero fan-outs, a non-positive mean, a quantile outside (0, 1).
    pub fn validate(&self) -> Result<()> {
        if self.fanouts.is_empty() {
            return Err(Error::empty("fanouts"));
        }
        for &n in &self.fanouts {
            validate::count_in("fanouts", n, 1, 100_000)?;
        }
        validate::positive("server_mean_ms", self.server_mean_ms)?;
        if !(self.quantile > 0.0 && self.quantile < 1.0) {
            return Err(Error::invalid("quantile", self.quantile, "a number in (0, 1)"));
        }
        validate::count_in("requests", self.requests, 100, 10_000_000)?;
        Ok(())
    }

    /// Exact latency quantile `p` of the slowest of `n` exponential servers, ms.
    pub fn exact_tail_ms(&self, n: usize, p: f64) -> f64 {
        -self.server_mean_ms * (1.0 - p.powf(1.0 / n as f64)).ln()
    }

    /// Simulates every fan-out width; width `i` uses its own stream so widths are independent.
    pub fn run(&self, seed: u64) -> Result<FanoutResult> {
        self.validate()?;
        let threshold = self.exact_tail_ms(1, self.quantile);
        let rate = 1.0 / self.server_mean_ms;
        let mut checkpoint = Checkpoint::every(4096);
        let mut points = Vec::with_capacity(self.fanouts.len());
        for (i, &n) in self.fanouts.iter().enumerate() {
            let mut rng = stream(seed, Stream::Custom(i as u64));
            let mut latencies = Vec::with_capacity(self.requests);
            for _ in 0..self.requests {
                checkpoint.tick()?;
                let slowest = (0..n).map(|_| exponential(&mut rng, rate)).fold(0.0, f64::max);
                latencies.push(slowest);
            }
            let slow = latencies.iter().filter(|&&l| l > threshold).count() as u64;
            latencies.sort_by(f64::total_cmp);
            points.push(FanoutPoint {
                fanout: n,
                slow_fraction: proportion_ci95(slow, self.requests as u64)?,
                slow_theory: 1.0 - self.quantile.powi(n as i32),
                tail_ms: sample_quantile(&latencies, self.quantile),
                tail_theory_ms: self.exact_tail_ms(n, self.quantile),
            });
        }
        Ok(FanoutResult { config: self.clone(), points })
    }
}

impl FanoutResult {
    /// Per fan-out: slow fraction (sim with CI, theory) and tail latency (sim, exact).
    pub fn table(&self) -> Table {
        let q = 100.0 * self.config.quantile;
        let mut t =
            Table::new(["fan-out n", "P(slow) sim", "95% CI", "P(slow) = 1-qⁿ", "tail sim (ms)", "tail exact (ms)"])
                .title(format!("Waiting for the slowest of n servers (slow = beyond one server's p{q:.0})"));
        for p in &self.points {
            let e = &p.slow_fraction;
            t.row(vec![
                p.fanout.into(),
                e.mean.into(),
                format!("[{:.3}, {:.3}]", e.lo, e.hi).into(),
                p.slow_theory.into(),
                p.tail_ms.into(),
                p.tail_theory_ms.into(),
            ])
            .expect("six columns");
        }
        t.format("P(slow) sim", Format::Percent(1))
            .and_then(|t| t.format("P(slow) = 1-qⁿ", Format::Percent(1)))
            .expect("columns exist")
    }

    /// Probability of hitting a slow server vs fan-out, theory line and simulated points with CIs.
    pub fn plot(&self) -> Plot {
        let theory = self.points.iter().map(|p| (p.fanout as f64, p.slow_theory)).collect();
        let sim = self
            .points
            .iter()
            .map(|p| (p.fanout as f64, p.slow_fraction.mean, p.slow_fraction.lo, p.slow_fraction.hi))
            .collect();
        Plot::new("Tail amplification under fan-out")
            .x_label("fan-out n")
            .y_label("P(request is slow)")
            .log_x()
            .line("1 - qⁿ", theory)
            .error_bars("simulated", sim)
    }
}

impl Render for FanoutResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(FanoutResult);
