//! What a delivery run measured, next to the closed forms.

use super::{Config, DeliveryNode, Semantics};
use crate::engine::Simulation;
use crate::error::{Error, Result};
use crate::experiment::{Experiment, ExperimentSweep, ParamValue, Report};
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
            "{:?}: {} requests, loss {}, duplicate {}, {} retries, timeout {}, latency {}",
            c.semantics, c.requests, c.loss, c.duplicate, c.retries, c.timeout, c.latency
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
            "Time to ack ({:?}, {} retries, timeout {})",
            self.config.semantics, self.config.retries, self.config.timeout
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

impl Report for DeliveryResult {
    /// `delivered` and `acked` (fractions of the requests), per request `attempts`,
    /// `duplicate_effects` and `messages`, and `time_to_ack_ms`, the mean over acknowledged
    /// requests (NaN when none was acknowledged: a sweep refuses it rather than invent a value).
    fn measures(&self) -> Vec<(String, f64)> {
        vec![
            ("delivered".into(), self.delivered.mean),
            ("acked".into(), self.acked.mean),
            ("attempts".into(), self.per_request(self.attempts)),
            ("duplicate_effects".into(), self.per_request(self.duplicate_effects)),
            ("messages".into(), self.per_request(self.messages_sent)),
            ("time_to_ack_ms".into(), self.latency().map_or(f64::NAN, |e| e.mean)),
        ]
    }
    fn table(&self) -> Table {
        DeliveryResult::table(self)
    }
    fn plot(&self) -> Plot {
        DeliveryResult::plot(self)
    }
}

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

/// Delivery measured at one value of the varied parameter, over all seeds.
#[derive(Debug, Clone)]
pub struct DeliveryPoint {
    /// The parameter's value.
    pub value: ParamValue,
    /// The value as a number for plots (a time in ms; a policy by its position).
    pub x: f64,
    /// The configuration at this value, for the closed forms.
    pub config: Config,
    /// Fraction of requests applied at least once: mean over seeds, 95% CI.
    pub delivered: Estimate,
    /// Extra applications per request: mean over seeds, 95% CI.
    pub duplicate_effects: Estimate,
    /// Mean time to ack in ms: mean over seeds, 95% CI.
    pub time_to_ack_ms: Estimate,
    /// Messages per request: mean over seeds, 95% CI.
    pub messages: Estimate,
}

/// Delivery results as one parameter varies.
#[derive(Debug, Clone)]
pub struct DeliveryCurve {
    /// The parameter that varies.
    pub parameter: String,
    /// One point per value, in the order given.
    pub points: Vec<DeliveryPoint>,
}

impl DeliveryCurve {
    pub(super) fn from_sweep(base: &Config, sweep: ExperimentSweep) -> Result<DeliveryCurve> {
        let measure = |name: &str| sweep.estimates(name);
        let (delivered, dups, ack, messages) =
            (measure("delivered")?, measure("duplicate_effects")?, measure("time_to_ack_ms")?, measure("messages")?);
        let points = sweep
            .values()
            .into_iter()
            .enumerate()
            .map(|(i, value)| {
                let x = value.as_f64().unwrap_or(i as f64);
                let config = base.with(&sweep.param, value.clone())?;
                Ok(DeliveryPoint {
                    value,
                    x,
                    config,
                    delivered: delivered[i],
                    duplicate_effects: dups[i],
                    time_to_ack_ms: ack[i],
                    messages: messages[i],
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if points.is_empty() {
            return Err(Error::empty("values"));
        }
        Ok(DeliveryCurve { parameter: sweep.param, points })
    }

    /// The axis label: a time parameter is plotted in ms.
    fn x_label(&self) -> String {
        match self.points.first().map(|p| &p.value) {
            Some(ParamValue::Time(_)) => format!("{} (ms)", self.parameter),
            _ => self.parameter.clone(),
        }
    }

    /// One row per point: delivery, duplicates and latency, simulated (mean over seeds) and analytic.
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
        .title(format!("Delivery vs {} (means over {} seeds)", self.parameter, self.points[0].delivered.n));
        for p in &self.points {
            let c = &p.config;
            t.row(vec![
                p.value.to_string().into(),
                p.delivered.mean.into(),
                c.analytic_delivered().into(),
                p.duplicate_effects.mean.into(),
                c.analytic_duplicate_effects().into(),
                p.time_to_ack_ms.mean.into(),
                c.analytic_latency_ms().into(),
                p.messages.mean.into(),
            ])
            .expect("width");
        }
        t
    }

    /// P(applied at least once): analytic line and simulated means with 95% error bars.
    pub fn plot(&self) -> Plot {
        Plot::new(format!("P(request applied) vs {}", self.parameter))
            .x_label(self.x_label())
            .y_label("P(applied at least once)")
            .line("analytic", self.points.iter().map(|p| (p.x, p.config.analytic_delivered())).collect())
            .error_bars(
                "simulated (95% CI over seeds)",
                self.points.iter().map(|p| (p.x, p.delivered.mean, p.delivered.lo, p.delivered.hi)).collect(),
            )
    }
}

impl Render for DeliveryCurve {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(DeliveryCurve);
