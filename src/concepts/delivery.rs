//! Messages may not arrive: at-most-once, at-least-once, and at-least-once with idempotent handling.
//!
//! A client sends requests to a server over a network that loses each message with probability
//! `loss` and delivers an extra copy with probability `duplicate`. The client cannot see a lost
//! message; it can only notice that no acknowledgement came back before a timeout. Three policies:
//!
//! * **At most once**: send each request once and never retry. Nothing is applied twice (the server
//!   also discards network duplicates by request id), but a lost request is simply gone:
//!   `P(delivered) = 1 - loss`.
//! * **At least once**: retry after every timeout, up to `retries` times. A request is lost only if
//!   all `retries + 1` attempts are: `P(delivered) = 1 - loss^(retries+1)`. But a lost *ack* looks
//!   exactly like a lost request, so the client resends requests the server already applied, and a
//!   non-idempotent operation ("add 10 euros") happens twice.
//! * **At least once + idempotent handling**: the same retries, but the server remembers the ids it
//!   has applied and only re-acknowledges a repeat. Delivery as high as at-least-once, with no
//!   duplicate effects: what people mean by "exactly once" in practice.
//!
//! Retries cost time: an attempt that fails adds a whole timeout before the next one. A timeout
//! shorter than the round trip makes the client retry requests that were never lost.
//!
//! The model runs on the engine (a client node and a server node), so the trace shows every send,
//! loss, duplicate and timer. Closed forms assume a constant latency (`latency_jitter = 0`) and a
//! timeout longer than the round trip; then `s`, the chance that one attempt is acknowledged, is
//! `(1-l)(1-d)(1-l) + (1-l)d(1-l²)` (one or two copies arrive, each acknowledged separately).
//!
//! ```
//! use distsim::prelude::*;
//! use distsim::concepts::delivery::{self, Semantics};
//! let c = delivery::Config { semantics: Semantics::AtLeastOnce, loss: 0.2, retries: 3, requests: 200, ..Default::default() };
//! let r = c.run(1)?;
//! assert!(r.duplicate_effects > 0); // a lost ack made the client resend an applied request
//! let mut sim = delivery::Config { requests: 3, ..c.clone() }.build(1)?; // a small run to look at
//! sim.run_until_quiet()?;
//! // Any knob by name, even the policy: idempotent handling removes the duplicate effects.
//! let policies = c.sweep("semantics", &["at_least_once", "at_least_once_idempotent"], 0..3)?;
//! assert_eq!(policies.means("duplicate_effects")?[1], 0.0);
//! # Ok::<(), distsim::Error>(())
//! ```

mod nodes;
mod report;

pub use nodes::{Client, ClientTimer, DeliveryNode, Msg, RequestState, Server};
pub use report::{DeliveryCurve, DeliveryPoint, DeliveryResult};

use crate::engine::Simulation;
use crate::error::Result;
use crate::experiment::{Experiment, ParamValue, Parameters, Range};
use crate::network::{Latency, Network};
use crate::time::{micros, millis, secs, Duration};
use crate::trace::TraceMode;

/// How the client and server handle loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Semantics {
    /// Send once, never retry.
    AtMostOnce,
    /// Retry on timeout; the server applies every copy it receives.
    AtLeastOnce,
    /// Retry on timeout; the server applies each request id once.
    AtLeastOnceIdempotent,
}

crate::choice_param!(Semantics {
    AtMostOnce => "at_most_once",
    AtLeastOnce => "at_least_once",
    AtLeastOnceIdempotent => "at_least_once_idempotent",
});

/// One client sending requests to one server.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The delivery policy.
    pub semantics: Semantics,
    /// Requests the client sends, in `[1, 1_000_000]`.
    pub requests: u64,
    /// Probability that the network loses a message, in `[0, 0.99]` (a network that loses
    /// everything acknowledges nothing, and the time to ack has no mean).
    pub loss: f64,
    /// Probability that the network delivers an extra copy, in `[0, 1]`.
    pub duplicate: f64,
    /// Retries after the first attempt (ignored by at-most-once), in `[0, 100]`.
    pub retries: u32,
    /// Time the client waits for an ack before retrying, in `[1 µs, 1 h]`.
    pub timeout: Duration,
    /// One-way network latency, in `[1 µs, 1 h]`.
    pub latency: Duration,
    /// Extra one-way latency drawn uniformly from `[0, latency_jitter]`, in `[0, 1 h]`.
    pub latency_jitter: Duration,
    /// Time between two new requests, in `[1 µs, 1 h]`.
    pub interval: Duration,
}

crate::parameters!(Config {
    semantics: Range::Choice(Semantics::CHOICES) => "how client and server handle loss",
    requests: Range::count(1, 1_000_000) => "requests the client sends",
    loss: Range::real(0.0, 0.99) => "probability that the network loses a message",
    duplicate: Range::Probability => "probability that the network delivers an extra copy",
    retries: Range::count(0, 100) => "retries after the first attempt (at-most-once ignores them)",
    timeout: Range::time(micros(1), secs(3600)) => "time the client waits for an ack before retrying",
    latency: Range::time(micros(1), secs(3600)) => "one-way network latency",
    latency_jitter: Range::time(Duration::ZERO, secs(3600)) => "extra one-way latency, uniform up to this",
    interval: Range::time(micros(1), secs(3600)) => "time between two new requests",
});

