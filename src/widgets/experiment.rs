//! `interact` over any concept experiment: a slider for one named parameter, with the run's table
//! and plot below it, run again with the same seed whenever the knob moves.

use super::{FloatSlider, IntSlider, Widget};
use crate::error::{Error, Result};
use crate::experiment::{Experiment, ParamValue, Range, Report};
use crate::render::display;
use crate::time::Duration;
use std::ops::RangeInclusive;

/// `interact` for every [`Experiment`] (in the prelude).
pub trait InteractExperiment: Experiment {
    /// Shows a slider over `range` for parameter `name` and, below it, the table and plot of
    /// `run(seed)` with the parameter at the knob's value. The knob starts at the parameter's
    /// current value. Counts get an integer slider; times are in milliseconds.
    ///
    /// Errors name the problem: an unknown parameter (the error lists the names there are), a
    /// flag or choice parameter (no slider for those), a range outside the parameter's valid
    /// range, or a current value outside `range`.
    fn interact(&self, name: &str, range: RangeInclusive<f64>, seed: u64) -> Result<()>;
}

/// Runs `config` with `name = value` and shows its table and plot. A bad combination (a rule that
/// ties two parameters together) panics with the error's message, which the widget's Output shows.
fn show_run<E: Experiment>(config: &E, name: &str, value: ParamValue, seed: u64) {
    match config.with(name, value).and_then(|c| c.run(seed)) {
        Ok(report) => {
            display(&report.table());
            display(&report.plot());
        }
        Err(e) => panic!("{e}"),
    }
}

impl<E: Experiment> InteractExperiment for E {
    fn interact(&self, name: &str, range: RangeInclusive<f64>, seed: u64) -> Result<()> {
        let param = self.param(name)?;
        self.validate()?;
        let name = param.name;
        let (lo, hi) = (*range.start(), *range.end());
        let outside = |bound: f64| -> Result<()> {
            let value = match param.range {
                Range::Count { .. } => ParamValue::Int(bound as i64),
                Range::Time { .. } => ParamValue::Time(Duration::from_millis_f64(name, bound)?),
                _ => ParamValue::Real(bound),
            };
            param.range.check(&format!("{name} (slider range)"), &value)
        };
        let current = self.get(name)?;
        let start = current.as_f64().ok_or_else(|| Error::invalid(name, &current, "a number parameter"))?;
        let config = self.clone();
        match param.range {
            Range::Flag | Range::Choice(_) => Err(Error::invalid(name, param.range, "a number parameter for a slider")),
            Range::Count { .. } => {
                if lo.fract() != 0.0 || hi.fract() != 0.0 {
                    return Err(Error::invalid(
                        format!("{name} (slider range)"),
                        format!("{lo}..={hi}"),
                        "whole numbers",
                    ));
                }
                outside(lo)?;
                outside(hi)?;
                let slider = IntSlider::new(name, lo as i64..=hi as i64).initial(start as i64);
                slider.validate()?;
                slider.interact(move |v| show_run(&config, name, ParamValue::Int(v), seed))
            }
            Range::Time { .. } => {
                outside(lo)?;
                outside(hi)?;
                let slider = FloatSlider::new(&format!("{name} (ms)"), range).initial(start);
                slider.validate()?;
                slider.interact(move |ms| match Duration::from_millis_f64(name, ms) {
                    Ok(d) => show_run(&config, name, ParamValue::Time(d), seed),
                    Err(e) => panic!("{e}"),
                })
            }
            Range::Probability | Range::Real { .. } => {
                outside(lo)?;
                outside(hi)?;
                let slider = FloatSlider::new(name, range).initial(start);
                slider.validate()?;
                slider.interact(move |v| show_run(&config, name, ParamValue::Real(v), seed))
            }
        }
    }
}
