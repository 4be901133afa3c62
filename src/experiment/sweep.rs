//! The generic sweep: one named parameter over a list of values, every value with the same seeds.

use super::{Experiment, ParamValue, Report};
use crate::error::{Error, Result};
use crate::render::{MimeBundle, Plot, Render, Table, Value};
use crate::stats::Estimate;
use crate::sweep::{Sweep, SweepResult};

/// What [`Experiment::sweep`] measured: per value of the parameter, each measure's mean and 95%
/// confidence interval over the seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct ExperimentSweep {
    /// The parameter that was varied.
    pub param: String,
    /// The values, measures and raw samples, in the order the values were given.
    pub result: SweepResult<ParamValue>,
}

pub(super) fn run<E: Experiment>(
    base: &E,
    name: &str,
    values: Vec<ParamValue>,
    seeds: Vec<u64>,
) -> Result<ExperimentSweep> {
    base.param(name)?; // an unknown name is refused before anything runs
    if values.is_empty() {
        return Err(Error::empty("values"));
    }
    if seeds.is_empty() {
        return Err(Error::empty("seeds"));
    }
    let configs = values
        .iter()
        .map(|v| {
            let config = base.with(name, v.clone())?;
            config.validate()?;
            Ok(config)
        })
        .collect::<Result<Vec<E>>>()?;
    // The measure names come from the first run; every other run must report the same ones.
    let names: Vec<String> = configs[0].run(seeds[0])?.measures().into_iter().map(|(n, _)| n).collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let grid: Vec<usize> = (0..configs.len()).collect();
    let by_index = Sweep::new(grid).seeds(seeds).run_many(&name_refs, |&i, seed| {
        let measures = configs[i].run(seed)?.measures();
        if measures.iter().map(|(n, _)| n).ne(names.iter()) {
            return Err(Error::invalid("measures", "a different set of names", "the same names from every run"));
        }
        Ok(measures.into_iter().map(|(_, v)| v).collect())
    })?;
    let points = by_index
        .points
        .into_iter()
        .map(|p| crate::sweep::SweepPoint {
            param: values[p.param].clone(),
            estimates: p.estimates,
            samples: p.samples,
        })
        .collect();
    Ok(ExperimentSweep {
        param: name.to_string(),
        result: SweepResult { metrics: by_index.metrics, seeds: by_index.seeds, points },
    })
}

fn cell(v: &ParamValue) -> Value {
    match v {
        ParamValue::Real(x) => Value::Float(*x),
        ParamValue::Int(i) => Value::Int(*i),
        ParamValue::Time(d) => Value::Duration(*d),
        ParamValue::Flag(b) => Value::Text(b.to_string()),
        ParamValue::Choice(c) => Value::Text(c.clone()),
    }
}

impl ExperimentSweep {
    fn measure_index(&self, measure: &str) -> Result<usize> {
        self.result.metrics.iter().position(|m| m == measure).ok_or_else(|| {
            Error::invalid("measure", format!("`{measure}`"), format!("one of: {}", self.result.metrics.join(", ")))
        })
    }

    /// The measures' names, in column order.
    pub fn measures(&self) -> &[String] {
        &self.result.metrics
    }

    /// The values of the parameter, in the order they were given.
    pub fn values(&self) -> Vec<ParamValue> {
        self.result.points.iter().map(|p| p.param.clone()).collect()
    }

    /// Measure `measure`'s estimate at every value, in value order.
    pub fn estimates(&self, measure: &str) -> Result<Vec<Estimate>> {
        let m = self.measure_index(measure)?;
        Ok(self.result.points.iter().map(|p| p.estimates[m]).collect())
    }

    /// Measure `measure`'s mean at every value, in value order.
    pub fn means(&self, measure: &str) -> Result<Vec<f64>> {
        Ok(self.estimates(measure)?.into_iter().map(|e| e.mean).collect())
    }

    /// One row per value: the parameter, then per measure its mean and 95% CI half-width.
    pub fn table(&self) -> Table {
        let mut columns = vec![self.param.clone()];
        for m in &self.result.metrics {
            columns.push(m.clone());
            columns.push(format!("{m} ±95%"));
        }
        columns.push("seeds".into());
        let mut table = Table::new(columns);
        for point in &self.result.points {
            let mut row = vec![cell(&point.param)];
            for e in &point.estimates {
                row.push(e.mean.into());
                row.push(e.half_width().into());
            }
            row.push(self.result.seeds.len().into());
            table.row(row).expect("one value per column by construction");
        }
        table
    }

    /// Every measure against the parameter, with 95% CI error bars (a time parameter in ms).
    pub fn plot(&self) -> Plot {
        let names: Vec<&str> = self.result.metrics.iter().map(String::as_str).collect();
        self.plot_of(&names).expect("every name is a measure")
    }

    /// Only the named measures against the parameter (measures of different scales belong on
    /// different plots).
    pub fn plot_of(&self, measures: &[&str]) -> Result<Plot> {
        if measures.is_empty() {
            return Err(Error::empty("measures"));
        }
        let time = matches!(self.result.points.first().map(|p| &p.param), Some(ParamValue::Time(_)));
        let x_label = if time { format!("{} (ms)", self.param) } else { self.param.clone() };
        let y_label = if measures.len() == 1 { measures[0].to_string() } else { "value".to_string() };
        let mut plot = Plot::new(format!("sweep of {}", self.param)).x_label(x_label).y_label(y_label);
        for name in measures {
            let m = self.measure_index(name)?;
            let bars = self
                .result
                .points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    // A choice parameter has no number: plot it at its position in the list.
                    let x = p.param.as_f64().unwrap_or(i as f64);
                    (x, p.estimates[m].mean, p.estimates[m].lo, p.estimates[m].hi)
                })
                .collect();
            plot = plot.line_with_error_bars(format!("{name} (mean, 95% CI)"), bars);
        }
        Ok(plot)
    }
}

impl Render for ExperimentSweep {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}

crate::impl_evcxr_display!(ExperimentSweep);