impl Default for Config {
    /// At-least-once with 3 retries over a network losing 10% of messages and duplicating 1%.
    fn default() -> Self {
        Config {
            semantics: Semantics::AtLeastOnce,
            requests: 2000,
            loss: 0.1,
            duplicate: 0.01,
            retries: 3,
            timeout: millis(25),
            latency: millis(5),
            latency_jitter: Duration::ZERO,
            interval: millis(10),
        }
    }
}

impl Experiment for Config {
    type Output = DeliveryResult;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    /// Sends every request and waits until nothing is left in flight.
    fn run(&self, seed: u64) -> Result<DeliveryResult> {
        let mut sim = self.build(seed)?.with_trace_mode(TraceMode::DigestOnly);
        sim.run_until_quiet()?;
        Ok(DeliveryResult::measure(self, seed, &sim))
    }
}

impl Config {
    fn retries_used(&self) -> u32 {
        if self.semantics == Semantics::AtMostOnce {
            0
        } else {
            self.retries
        }
    }

    /// Probability that one attempt is acknowledged.
    pub fn attempt_acked(&self) -> f64 {
        let (l, d) = (self.loss, self.duplicate);
        (1.0 - l) * (1.0 - d) * (1.0 - l) + (1.0 - l) * d * (1.0 - l * l)
    }

    /// Exact probability that a request is applied at least once: `1 - loss^(attempts)`.
    pub fn analytic_delivered(&self) -> f64 {
        1.0 - self.loss.powi(self.retries_used() as i32 + 1)
    }

    /// Exact probability that the client sees an ack.
    pub fn analytic_acked(&self) -> f64 {
        1.0 - (1.0 - self.attempt_acked()).powi(self.retries_used() as i32 + 1)
    }

    /// Expected attempts per request: `Σ_{i=0..=retries} (1-s)^i`.
    pub fn analytic_attempts(&self) -> f64 {
        let f = 1.0 - self.attempt_acked();
        (0..=self.retries_used()).map(|i| f.powi(i as i32)).sum()
    }

    /// Expected extra applications per request (0 unless at-least-once without idempotence).
    pub fn analytic_duplicate_effects(&self) -> f64 {
        if self.semantics != Semantics::AtLeastOnce {
            return 0.0;
        }
        (1.0 - self.loss) * (1.0 + self.duplicate) * self.analytic_attempts() - self.analytic_delivered()
    }

    /// Expected time from first send to ack, in ms, for acknowledged requests.
    pub fn analytic_latency_ms(&self) -> f64 {
        let s = self.attempt_acked();
        let weights: Vec<f64> = (0..=self.retries_used()).map(|j| (1.0 - s).powi(j as i32) * s).collect();
        let total: f64 = weights.iter().sum();
        let mean_j = if total > 0.0 {
            weights.iter().enumerate().map(|(j, w)| j as f64 * w).sum::<f64>() / total
        } else {
            f64::NAN
        };
        2.0 * self.latency.as_millis_f64() + mean_j * self.timeout.as_millis_f64()
    }

    /// The simulation, ready to run: node 0 is the client, node 1 the server. Use it to look at
    /// the message flow of a few requests (its trace is full).
    pub fn build(&self, seed: u64) -> Result<Simulation<DeliveryNode>> {
        self.validate()?;
        let (lo, jitter) = (self.latency, self.latency_jitter);
        let latency =
            if jitter == Duration::ZERO { Latency::Constant(lo) } else { Latency::Uniform { lo, hi: lo + jitter } };
        let client = Client::new(self.semantics, self.requests, self.retries_used(), self.timeout, self.interval);
        let server = Server::new(self.semantics != Semantics::AtLeastOnce, self.requests);
        let nodes = vec![DeliveryNode::Client(client), DeliveryNode::Server(server)];
        Simulation::new(seed, nodes)?
            .with_node_names(vec!["client".into(), "server".into()])?
            .with_network(Network::new().latency(latency).loss(self.loss).duplicate(self.duplicate))
    }

    /// Delivery, duplicates and latency against parameter `name`, each value run with every
    /// seed by [`Experiment::sweep`], with the closed forms beside them.
    pub fn vs<V: Into<ParamValue> + Clone>(
        &self,
        name: &str,
        values: &[V],
        seeds: impl IntoIterator<Item = u64>,
    ) -> Result<DeliveryCurve> {
        DeliveryCurve::from_sweep(self, self.sweep(name, values, seeds)?)
    }

    /// Delivery, duplicates and latency as the number of retries varies: [`Config::vs`] of `retries`.
    pub fn vs_retries(&self, retries: &[u32], seeds: impl IntoIterator<Item = u64>) -> Result<DeliveryCurve> {
        self.vs("retries", retries, seeds)
    }

    /// Delivery, duplicates and latency as the timeout varies: [`Config::vs`] of `timeout`.
    pub fn vs_timeout(&self, timeouts: &[Duration], seeds: impl IntoIterator<Item = u64>) -> Result<DeliveryCurve> {
        self.vs("timeout", timeouts, seeds)
    }

    /// The three policies side by side under the same network.
    pub fn compare_semantics(&self, seed: u64) -> Result<crate::render::Table> {
        let all = [Semantics::AtMostOnce, Semantics::AtLeastOnce, Semantics::AtLeastOnceIdempotent];
        let results =
            all.iter().map(|&s| Config { semantics: s, ..self.clone() }.run(seed)).collect::<Result<Vec<_>>>()?;
        report::comparison_table(&results)
    }
}
