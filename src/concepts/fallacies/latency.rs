//! Fallacy 2, "latency is zero": a request that passes through a chain of services.
//!
//! One network hop costs little: a millisecond inside a data center. But a request that calls a
//! service, which calls another, which calls another, pays a round trip *per level*, one after the
//! other, and the slow tail of each hop adds up. Code written as if calls were free becomes slow
//! as soon as it is split over machines.
//!
//! Measures, for the last chain of `depths`: `mean_ms` and `p99_ms` (response times, in ms) and
//! `expected_ms` (the closed form [`Config::analytic_mean_ms`]).

use super::{measure, Fallacy, FallacyReport};
use crate::engine::{Context, Node, NodeId, Simulation};
use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range};
use crate::network::{Latency, Network};
use crate::render::{Plot, Table};
use crate::time::{micros, secs, Duration, Time};
use crate::trace::TraceMode;
use crate::validate;

/// Requests through chains of different depths.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Chain depths to try (services called one after the other), each in `[1, 64]` (the x-axis
    /// of one run; not a named parameter).
    pub depths: Vec<usize>,
    /// Median one-way latency of a hop.
    pub hop_median: Duration,
    /// Spread of the log-normal hop latency, in `[0, 3]`.
    pub hop_sigma: f64,
    /// Requests per depth, in `[1, 100_000]`.
    pub requests: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config { depths: vec![1, 2, 4, 8, 16], hop_median: micros(500), hop_sigma: 0.5, requests: 500 }
    }
}

crate::parameters!(Config {
    hop_median: Range::time(micros(1), secs(10)) => "median one-way latency of a hop",
    hop_sigma: Range::real(0.0, 3.0) => "spread of the log-normal hop latency",
    requests: Range::count(1, 100_000) => "requests per chain depth",
});

/// A call going down the chain, or its reply coming back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// Work for the next service.
    Call,
    /// The answer travelling back.
    Reply,
}

/// Node 0 is the client; node `i` calls `i + 1` until the last one answers.
struct Service {
    requests: u64,
    sent_at: Time,
    /// Client only: response time of each request.
    done: Vec<Duration>,
}

impl Node for Service {
    type Msg = Msg;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        if ctx.id() == 0 {
            self.sent_at = ctx.now();
            ctx.send(1, Msg::Call);
        }
    }
    fn on_message(&mut self, ctx: &mut Context<Msg>, _from: NodeId, msg: Msg) {
        let (me, last) = (ctx.id(), ctx.node_count() - 1);
        match msg {
            Msg::Call if me == last => ctx.send(me - 1, Msg::Reply),
            Msg::Call => ctx.send(me + 1, Msg::Call),
            Msg::Reply if me > 0 => ctx.send(me - 1, Msg::Reply),
            Msg::Reply => {
                self.done.push(ctx.now() - self.sent_at);
                if (self.done.len() as u64) < self.requests {
                    self.sent_at = ctx.now();
                    ctx.send(1, Msg::Call);
                }
            }
        }
    }
}

impl Config {
    /// Expected response time of a chain of `depth` services, in ms: `2 · depth` hops of mean
    /// `median · exp(σ²/2)` each.
    pub fn analytic_mean_ms(&self, depth: usize) -> f64 {
        2.0 * depth as f64 * self.hop_median.as_millis_f64() * (self.hop_sigma * self.hop_sigma / 2.0).exp()
    }
}

impl Experiment for Config {
    type Output = FallacyReport;

    /// The named parameters' ranges, then every entry of `depths`.
    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        if self.depths.is_empty() {
            return Err(Error::empty("depths"));
        }
        for (i, &d) in self.depths.iter().enumerate() {
            validate::count_in(&format!("depths[{i}]"), d, 1, 64)?;
        }
        Ok(())
    }

    /// Sends the requests through each chain and measures response times.
    fn run(&self, seed: u64) -> Result<FallacyReport> {
        self.validate()?;
        let net = Network::new().latency(Latency::LogNormal { median: self.hop_median, sigma: self.hop_sigma });
        let mut table = Table::new([
            "services in the chain",
            "mean response (ms)",
            "expected (ms)",
            "p99 response (ms)",
            "if latency were zero (ms)",
        ]);
        let (mut mean_pts, mut p99_pts) = (Vec::new(), Vec::new());
        for (i, &depth) in self.depths.iter().enumerate() {
            let nodes = (0..=depth)
                .map(|_| Service { requests: self.requests, sent_at: Time::ZERO, done: Vec::new() })
                .collect();
            let mut sim = Simulation::new(seed.wrapping_add(i as u64), nodes)?
                .with_network(net.clone())?
                .with_trace_mode(TraceMode::DigestOnly);
            sim.run_until_quiet()?;
            let mut ms: Vec<f64> = sim.node(0).done.iter().map(|d| d.as_millis_f64()).collect();
            ms.sort_by(f64::total_cmp);
            let mean = ms.iter().sum::<f64>() / ms.len().max(1) as f64;
            let p99 = ms.get(((ms.len() as f64 - 1.0) * 0.99).round() as usize).copied().unwrap_or(f64::NAN);
            table.row(vec![depth.into(), mean.into(), self.analytic_mean_ms(depth).into(), p99.into(), 0.0.into()])?;
            mean_pts.push((depth as f64, mean));
            p99_pts.push((depth as f64, p99));
        }
        let (d, m) = mean_pts.last().copied().unwrap_or((0.0, 0.0));
        let p99 = p99_pts.last().map_or(f64::NAN, |p| p.1);
        let deepest = self.depths.last().copied().unwrap_or(0);
        let measures =
            vec![measure("mean_ms", m), measure("p99_ms", p99), measure("expected_ms", self.analytic_mean_ms(deepest))];
        let plot = Plot::new("Response time of a chain of services")
            .x_label("services called in sequence")
            .y_label("ms")
            .line("mean", mean_pts)
            .line("p99", p99_pts);
        let what_broke =
            format!("a chain of {d} calls took {m:.1} ms on average, not 0: every level adds a round trip");
        Ok(FallacyReport { fallacy: Fallacy::ZeroLatency, what_broke, table, plot, measures })
    }
}
