//! A slider over a logarithmic scale (ipywidgets' `FloatLogSlider`): equal steps of the knob
//! multiply the value, which suits quantities spread over decades (a timeout from 1 ms to 10 s,
//! an error rate from 1e-6 to 1e-1).
//!
//! ipywidgets' model holds the *exponents* (`min`, `max`, `step`) and the `base`; the value is
//! `base^exponent`. Here the range is given as values, which is what a notebook author knows, and
//! the exponents are computed from it.

use super::live::Live;
use super::{object, show_as_cell_value, Widget};
use crate::error::{Error, Result};
use serde_json::{json, Map, Value};
use std::ops::RangeInclusive;
use std::sync::Arc;

/// A slider whose knob moves in equal steps of `log(value)`.
#[derive(Clone)]
pub struct FloatLogSlider {
    name: String,
    range: RangeInclusive<f64>,
    base: f64,
    /// The step in the exponent.
    step: f64,
    live: Arc<Live<f64>>,
}

impl FloatLogSlider {
    /// A slider labelled `name` over the values `range` (both ends > 0), base 10, a tenth of a
    /// decade per step, starting at the range's start.
    pub fn new(name: &str, range: RangeInclusive<f64>) -> Self {
        let start = *range.start();
        FloatLogSlider { name: name.to_owned(), range, base: 10.0, step: 0.1, live: Live::new("value", start) }
    }

    /// The logarithm's base (default 10): a finite number > 1 (below 1 the knob would run
    /// backwards, at 1 it would not move).
    #[must_use = "a builder method returns the changed slider; show it with .show() or .interact(..)"]
    pub fn base(mut self, base: f64) -> Self {
        self.base = base;
        self
    }

    /// The step of the exponent (default 0.1): one knob step multiplies the value by `base^step`.
    #[must_use = "a builder method returns the changed slider; show it with .show() or .interact(..)"]
    pub fn step(mut self, step: f64) -> Self {
        self.step = step;
        self
    }

    /// Where the knob starts (default: the range's start).
    #[must_use = "a builder method returns the changed slider; show it with .show() or .interact(..)"]
    pub fn initial(self, value: f64) -> Self {
        self.live.set(value);
        self
    }

    /// The exponents of the range's ends in the slider's base (`log10` and `log2` are exact at
    /// powers of their base, where `ln x / ln b` is not: 1e-3 would be -2.9999999999999996).
    fn exponents(&self) -> (f64, f64) {
        let log = |x: f64| match self.base {
            10.0 => x.log10(),
            2.0 => x.log2(),
            base => x.ln() / base.ln(),
        };
        (log(*self.range.start()), log(*self.range.end()))
    }
}

impl Widget for FloatLogSlider {
    type Value = f64;
    fn kind(&self) -> &'static str {
        "FloatLogSlider"
    }
    fn label(&self) -> &str {
        &self.name
    }
    /// The base finite and > 1; the range finite, positive and non-empty; the step positive
    /// and at most the range's width in exponents; the value inside the range.
    fn validate(&self) -> Result<()> {
        let name = &self.name;
        let base = self.base;
        if !(base.is_finite() && base > 1.0) {
            return Err(Error::invalid(format!("{name}.base"), base, "a finite base > 1"));
        }
        let (lo, hi) = (*self.range.start(), *self.range.end());
        if !(lo.is_finite() && hi.is_finite() && lo > 0.0 && lo < hi) {
            return Err(Error::invalid(
                format!("{name}.range"),
                format!("{lo}..={hi}"),
                "a non-empty range of finite numbers > 0 (a logarithm needs positive values), start < end",
            ));
        }
        let (from, to) = self.exponents();
        let width = to - from;
        if !(self.step.is_finite() && self.step > 0.0 && self.step <= width) {
            return Err(Error::invalid(
                format!("{name}.step"),
                self.step,
                format!("an exponent step > 0 and at most the range's width in exponents, {width}"),
            ));
        }
        let value = self.live.get();
        if !self.range.contains(&value) {
            return Err(Error::invalid(format!("{name}.value"), value, format!("a value in {lo}..={hi}")));
        }
        Ok(())
    }
    fn settings(&self) -> Map<String, Value> {
        let (min, max) = self.exponents();
        object(json!({"min": min, "max": max, "step": self.step, "base": self.base}))
    }
    fn live(&self) -> &Arc<Live<f64>> {
        &self.live
    }
}

show_as_cell_value!([] FloatLogSlider);
