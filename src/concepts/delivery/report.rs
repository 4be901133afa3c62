//! What a delivery run measured, next to the closed forms.

use super::{Config, DeliveryNode, Semantics};
use crate::engine::Simulation;
use crate::error::Result;
use crate::render::{MimeBundle, Plot, Render, Table, Value};
use crate::stats::{self, Estimate};

/// The outcome of one delivery run.
#[derive(Debug, Clone)]
pub struct DeliveryResult {
    /// The run's settings.
    pub config: Config,
    /// The seed it ran with.
    pub seed: u64,
    /// Fraction of requests applied at least once, with a 95% CI.
    pub delivered: Estimate,
    /// Fraction of requests the client saw acknowledged, with a 95% CI.
    pub acked: Estimate,
    /// Request attempts the client sent.
    pub attempts: u64,
    /// Request copies the server received (network duplicates and retries included).
    pub receptions: u64,
    /// Applications beyond the first, summed over requests.
    pub duplicate_effects: u64,
    /// Messages the network carried (requests and acks, before loss).
    pub messages_sent: u64,
    /// Time from first send to first ack, in ms, per acknowledged request (in id order).
    pub latency_ms: Vec<f64>,
}

impl DeliveryResult {
    pub(super) fn measure(config: &Config, seed: u64, sim: &Simulation<DeliveryNode>) -> Self {
        let (DeliveryNode::Client(c), DeliveryNode::Server(s)) = (sim.node(0), sim.node(1)) else {
            unreachable!("node 0 is the client and node 1 the server by construction")
        };
        let n = config.requests;
        let delivered = s.effects.iter().filter(|&&e| e > 0).count() as u64;
        let latency_ms: Vec<f64> =
            c.requests.iter().filter_map(|r| Some((r.acked_at? - r.first_sent?).as_millis_f64())).collect();
        DeliveryResult {
            config: config.clone(),
            seed,
            delivered: stats::proportion_ci95(delivered, n).expect("requests >= 1"),
            acked: stats::proportion_ci95(latency_ms.len() as u64, n).expect("requests >= 1"),
            attempts: c.requests.iter().map(|r| u64::from(r.attempts)).sum(),
            receptions: s.receptions.iter().map(|&x| u64::from(x)).sum(),
            duplicate_effects: s.effects.iter().map(|&e| u64::from(e.saturating_sub(1))).sum(),
            messages_sent: sim.metrics().counter("sent"),
            latency_ms,
        }
    }

    /// Mean time to acknowledgement in ms, with a 95% CI (`None` if nothing was acknowledged).
    pub fn latency(&self) -> Option<Estimate> {
        stats::mean_ci95(&self.latency_ms).ok()
    }

