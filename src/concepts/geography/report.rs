//! Geography results: per-region latency, placements, and the illustrative revenue model.

use super::Config;
use crate::experiment::Report;
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::stats::Estimate;
use crate::validate;
use crate::Result;

/// Latency seen by one user region.
#[derive(Debug, Clone)]
pub struct RegionLatency {
    /// The user region.
    pub region: String,
    /// The replica site that serves it (the nearest).
    pub replica: String,
    /// Speed-of-light round-trip floor to that replica, in ms.
    pub floor_ms: f64,
    /// Expected request latency, in ms.
    pub analytic_mean_ms: f64,
    /// Simulated mean latency with a 95% CI (`None` if no request came from this region).
    pub mean: Option<Estimate>,
    /// Simulated median, in ms.
    pub p50_ms: f64,
    /// Simulated 99th percentile, in ms.
    pub p99_ms: f64,
}

/// Request latencies for one replica placement.
#[derive(Debug, Clone)]
pub struct GeographyResult {
    /// The placement and users that were simulated.
    pub config: Config,
    /// The seed it ran with.
    pub seed: u64,
    /// Expected latency averaged over users (weighted by share), in ms.
    pub weighted_mean_ms: f64,
    /// Simulated mean latency over all requests, in ms.
    pub mean_ms: f64,
    /// Simulated 99th percentile over all requests, in ms.
    pub p99_ms: f64,
    /// One entry per user region.
    pub regions: Vec<RegionLatency>,
}

impl GeographyResult {
    /// Per region: nearest replica, light floor, expected vs simulated latency.
    pub fn table(&self) -> Table {
        let mut t = Table::new([
            "users in",
            "served from",
            "RTT floor (ms)",
            "expected mean (ms)",
            "simulated mean (ms)",
            "95% CI low",
            "95% CI high",
            "p50 (ms)",
            "p99 (ms)",
        ])
        .title(format!(
            "Replicas at {}: user-weighted expected latency {:.1} ms",
            self.config.replicas.join(", "),
            self.weighted_mean_ms
        ));
        for r in &self.regions {
            let (m, lo, hi) = r.mean.map_or((None, None, None), |e| (Some(e.mean), Some(e.lo), Some(e.hi)));
            t.row(vec![
                r.region.clone().into(),
                r.replica.clone().into(),
                r.floor_ms.into(),
                r.analytic_mean_ms.into(),
                m.into(),
                lo.into(),
                hi.into(),
                r.p50_ms.into(),
                r.p99_ms.into(),
            ])
            .expect("width");
        }
        t
    }

    /// Bars per region: the light floor and the simulated p99.
    pub fn plot(&self) -> Plot {
        let bars =
            |f: fn(&RegionLatency) -> f64| self.regions.iter().map(|r| (r.region.clone(), f(r))).collect::<Vec<_>>();
        Plot::new(format!("Latency by user region (replicas at {})", self.config.replicas.join(", ")))
            .y_label("ms")
            .bar("speed-of-light RTT floor", bars(|r| r.floor_ms))
            .bar("simulated p99", bars(|r| r.p99_ms))
    }
}

impl Render for GeographyResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(GeographyResult);

impl Report for GeographyResult {
    /// In ms: `expected_mean_ms` (the closed form, weighted by user share), and over all
    /// simulated requests `mean_ms` and `p99_ms`.
    fn measures(&self) -> Vec<(String, f64)> {
        vec![
            ("expected_mean_ms".into(), self.weighted_mean_ms),
            ("mean_ms".into(), self.mean_ms),
            ("p99_ms".into(), self.p99_ms),
        ]
    }
    fn table(&self) -> Table {
        GeographyResult::table(self)
    }
    fn plot(&self) -> Plot {
        GeographyResult::plot(self)
    }
}

/// ILLUSTRATIVE ONLY: revenue as a function of added latency, extrapolated from the single figure the
/// chapter quotes (Amazon: +100 ms of latency cost about 1% of sales). Each 100 ms multiplies
/// revenue by `1 - loss_per_100ms`. Not a measured law; use it to reason about orders of magnitude.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RevenueModel {
    /// Fraction of sales lost per extra 100 ms, in `[0, 1)` (the chapter's anecdote: 0.01).
    pub loss_per_100ms: f64,
}

impl Default for RevenueModel {
    fn default() -> Self {
        RevenueModel { loss_per_100ms: 0.01 }
    }
}

impl RevenueModel {
    /// Relative revenue (1 = no added latency) after `added_ms` of extra latency (illustrative).
    pub fn relative_revenue(&self, added_ms: f64) -> Result<f64> {
        validate::in_range("loss_per_100ms", self.loss_per_100ms, 0.0, 0.999_999)?;
        validate::non_negative("added_ms", added_ms)?;
        Ok((1.0 - self.loss_per_100ms).powf(added_ms / 100.0))
    }

    /// Relative revenue at 0, 50, ..., `max_ms` of added latency, clearly labelled as illustrative.
    pub fn table(&self, max_ms: f64) -> Result<Table> {
        validate::positive("max_ms", max_ms)?;
        let mut t = Table::new(["added latency (ms)", "relative revenue (illustrative)"]).title(format!(
            "ILLUSTRATIVE model, not data: {}% of sales lost per extra 100 ms",
            self.loss_per_100ms * 100.0
        ));
        let steps = (max_ms / 50.0).ceil() as usize;
        for i in 0..=steps {
            let ms = (i as f64 * 50.0).min(max_ms);
            t.row(vec![ms.into(), self.relative_revenue(ms)?.into()])?;
        }
        Ok(t)
    }
}

/// The best placement for each number of replicas.
#[derive(Debug, Clone)]
pub struct ReplicaCurve {
    /// `(replicas, best sites, user-weighted mean latency in ms)`.
    pub rows: Vec<(usize, String, f64)>,
    /// The illustrative revenue model used for the last column.
    pub revenue: RevenueModel,
}

impl ReplicaCurve {
    /// One row per replica count, with the illustrative revenue relative to the best latency found.
    pub fn table(&self) -> Table {
        let best = self.rows.iter().map(|r| r.2).fold(f64::INFINITY, f64::min);
        let mut t = Table::new(["replicas", "best sites", "mean latency (ms)", "relative revenue (illustrative)"])
            .title("Best replica placement vs number of replicas (revenue column: illustrative model)");
        for (k, names, ms) in &self.rows {
            let rev = self.revenue.relative_revenue(ms - best).unwrap_or(f64::NAN);
            t.row(vec![(*k).into(), names.clone().into(), (*ms).into(), rev.into()]).expect("width");
        }
        t
    }

    /// Mean user latency of the best placement vs number of replicas.
    pub fn plot(&self) -> Plot {
        Plot::new("User-weighted mean latency of the best placement")
            .x_label("replicas")
            .y_label("ms")
            .line("best placement", self.rows.iter().map(|r| (r.0 as f64, r.2)).collect())
    }
}

impl Render for ReplicaCurve {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(ReplicaCurve);
