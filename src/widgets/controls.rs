//! The other controls: a checkbox, a play button and a piece of HTML.

use super::live::Live;
use super::{object, show_as_cell_value, Widget};
use crate::error::{Error, Result};
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// A yes/no box (ipywidgets' `Checkbox`).
#[derive(Clone)]
pub struct Checkbox {
    name: String,
    live: Arc<Live<bool>>,
}

impl Checkbox {
    pub fn new(name: &str, checked: bool) -> Self {
        Checkbox { name: name.to_owned(), live: Live::new("value", checked) }
    }
}

impl Widget for Checkbox {
    type Value = bool;
    fn kind(&self) -> &'static str {
        "Checkbox"
    }
    fn label(&self) -> &str {
        &self.name
    }
    fn validate(&self) -> Result<()> {
        Ok(())
    }
    fn settings(&self) -> Map<String, Value> {
        object(json!({"indent": false}))
    }
    fn live(&self) -> &Arc<Live<bool>> {
        &self.live
    }
}

/// A play button that counts from `min` to `max` by `step`, one step every `interval_ms`
/// milliseconds of wall time (ipywidgets' `Play`): observe it to animate a parameter or to step
/// through a trace.
#[derive(Clone)]
pub struct Play {
    name: String,
    min: i64,
    max: i64,
    step: i64,
    interval_ms: u64,
    live: Arc<Live<i64>>,
}

impl Play {
    /// Counts over `range` by 1, a step every 200 ms, starting at the range's start.
    pub fn new(name: &str, range: std::ops::RangeInclusive<i64>) -> Self {
        let (min, max) = (*range.start(), *range.end());
        Play { name: name.to_owned(), min, max, step: 1, interval_ms: 200, live: Live::new("value", min) }
    }

    #[must_use = "a builder method returns the changed widget; show it with .show() or .interact(..)"]
    pub fn step(mut self, step: i64) -> Self {
        self.step = step;
        self
    }

    /// Wall-clock milliseconds between two steps (this is the browser's timer, not simulated time).
    #[must_use = "a builder method returns the changed widget; show it with .show() or .interact(..)"]
    pub fn interval_ms(mut self, interval_ms: u64) -> Self {
        self.interval_ms = interval_ms;
        self
    }
}

impl Widget for Play {
    type Value = i64;
    fn kind(&self) -> &'static str {
        "Play"
    }
    fn label(&self) -> &str {
        &self.name
    }
    fn validate(&self) -> Result<()> {
        let (lo, hi) = (self.min, self.max);
        let name = &self.name;
        if lo >= hi {
            return Err(Error::invalid(
                format!("{name}.range"),
                format!("{lo}..={hi}"),
                "a non-empty range, start < end",
            ));
        }
        if self.step <= 0 || self.step as i128 > hi as i128 - lo as i128 {
            return Err(Error::invalid(format!("{name}.step"), self.step, "a step > 0 and at most the range's width"));
        }
        if self.interval_ms == 0 {
            return Err(Error::invalid(format!("{name}.interval_ms"), 0, "at least 1 millisecond"));
        }
        Ok(())
    }
    fn settings(&self) -> Map<String, Value> {
        object(json!({"min": self.min, "max": self.max, "step": self.step, "interval": self.interval_ms}))
    }
    fn live(&self) -> &Arc<Live<i64>> {
        &self.live
    }
}

/// A piece of HTML (ipywidgets' `HTML`), e.g. a caption that a callback cannot change but a
/// notebook can place beside controls.
#[derive(Clone)]
pub struct Html {
    name: String,
    live: Arc<Live<String>>,
}

impl Html {
    pub fn new(name: &str, html: &str) -> Self {
        Html { name: name.to_owned(), live: Live::new("value", html.to_owned()) }
    }
}

impl Widget for Html {
    type Value = String;
    fn kind(&self) -> &'static str {
        "HTML"
    }
    fn label(&self) -> &str {
        &self.name
    }
    fn validate(&self) -> Result<()> {
        Ok(())
    }
    fn settings(&self) -> Map<String, Value> {
        Map::new()
    }
    fn live(&self) -> &Arc<Live<String>> {
        &self.live
    }
}

show_as_cell_value!([] Checkbox);
show_as_cell_value!([] Play);
show_as_cell_value!([] Html);
