//! Jupyter widgets as values: `FloatSlider::new("loss", 0.0..=0.5).step(0.01).show()?`.
//!
//! A widget is a plain description (range, step, start value) until it is shown: [`FloatSlider::show`]
//! validates it (an empty range or a zero step is an [`Error::InvalidParameter`] naming the
//! parameter) and prints one `DISTSIM_DISPLAY` line carrying a [`WidgetRequest`]
//! ([`crate::render::WIDGET_MIME`]); the distsim kernel turns it into the widget's comm_open and
//! the display of its view. What is *not* here yet: reading a moved slider's value back in a later
//! cell and `observe` callbacks, which need the side channel designed in `kernel/HOW_IT_WORKS.md`.

use crate::error::{Error, Result};
use crate::render::{display, MimeBundle, Render, WidgetRequest, WIDGET_MIME};
use serde_json::{json, Map, Value};
use std::ops::RangeInclusive;

/// A slider over real numbers (ipywidgets' `FloatSlider`).
#[derive(Clone, Debug, PartialEq)]
pub struct FloatSlider {
    name: String,
    range: RangeInclusive<f64>,
    step: f64,
    value: Option<f64>,
}

/// A slider over integers (ipywidgets' `IntSlider`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntSlider {
    name: String,
    range: RangeInclusive<i64>,
    step: i64,
    value: Option<i64>,
}

fn invalid(parameter: String, value: String, expected: &str) -> Error {
    Error::InvalidParameter { parameter, value, expected: expected.to_owned() }
}

impl FloatSlider {
    /// A slider named `name` (its label) over `range`, starting at the range's start, step 0.1.
    pub fn new(name: &str, range: RangeInclusive<f64>) -> Self {
        Self { name: name.to_owned(), range, step: 0.1, value: None }
    }

    /// The distance between two positions of the knob.
    pub fn step(mut self, step: f64) -> Self {
        self.step = step;
        self
    }

    /// Where the knob starts (default: the range's start).
    pub fn value(mut self, value: f64) -> Self {
        self.value = Some(value);
        self
    }

    /// Checks the range, step and start value, naming the one that is wrong.
    pub fn validate(&self) -> Result<()> {
        let (lo, hi) = (*self.range.start(), *self.range.end());
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            return Err(invalid(
                format!("{}.range", self.name),
                format!("{lo}..={hi}"),
                "a non-empty range of finite numbers, start < end",
            ));
        }
        if !(self.step.is_finite() && self.step > 0.0 && self.step <= hi - lo) {
            return Err(invalid(
                format!("{}.step", self.name),
                self.step.to_string(),
                &format!("a step > 0 and at most the range's width {}", hi - lo),
            ));
        }
        if let Some(v) = self.value.filter(|v| !self.range.contains(v)) {
            return Err(invalid(format!("{}.value", self.name), v.to_string(), &format!("a value in {lo}..={hi}")));
        }
        Ok(())
    }

    /// The request the kernel turns into the widget.
    pub fn request(&self) -> Result<WidgetRequest> {
        self.validate()?;
        let value = self.value.unwrap_or(*self.range.start());
        Ok(request(
            "FloatSlider",
            json!({"description": self.name, "min": self.range.start(), "max": self.range.end(), "step": self.step, "value": value}),
        ))
    }

    /// Shows the slider (in the distsim kernel, as a live widget).
    pub fn show(&self) -> Result<()> {
        display(&Shown(
            self.request()?,
            format!("FloatSlider({} = {})", self.name, self.value.unwrap_or(*self.range.start())),
        ));
        Ok(())
    }
}

impl IntSlider {
    /// A slider named `name` over `range`, starting at the range's start, step 1.
    pub fn new(name: &str, range: RangeInclusive<i64>) -> Self {
        Self { name: name.to_owned(), range, step: 1, value: None }
    }

    pub fn step(mut self, step: i64) -> Self {
        self.step = step;
        self
    }

    pub fn value(mut self, value: i64) -> Self {
        self.value = Some(value);
        self
    }

    /// Checks the range, step and start value, naming the one that is wrong.
    pub fn validate(&self) -> Result<()> {
        let (lo, hi) = (*self.range.start(), *self.range.end());
        if lo >= hi {
            return Err(invalid(
                format!("{}.range", self.name),
                format!("{lo}..={hi}"),
                "a non-empty range, start < end",
            ));
        }
        if self.step <= 0 || self.step as i128 > hi as i128 - lo as i128 {
            return Err(invalid(
                format!("{}.step", self.name),
                self.step.to_string(),
                &format!("a step > 0 and at most the range's width {}", hi as i128 - lo as i128),
            ));
        }
        if let Some(v) = self.value.filter(|v| !self.range.contains(v)) {
            return Err(invalid(format!("{}.value", self.name), v.to_string(), &format!("a value in {lo}..={hi}")));
        }
        Ok(())
    }

    pub fn request(&self) -> Result<WidgetRequest> {
        self.validate()?;
        let value = self.value.unwrap_or(*self.range.start());
        Ok(request(
            "IntSlider",
            json!({"description": self.name, "min": self.range.start(), "max": self.range.end(), "step": self.step, "value": value}),
        ))
    }

    pub fn show(&self) -> Result<()> {
        display(&Shown(
            self.request()?,
            format!("IntSlider({} = {})", self.name, self.value.unwrap_or(*self.range.start())),
        ));
        Ok(())
    }
}

fn request(kind: &str, state: Value) -> WidgetRequest {
    let state: Map<String, Value> = match state {
        Value::Object(map) => map,
        _ => unreachable!("a json! object literal is an object"),
    };
    WidgetRequest { kind: kind.to_owned(), state }
}

/// A validated widget request with its text for places that cannot show widgets.
struct Shown(WidgetRequest, String);

impl Render for Shown {
    fn mime_bundle(&self) -> MimeBundle {
        let json = serde_json::to_string(&self.0).expect("a widget request is plain data");
        MimeBundle::text(self.1.clone()).with(WIDGET_MIME, json)
    }
}

#[cfg(test)]
mod tests;
