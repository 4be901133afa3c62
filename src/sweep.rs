//! Sweeps: run a model over a grid of parameters × many seeds, in parallel, reproducibly.
//!
//! One seeded run is an anecdote; a sweep turns it into a measurement. For every grid point the
//! model runs once per seed, and each metric is summarised as a mean with a 95% confidence
//! interval ([`Estimate`]).
//!
//! **Same answer on 1 thread or 64.** Runs are independent (each gets its own seed), rayon
//! executes them in any order, and the results are collected *by index* into a vector before any
//! arithmetic; means are then summed in seed order. So the floating-point result does not depend
//! on scheduling. If runs fail, the error reported is the one of the first failing run in
//! (grid point, seed) order, also independent of scheduling (see [`Sweep::run_many`]).
//!
//! ```
//! use distsim::prelude::*;
//! let result = Sweep::new(vec![0.1, 0.5])
//!     .seeds(0..20)
//!     .run(|&p, seed| {
//!         let mut rng = stream(seed, Stream::Workload);
//!         Ok(if rng.random::<f64>() < p { 1.0 } else { 0.0 })
//!     })?;
//! assert_eq!(result.points.len(), 2);
//! assert!(result.points[0].estimates[0].mean < result.points[1].estimates[0].mean);
//! # Ok::<(), distsim::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::render::{in_kernel, MimeBundle, Plot, Progress, ProgressBar, Render, Table, Value};
use crate::stats::{mean_ci95, Estimate};
use rayon::prelude::*;
use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A progress callback: called from worker threads after every finished run.
pub type ProgressFn = Box<dyn Fn(Progress) + Send + Sync>;

/// A grid of parameters, a list of seeds, and an optional progress callback.
pub struct Sweep<P> {
    grid: Vec<P>,
    seeds: Vec<u64>,
    on_progress: Option<ProgressFn>,
}

/// One grid point's results.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPoint<P> {
    /// The parameter value.
    pub param: P,
    /// One estimate per metric (mean and 95% CI over the seeds).
    pub estimates: Vec<Estimate>,
    /// `samples[metric][seed index]`: the raw values, in seed order.
    pub samples: Vec<Vec<f64>>,
}

/// Everything a sweep measured, in grid order.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepResult<P> {
    /// Metric names, in the order of each point's `estimates`.
    pub metrics: Vec<String>,
    /// The seeds used, in order.
    pub seeds: Vec<u64>,
    /// One entry per grid point, in grid order.
    pub points: Vec<SweepPoint<P>>,
}

impl<P> Sweep<P> {
    /// A sweep over `grid`, with seeds `0..10` until [`Sweep::seeds`] says otherwise.
    pub fn new(grid: Vec<P>) -> Self {
        Sweep { grid, seeds: (0..10).collect(), on_progress: None }
    }

    /// The seeds every grid point runs with.
    #[must_use]
    pub fn seeds(mut self, seeds: impl IntoIterator<Item = u64>) -> Self {
        self.seeds = seeds.into_iter().collect();
        self
    }

    /// Calls `f` after each finished run (from worker threads, so `done` may arrive out of order;
    /// the final call has `done == total`). Without a callback, a progress bar is drawn only
    /// inside the distsim kernel.
    #[must_use]
    pub fn on_progress(mut self, f: ProgressFn) -> Self {
        self.on_progress = Some(f);
        self
    }

    /// Runs `f(param, seed)` for every grid point and seed; one metric named `value`.
    pub fn run<F>(&self, f: F) -> Result<SweepResult<P>>
    where
        P: Clone + Sync,
        F: Fn(&P, u64) -> Result<f64> + Sync,
    {
        self.run_many(&["value"], |p, seed| f(p, seed).map(|v| vec![v]))
    }

