//! `interact` over any concept experiment: a slider for one named parameter, with the run's table
//! and plot below it, run again with the same seed whenever the knob moves.

use super::{FloatSlider, IntSlider, Widget};
use crate::error::{Error, Result};
use crate::experiment::{Experiment, ParamValue, Range, Report};
use crate::render::display;
use crate::time::Duration;
use std::ops::RangeInclusive;

/// The range of an experiment slider: numbers (`0.0..=0.9`) or times (`hours(1)..=hours(24)`,
/// shown in the unit of the range's end: hours, seconds, milliseconds or microseconds).
#[derive(Clone, Debug, PartialEq)]
pub struct SliderSpan {
    lo: f64,
    hi: f64,
    /// For times: the unit's name and its length in nanoseconds.
    unit: Option<(&'static str, f64)>,
}

impl From<RangeInclusive<f64>> for SliderSpan {
    fn from(range: RangeInclusive<f64>) -> Self {
        SliderSpan { lo: *range.start(), hi: *range.end(), unit: None }
    }
}

impl From<RangeInclusive<Duration>> for SliderSpan {
    fn from(range: RangeInclusive<Duration>) -> Self {
        let hi = range.end().as_nanos() as f64;
        let unit = [("h", 3.6e12), ("s", 1e9), ("ms", 1e6)].into_iter().find(|(_, n)| hi >= *n).unwrap_or(("µs", 1e3));
        SliderSpan { lo: range.start().as_nanos() as f64 / unit.1, hi: hi / unit.1, unit: Some(unit) }
    }
}

impl SliderSpan {
    /// The parameter value at slider position `x` (in the span's unit for times).
    fn value(&self, range: &Range, x: f64) -> ParamValue {
        match (range, self.unit) {
            (Range::Count { .. }, _) => ParamValue::Int(x.round() as i64),
            (_, Some((_, nanos))) => ParamValue::Time(Duration::from_nanos((x * nanos).round() as u64)),
            _ => ParamValue::Real(x),
        }
    }

    /// The slider position of `value` (in the span's unit for times).
    fn position(&self, value: &ParamValue) -> Option<f64> {
        match (value, self.unit) {
            (ParamValue::Time(d), Some((_, nanos))) => Some(d.as_nanos() as f64 / nanos),
            (ParamValue::Time(_), None) => None,
            (other, _) => other.as_f64(),
        }
    }
}

/// `interact` for every [`Experiment`] (in the prelude).
pub trait InteractExperiment: Experiment {
    /// Shows a slider over `range` for parameter `name` and, below it, the table and plot of
    /// `run(seed)` with the parameter at the knob's value. The knob starts at the parameter's
    /// current value. Counts get an integer slider; a time parameter takes a range of times
    /// (`hours(1)..=hours(24)`).
    ///
    /// Errors name the problem: an unknown parameter (the error lists the names there are), a
    /// flag or choice parameter (no slider for those), numbers for a time or times for a number,
    /// a range outside the parameter's valid range, or a current value outside `range`.
    fn interact(&self, name: &str, range: impl Into<SliderSpan>, seed: u64) -> Result<()>;
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
    fn interact(&self, name: &str, range: impl Into<SliderSpan>, seed: u64) -> Result<()> {
        let span: SliderSpan = range.into();
        let param = self.param(name)?;
        self.validate()?;
        let name = param.name;
        let label = format!("{name} (slider range)");
        let is_time = matches!(param.range, Range::Time { .. });
        if is_time != span.unit.is_some() {
            let expected = if is_time { "a range of times, e.g. hours(1)..=hours(24)" } else { "a range of numbers" };
            return Err(Error::invalid(label, format!("{}..={}", span.lo, span.hi), expected));
        }
        if matches!(param.range, Range::Flag | Range::Choice(_)) {
            return Err(Error::invalid(name, &param.range, "a number or time parameter for a slider"));
        }
        if matches!(param.range, Range::Count { .. }) && (span.lo.fract() != 0.0 || span.hi.fract() != 0.0) {
            return Err(Error::invalid(label, format!("{}..={}", span.lo, span.hi), "whole numbers"));
        }
        for bound in [span.lo, span.hi] {
            param.range.check(&label, &span.value(&param.range, bound))?;
        }
        let current = self.get(name)?;
        let start = span.position(&current).ok_or_else(|| Error::invalid(name, &current, "a number parameter"))?;
        let (config, kind, unit, lo, hi) = (self.clone(), param.range.clone(), span.unit, span.lo, span.hi);
        let run = move |x: f64| show_run(&config, name, span.value(&kind, x), seed);
        match (&param.range, unit) {
            (Range::Count { .. }, _) => {
                let slider = IntSlider::new(name, lo as i64..=hi as i64).initial(start.round() as i64);
                slider.validate()?;
                slider.interact(move |v| run(v as f64))
            }
            (_, unit) => {
                let label = match unit {
                    Some((unit, _)) => format!("{name} ({unit})"),
                    None => name.to_owned(),
                };
                let slider = FloatSlider::new(&label, lo..=hi).initial(start);
                slider.validate()?;
                slider.interact(run)
            }
        }
    }
}