    /// Quantile `q` of the time to acknowledgement, in ms (NaN if nothing was acknowledged).
    pub fn latency_quantile(&self, q: f64) -> f64 {
        let mut xs = self.latency_ms.clone();
        xs.sort_by(f64::total_cmp);
        xs.get(((xs.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN)
    }

    fn per_request(&self, x: u64) -> f64 {
        x as f64 / self.config.requests as f64
    }

    /// Simulated vs analytic delivery, acks, attempts, duplicate effects and latency.
    pub fn table(&self) -> Table {
        let c = &self.config;
        let mut t = Table::new(["metric", "simulated", "95% CI low", "95% CI high", "analytic"]).title(format!(
            "{:?}: {} requests, loss {}, duplicate {}, {} retries, timeout {} ms, latency {} ms",
            c.semantics, c.requests, c.loss, c.duplicate, c.retries, c.timeout_ms, c.latency_ms
        ));
        let missing = || Value::Missing;
        let lat = self.latency();
        let rows: Vec<Vec<Value>> = vec![
            vec![
                "P(applied at least once)".into(),
                self.delivered.mean.into(),
                self.delivered.lo.into(),
                self.delivered.hi.into(),
                c.analytic_delivered().into(),
            ],
            vec![
                "P(client saw an ack)".into(),
                self.acked.mean.into(),
                self.acked.lo.into(),
                self.acked.hi.into(),
                c.analytic_acked().into(),
            ],
            vec![
                "attempts per request".into(),
                self.per_request(self.attempts).into(),
                missing(),
                missing(),
                c.analytic_attempts().into(),
            ],
            vec![
                "duplicate effects per request".into(),
                self.per_request(self.duplicate_effects).into(),
                missing(),
                missing(),
                c.analytic_duplicate_effects().into(),
            ],
            vec![
                "copies received per request".into(),
                self.per_request(self.receptions).into(),
                missing(),
                missing(),
                missing(),
            ],
            vec![
                "messages per request".into(),
                self.per_request(self.messages_sent).into(),
                missing(),
                missing(),
                missing(),
            ],
            vec![
                "mean time to ack (ms)".into(),
                lat.map(|e| e.mean).into(),
                lat.map(|e| e.lo).into(),
                lat.map(|e| e.hi).into(),
                c.analytic_latency_ms().into(),
            ],
            vec!["p99 time to ack (ms)".into(), self.latency_quantile(0.99).into(), missing(), missing(), missing()],
        ];
        for row in rows {
            t.row(row).expect("width");
        }
        t
    }

    /// Histogram of time to acknowledgement: one bump per attempt that succeeded.
    pub fn plot(&self) -> Plot {
        Plot::new(format!(
            "Time to ack ({:?}, {} retries, timeout {} ms)",
            self.config.semantics, self.config.retries, self.config.timeout_ms
        ))
        .x_label("ms from first send to ack")
        .y_label("requests")
        .histogram("acknowledged requests", self.latency_ms.clone(), 40)
    }
}

impl Render for DeliveryResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(DeliveryResult);

pub(super) fn comparison_table(results: &[DeliveryResult]) -> Result<Table> {
    let mut t = Table::new([
        "semantics",
        "P(applied)",
        "analytic",
        "duplicate effects/request",
        "analytic",
        "mean time to ack (ms)",
        "messages/request",
    ])
    .title("Three delivery policies over the same lossy network");
    for r in results {
        let label = match r.config.semantics {
            Semantics::AtMostOnce => "at most once",
            Semantics::AtLeastOnce => "at least once",
            Semantics::AtLeastOnceIdempotent => "at least once + idempotent",
        };
        t.row(vec![
            label.into(),
            r.delivered.mean.into(),
            r.config.analytic_delivered().into(),
            r.per_request(r.duplicate_effects).into(),
            r.config.analytic_duplicate_effects().into(),
            r.latency().map(|e| e.mean).into(),
            r.per_request(r.messages_sent).into(),
        ])?;
    }
    Ok(t)
}

/// Delivery results as one parameter varies.
#[derive(Debug, Clone)]
pub struct DeliveryCurve {
    /// The parameter that varies.
    pub parameter: String,
    /// `(value, result)` per point.
    pub points: Vec<(f64, DeliveryResult)>,
}

impl DeliveryCurve {
    /// One row per point: delivery, duplicates and latency, simulated and analytic.
    pub fn table(&self) -> Table {
        let mut t = Table::new([
            self.parameter.as_str(),
            "P(applied)",
            "analytic",
            "duplicate effects/request",
            "analytic",
            "mean time to ack (ms)",
            "analytic",
            "messages/request",
        ])
        .title(format!("Delivery vs {}", self.parameter));
        for (x, r) in &self.points {
            let c = &r.config;
            t.row(vec![
                (*x).into(),
                r.delivered.mean.into(),
                c.analytic_delivered().into(),
                r.per_request(r.duplicate_effects).into(),
                c.analytic_duplicate_effects().into(),
                r.latency().map(|e| e.mean).into(),
                c.analytic_latency_ms().into(),
                r.per_request(r.messages_sent).into(),
            ])
            .expect("width");
        }
        t
    }

    /// P(applied at least once): analytic line and simulated points with 95% error bars.
    pub fn plot(&self) -> Plot {
        Plot::new(format!("P(request applied) vs {}", self.parameter))
            .x_label(self.parameter.clone())
            .y_label("P(applied at least once)")
            .line("analytic", self.points.iter().map(|(x, r)| (*x, r.config.analytic_delivered())).collect())
            .error_bars(
                "simulated (95% CI)",
                self.points.iter().map(|(x, r)| (*x, r.delivered.mean, r.delivered.lo, r.delivered.hi)).collect(),
            )
    }
}

impl Render for DeliveryCurve {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(DeliveryCurve);