    /// Runs `f(param, seed)`, which returns one value per name in `names`.
    ///
    /// Errors: `Empty` for an empty grid, seed list or name list; `Interrupted` when the user
    /// interrupts the cell (checked before every run); otherwise the first error in
    /// (grid point, seed) order. Runs after a failure are skipped, but never runs that come
    /// *before* it in that order, which is what makes the reported error deterministic.
    pub fn run_many<F>(&self, names: &[&str], f: F) -> Result<SweepResult<P>>
    where
        P: Clone + Sync,
        F: Fn(&P, u64) -> Result<Vec<f64>> + Sync,
    {
        if self.grid.is_empty() {
            return Err(Error::empty("grid"));
        }
        if self.seeds.is_empty() {
            return Err(Error::empty("seeds"));
        }
        if names.is_empty() {
            return Err(Error::empty("names (metric names)"));
        }
        let per_point = self.seeds.len();
        let total = self.grid.len() * per_point;
        let bar = (self.on_progress.is_none() && in_kernel())
            .then(|| ProgressBar::new(format!("sweep: {} points × {} seeds", self.grid.len(), per_point), total));
        let done = AtomicUsize::new(0);
        let first_failure = AtomicUsize::new(usize::MAX);
        let report = |_: ()| {
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(cb) = &self.on_progress {
                cb(Progress { done: d, total });
            }
            if let Some(bar) = &bar {
                bar.set(d);
            }
        };
        let outcomes: Vec<Option<Result<Vec<f64>>>> = (0..total)
            .into_par_iter()
            .map(|k| {
                if k > first_failure.load(Ordering::Relaxed) {
                    return None; // an earlier run already failed
                }
                if let Err(e) = crate::cancel::check() {
                    first_failure.fetch_min(k, Ordering::Relaxed);
                    return Some(Err(e));
                }
                let outcome = f(&self.grid[k / per_point], self.seeds[k % per_point]).and_then(|values| {
                    if values.len() == names.len() {
                        Ok(values)
                    } else {
                        Err(Error::invalid(
                            "run_many result",
                            format!("{} values", values.len()),
                            format!("{} values, one per name", names.len()),
                        ))
                    }
                });
                if outcome.is_err() {
                    first_failure.fetch_min(k, Ordering::Relaxed);
                }
                report(());
                Some(outcome)
            })
            .collect();
        if let Some(bar) = &bar {
            // Leave the true final count in place: an interrupted sweep must not claim 100%.
            bar.stop_at(done.load(Ordering::Relaxed));
        }
        // An interrupt wins over any other error: the user asked to stop.
        if outcomes.iter().any(|o| matches!(o, Some(Err(Error::Interrupted)))) {
            return Err(Error::Interrupted);
        }
        let mut values = Vec::with_capacity(total);
        for outcome in outcomes {
            values.push(outcome.expect("runs before the first failure are never skipped")?);
        }
        let points = self
            .grid
            .iter()
            .enumerate()
            .map(|(i, param)| {
                let runs = &values[i * per_point..(i + 1) * per_point];
                let samples: Vec<Vec<f64>> = (0..names.len()).map(|m| runs.iter().map(|r| r[m]).collect()).collect();
                let estimates = samples
                    .iter()
                    .zip(names)
                    .map(|(s, name)| {
                        mean_ci95(s).map_err(|e| {
                            Error::invalid(
                                format!("metric `{name}` at grid point {i}"),
                                e,
                                "finite values from every run",
                            )
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(SweepPoint { param: param.clone(), estimates, samples })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(SweepResult { metrics: names.iter().map(|s| s.to_string()).collect(), seeds: self.seeds.clone(), points })
    }
}

/// A parameter shown in a table: numbers stay numbers, anything else is its `Debug` text.
fn param_value<P: Debug>(p: &P) -> Value {
    let text = format!("{p:?}");
    if let Ok(i) = text.parse::<i64>() {
        Value::Int(i)
    } else if let Ok(x) = text.parse::<f64>() {
        Value::Float(x)
    } else {
        Value::Text(text.trim_matches('"').to_string())
    }
}

impl<P> SweepResult<P> {
    /// One row per grid point: the parameter, then per metric its mean, the CI half-width
    /// (`±95%`), and the number of seeds.
    pub fn table(&self, param_name: &str) -> Table
    where
        P: Debug,
    {
        let mut columns = vec![param_name.to_string()];
        for m in &self.metrics {
            columns.push(format!("{m} mean"));
            columns.push(format!("{m} ±95%"));
        }
        columns.push("seeds".into());
        let mut table = Table::new(columns);
        for point in &self.points {
            let mut row = vec![param_value(&point.param)];
            for e in &point.estimates {
                row.push(e.mean.into());
                row.push(e.half_width().into());
            }
            row.push(self.seeds.len().into());
            table.row(row).expect("one value per column by construction");
        }
        table
    }

    /// Per metric, a line through the means with error bars for the 95% CIs (one colour and
    /// legend entry per metric), with `x(param)` on the x axis.
    pub fn plot(&self, title: &str, x: impl Fn(&P) -> f64) -> Plot {
        let mut plot =
            Plot::new(title).y_label(if self.metrics.len() == 1 { self.metrics[0].as_str() } else { "value" });
        for (m, name) in self.metrics.iter().enumerate() {
            let bars = self
                .points
                .iter()
                .map(|p| (x(&p.param), p.estimates[m].mean, p.estimates[m].lo, p.estimates[m].hi))
                .collect();
            plot = plot.line_with_error_bars(format!("{name} (mean, 95% CI)"), bars);
        }
        plot
    }
}

impl<P: Debug> Render for SweepResult<P> {
    fn mime_bundle(&self) -> MimeBundle {
        self.table("param").mime_bundle()
    }
}

crate::impl_evcxr_display!(<P> SweepResult<P>);
