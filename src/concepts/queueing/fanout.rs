//! Fan-out tail amplification: a request that waits for the slowest of `n` servers.
//!
//! A search front-end asks `n` index servers and answers when the last one replies. If one server
//! is slower than its own p99 only 1% of the time, the request is held up by *some* slow server with
//! probability `1 − 0.99ⁿ`: 10% for n = 10, 63% for n = 100. The rare tail of one machine becomes
//! the common case of the whole system. For i.i.d. latencies with CDF `F`, the fan-out latency's
//! quantile `p` is `F⁻¹(p^(1/n))`; with exponential latencies (mean `m`) that is `−m·ln(1 − p^(1/n))`.
//!
//! ```
//! use distsim::prelude::*;
//! use concepts::queueing::fanout::FanoutConfig;
//! let curve = FanoutConfig::default().vs_fanout(&[1, 10, 100], 0..3)?;
//! assert!(curve.points[2].slow_fraction.mean > 0.5); // 1 - 0.99^100 ≈ 0.63
//! # Ok::<(), distsim::Error>(())
//! ```

use crate::cancel::Checkpoint;
use crate::error::Result;
use crate::experiment::{Experiment, ExperimentSweep, Parameters, Range, Report};
use crate::render::{Format, MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::stats::{proportion_ci95, Estimate};
use crate::time::{micros, secs, Duration};

use super::{exponential, sample_quantile};

/// The servers' response times.
const SERVER_LATENCY: Stream = Stream::named("fanout/server_latency", 0);

/// Fan-out to `fanout` servers whose latencies are independent exponentials.
#[derive(Clone, Debug, PartialEq)]
pub struct FanoutConfig {
    /// Servers each request asks (and waits for).
    pub fanout: usize,
    /// Mean latency of one server.
    pub server_mean: Duration,
    /// The per-server quantile that defines "slow" (0.99: slower than one server's p99).
    pub quantile: f64,
    /// Requests simulated.
    pub requests: usize,
}

crate::parameters!(FanoutConfig {
    fanout: Range::count(1, 100_000) => "servers each request waits for",
    server_mean: Range::time(micros(1), secs(3600)) => "mean latency of one server (exponential)",
    quantile: Range::real(0.001, 0.999_999) => "per-server quantile that counts as slow (0.99: beyond its p99)",
    requests: Range::count(100, 10_000_000) => "requests simulated",
});

impl Default for FanoutConfig {
    fn default() -> Self {
        FanoutConfig { fanout: 10, server_mean: Duration::from_millis(10), quantile: 0.99, requests: 20_000 }
    }
}

/// The fan-out widths the course compares by default.
pub const FANOUTS: [usize; 7] = [1, 2, 5, 10, 20, 50, 100];

/// What one fan-out run measured, next to the closed forms.
#[derive(Clone, Debug, PartialEq)]
pub struct FanoutResult {
    /// The configuration that was run.
    pub config: FanoutConfig,
    /// Fraction of requests slower than one server's `quantile`, with a Wilson 95% CI.
    pub slow_fraction: Estimate,
    /// `1 − quantileⁿ`.
    pub slow_theory: f64,
    /// Simulated request latency at `quantile`.
    pub tail: Duration,
    /// Exact request latency at `quantile`.
    pub tail_theory: Duration,
}

impl FanoutConfig {
    /// Exact latency quantile `p` of the slowest of `n` exponential servers.
    pub fn exact_tail(&self, n: usize, p: f64) -> Duration {
        let nanos = -(self.server_mean.as_nanos() as f64) * (1.0 - p.powf(1.0 / n as f64)).ln();
        Duration::from_nanos(nanos.round() as u64)
    }

    /// Every width of `fanouts` with every seed of `seeds`: a thin wrapper over
    /// [`Experiment::sweep`] of `fanout`, with the closed forms beside the means.
    pub fn vs_fanout(&self, fanouts: &[usize], seeds: impl IntoIterator<Item = u64>) -> Result<FanoutCurve> {
        let sweep = self.sweep("fanout", fanouts, seeds)?;
        let (slow, tail) = (sweep.estimates("slow_fraction")?, sweep.means("tail_ms")?);
        let points = fanouts
            .iter()
            .zip(slow.into_iter().zip(tail))
            .map(|(&n, (slow_fraction, tail_ms))| {
                Ok(FanoutPoint {
                    fanout: n,
                    slow_fraction,
                    slow_theory: 1.0 - self.quantile.powi(n as i32),
                    tail: Duration::from_millis_f64("tail", tail_ms)?,
                    tail_theory: self.exact_tail(n, self.quantile),
                })
            })
            .collect::<Result<_>>()?;
        Ok(FanoutCurve { config: self.clone(), points, sweep })
    }
}

impl Experiment for FanoutConfig {
    type Output = FanoutResult;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    /// Simulates `requests` requests, each waiting for the slowest of `fanout` servers (stream
    /// `fanout/server_latency`).
    fn run(&self, seed: u64) -> Result<FanoutResult> {
        self.validate()?;
        let threshold = self.exact_tail(1, self.quantile).as_secs_f64();
        let rate = 1.0 / self.server_mean.as_secs_f64();
        let mut checkpoint = Checkpoint::every(4096);
        let mut rng = stream(seed, SERVER_LATENCY);
        let mut latencies = Vec::with_capacity(self.requests);
        for _ in 0..self.requests {
            checkpoint.tick()?;
            let slowest = (0..self.fanout).map(|_| exponential(&mut rng, rate)).fold(0.0, f64::max);
            latencies.push(slowest);
        }
        let slow = latencies.iter().filter(|&&l| l > threshold).count() as u64;
        latencies.sort_by(f64::total_cmp);
        Ok(FanoutResult {
            config: self.clone(),
            slow_fraction: proportion_ci95(slow, self.requests as u64)?,
            slow_theory: 1.0 - self.quantile.powi(self.fanout as i32),
            tail: Duration::from_secs_f64("tail", sample_quantile(&latencies, self.quantile))?,
            tail_theory: self.exact_tail(self.fanout, self.quantile),
        })
    }
}

impl FanoutResult {
    /// Slow fraction (simulated with CI, theory) and tail latency (simulated, exact).
    pub fn table(&self) -> Table {
        FanoutCurve::table_of(
            &self.config,
            &[FanoutPoint {
                fanout: self.config.fanout,
                slow_fraction: self.slow_fraction,
                slow_theory: self.slow_theory,
                tail: self.tail,
                tail_theory: self.tail_theory,
            }],
        )
    }

    /// Simulated against exact: the slow fraction and the tail.
    pub fn plot(&self) -> Plot {
        Plot::new(format!("Waiting for the slowest of {} servers", self.config.fanout))
            .y_label("P(request is slow)")
            .bar("simulated", vec![("P(slow)".into(), self.slow_fraction.mean)])
            .bar("1 - qⁿ", vec![("P(slow)".into(), self.slow_theory)])
    }
}

impl Report for FanoutResult {
    /// `slow_fraction` (simulated), `slow_theory` (`1 − qⁿ`), `tail_ms` and `tail_theory_ms`.
    fn measures(&self) -> Vec<(String, f64)> {
        vec![
            ("slow_fraction".into(), self.slow_fraction.mean),
            ("slow_theory".into(), self.slow_theory),
            ("tail_ms".into(), self.tail.as_millis_f64()),
            ("tail_theory_ms".into(), self.tail_theory.as_millis_f64()),
        ]
    }
    fn table(&self) -> Table {
        FanoutResult::table(self)
    }
    fn plot(&self) -> Plot {
        FanoutResult::plot(self)
    }
}

/// One fan-out width of a [`FanoutCurve`].
#[derive(Clone, Debug, PartialEq)]
pub struct FanoutPoint {
    /// n.
    pub fanout: usize,
    /// Fraction of slow requests: one seed's Wilson 95% CI, or the mean and CI over seeds.
    pub slow_fraction: Estimate,
    /// `1 − quantileⁿ`.
    pub slow_theory: f64,
    /// Simulated request latency at `quantile` (mean over the seeds).
    pub tail: Duration,
    /// Exact request latency at `quantile`.
    pub tail_theory: Duration,
}

/// Tail amplification across fan-out widths.
#[derive(Clone, Debug, PartialEq)]
pub struct FanoutCurve {
    /// The configuration the widths were set on.
    pub config: FanoutConfig,
    /// One point per fan-out width, in the order given.
    pub points: Vec<FanoutPoint>,
    /// The generic sweep of `fanout` behind it.
    pub sweep: ExperimentSweep,
}

impl FanoutCurve {
    fn table_of(config: &FanoutConfig, points: &[FanoutPoint]) -> Table {
        let q = 100.0 * config.quantile;
        let mut t = Table::new(["fan-out n", "P(slow) sim", "95% CI", "P(slow) = 1-qⁿ", "tail sim", "tail exact"])
            .title(format!("Waiting for the slowest of n servers (slow = beyond one server's p{q:.0})"));
        for p in points {
            let e = &p.slow_fraction;
            t.row(vec![
                p.fanout.into(),
                e.mean.into(),
                format!("[{:.3}, {:.3}]", e.lo, e.hi).into(),
                p.slow_theory.into(),
                p.tail.into(),
                p.tail_theory.into(),
            ])
            .expect("six columns");
        }
        t.format("P(slow) sim", Format::Percent(1))
            .and_then(|t| t.format("P(slow) = 1-qⁿ", Format::Percent(1)))
            .expect("columns exist")
    }

    /// Per fan-out: slow fraction (simulated with CI, theory) and tail latency (simulated, exact).
    pub fn table(&self) -> Table {
        FanoutCurve::table_of(&self.config, &self.points)
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
impl Render for FanoutCurve {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(FanoutResult, FanoutCurve);
