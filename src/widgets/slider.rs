//! Sliders over numbers: one generic [`Slider`], named [`FloatSlider`] and [`IntSlider`] as
//! ipywidgets names them.

use super::live::Live;
use super::{object, show_as_cell_value, Widget};
use crate::error::{Error, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::Arc;

/// A number a slider can hold.
pub trait Number:
    Copy + PartialOrd + fmt::Display + fmt::Debug + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// The ipywidgets class of a slider over this type.
    const KIND: &'static str;
    /// The step when none is given: a hundredth of the range for reals, 1 for integers.
    fn default_step(lo: Self, hi: Self) -> Self;
    /// As a real number, for checks that mix the two.
    fn as_f64(self) -> f64;
}

impl Number for f64 {
    const KIND: &'static str = "FloatSlider";
    fn default_step(lo: f64, hi: f64) -> f64 {
        (hi - lo) / 100.0
    }
    fn as_f64(self) -> f64 {
        self
    }
}

impl Number for i64 {
    const KIND: &'static str = "IntSlider";
    fn default_step(_lo: i64, _hi: i64) -> i64 {
        1
    }
    fn as_f64(self) -> f64 {
        self as f64
    }
}

/// A slider over `T` (ipywidgets' `FloatSlider` for `f64`, `IntSlider` for `i64`).
#[derive(Clone)]
pub struct Slider<T: Number> {
    name: String,
    range: RangeInclusive<T>,
    step: Option<T>,
    live: Arc<Live<T>>,
}

/// A slider over real numbers (ipywidgets' `FloatSlider`).
pub type FloatSlider = Slider<f64>;
/// A slider over integers (ipywidgets' `IntSlider`).
pub type IntSlider = Slider<i64>;

impl<T: Number> Slider<T> {
    /// A slider labelled `name` over `range`, starting at the range's start.
    pub fn new(name: &str, range: RangeInclusive<T>) -> Self {
        let start = *range.start();
        Slider { name: name.to_owned(), range, step: None, live: Live::new("value", start) }
    }

    /// The distance between two positions of the knob.
    #[must_use = "a builder method returns the changed slider; show it with .show() or .interact(..)"]
    pub fn step(mut self, step: T) -> Self {
        self.step = Some(step);
        self
    }

    /// Where the knob starts (default: the range's start).
    #[must_use = "a builder method returns the changed slider; show it with .show() or .interact(..)"]
    pub fn initial(self, value: T) -> Self {
        self.live.set(value);
        self
    }

    fn step_or_default(&self) -> T {
        self.step.unwrap_or_else(|| T::default_step(*self.range.start(), *self.range.end()))
    }
}

impl<T: Number> Widget for Slider<T> {
    type Value = T;

    fn kind(&self) -> &'static str {
        T::KIND
    }

    fn label(&self) -> &str {
        &self.name
    }

    /// The range must be non-empty and finite, the step positive and at most the range's width,
    /// the value inside the range.
    fn validate(&self) -> Result<()> {
        let (lo, hi) = (*self.range.start(), *self.range.end());
        let invalid = |what: &str, value: String, expected: String| Error::InvalidParameter {
            parameter: format!("{}.{what}", self.name),
            value,
            expected,
        };
        if !(lo.as_f64().is_finite() && hi.as_f64().is_finite() && lo < hi) {
            return Err(invalid(
                "range",
                format!("{lo}..={hi}"),
                "a non-empty range of finite numbers, start < end".into(),
            ));
        }
        let step = self.step_or_default();
        let width = hi.as_f64() - lo.as_f64();
        if !(step.as_f64().is_finite() && step.as_f64() > 0.0 && step.as_f64() <= width) {
            return Err(invalid("step", step.to_string(), format!("a step > 0 and at most the range's width {width}")));
        }
        let value = self.live.get();
        if !self.range.contains(&value) {
            return Err(invalid("value", value.to_string(), format!("a value in {lo}..={hi}")));
        }
        Ok(())
    }

    fn settings(&self) -> Map<String, Value> {
        object(json!({"min": self.range.start(), "max": self.range.end(), "step": self.step_or_default()}))
    }

    fn live(&self) -> &Arc<Live<T>> {
        &self.live
    }
}

show_as_cell_value!([T: Number] Slider<T>);
