//! The hockey stick: latency against utilisation, simulated over seeds and exact.

use super::{MmcTheory, QueueConfig};
use crate::error::{Error, Result};
use crate::experiment::{Experiment, ExperimentSweep};
use crate::render::{Format, MimeBundle, Plot, Render, Table};
use crate::stats::Estimate;

/// One utilisation of a [`hockey_stick`].
#[derive(Clone, Debug, PartialEq)]
pub struct HockeyPoint {
    /// ρ.
    pub utilisation: f64,
    /// The closed forms at this load (times in seconds).
    pub theory: MmcTheory,
    /// Mean latency in milliseconds: mean and 95% CI over the seeds.
    pub mean: Estimate,
    /// Median latency in milliseconds, over the seeds.
    pub p50: Estimate,
    /// 99th-percentile latency in milliseconds, over the seeds.
    pub p99: Estimate,
}

/// p50 and p99 vs utilisation: the hockey stick.
#[derive(Clone, Debug, PartialEq)]
pub struct HockeyStick {
    /// One point per utilisation, in the order given.
    pub points: Vec<HockeyPoint>,
    /// The generic sweep of `arrival_rate` behind it, with every measure.
    pub sweep: ExperimentSweep,
}

/// Runs `base` at each utilisation (changing only the arrival rate to `ρ·c·μ`), each with every
/// seed of `seeds`: a thin wrapper over [`Experiment::sweep`] of `arrival_rate`.
pub fn hockey_stick(
    base: &QueueConfig,
    utilisations: &[f64],
    seeds: impl IntoIterator<Item = u64>,
) -> Result<HockeyStick> {
    if utilisations.is_empty() {
        return Err(Error::empty("utilisations"));
    }
    let capacity = base.servers as f64 * base.service_rate;
    let mut rates = Vec::with_capacity(utilisations.len());
    for &u in utilisations {
        if !(u.is_finite() && u > 0.0 && u < 1.0) {
            return Err(Error::invalid("utilisations", u, "utilisations in (0, 1)"));
        }
        rates.push(u * capacity);
    }
    let sweep = base.sweep("arrival_rate", &rates, seeds)?;
    let (mean, p50, p99) = (sweep.estimates("mean_ms")?, sweep.estimates("p50_ms")?, sweep.estimates("p99_ms")?);
    let mut points = Vec::with_capacity(rates.len());
    for (i, (&u, &rate)) in utilisations.iter().zip(&rates).enumerate() {
        let theory = MmcTheory::new(rate, base.service_rate, base.servers)?;
        points.push(HockeyPoint { utilisation: u, theory, mean: mean[i], p50: p50[i], p99: p99[i] });
    }
    Ok(HockeyStick { points, sweep })
}

impl HockeyStick {
    /// Utilisation against p50/p99, theory and simulation (mean over the seeds), in milliseconds.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["utilisation", "p50 theory (ms)", "p50 sim (ms)", "p99 theory (ms)", "p99 sim (ms)"])
            .title(format!("Latency vs utilisation ({} seeds per point)", self.sweep.result.seeds.len()));
        for p in &self.points {
            t.row(vec![
                p.utilisation.into(),
                (1e3 * p.theory.latency_quantile(0.5)).into(),
                p.p50.mean.into(),
                (1e3 * p.theory.latency_quantile(0.99)).into(),
                p.p99.mean.into(),
            ])
            .expect("five columns");
        }
        t.format("utilisation", Format::Percent(0)).expect("column exists")
    }

    /// The hockey stick itself: theory lines, simulated means with 95% error bars.
    pub fn plot(&self) -> Plot {
        let theory = |q: f64| -> Vec<(f64, f64)> {
            self.points.iter().map(|p| (p.utilisation, 1e3 * p.theory.latency_quantile(q))).collect()
        };
        let sim = |f: fn(&HockeyPoint) -> Estimate| {
            self.points.iter().map(|p| (p.utilisation, f(p).mean, f(p).lo, f(p).hi)).collect()
        };
        Plot::new("Latency vs utilisation (the hockey stick)")
            .x_label("utilisation ρ")
            .y_label("latency (ms)")
            .line("p50 theory", theory(0.5))
            .line("p99 theory", theory(0.99))
            .error_bars("p50 simulated", sim(|p| p.p50))
            .error_bars("p99 simulated", sim(|p| p.p99))
    }
}

impl Render for HockeyStick {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(HockeyStick);
