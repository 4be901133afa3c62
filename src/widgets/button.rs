//! A button whose clicks call a closure (ipywidgets' `Button`).
//!
//! A front end reports a click as a `custom` comm message (`{"event": "click"}`), not as a state
//! change; the kernel counts a live button's clicks and sends the count over the side channel, so
//! the button's value is the number of clicks so far. Clicks made while the closure still runs
//! coalesce like any change: the next call sees the latest count, once.

use super::live::Live;
use super::{show_as_cell_value, Widget};
use crate::error::{Error, Result};
use serde_json::{Map, Value};
use std::sync::Arc;

/// A button labelled `name`; [`on_click`](Button::on_click) runs a closure with the click count.
#[derive(Clone)]
pub struct Button {
    name: String,
    live: Arc<Live<u64>>,
}

impl Button {
    pub fn new(name: &str) -> Self {
        Button { name: name.to_owned(), live: Live::new("clicks", 0) }
    }

    /// Runs `f` on every click, with the number of clicks so far. What it prints goes to the
    /// button's Output (or the one given to `output_to`).
    pub fn on_click(&self, f: impl FnMut(u64) + Send + 'static) -> &Self {
        self.observe(f)
    }
}

impl Widget for Button {
    type Value = u64;
    fn kind(&self) -> &'static str {
        "Button"
    }
    fn label(&self) -> &str {
        &self.name
    }
    /// A button needs a label: it is all the user sees.
    fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid("Button.name", format!("{:?}", self.name), "a non-empty label"));
        }
        Ok(())
    }
    fn settings(&self) -> Map<String, Value> {
        Map::new()
    }
    fn live(&self) -> &Arc<Live<u64>> {
        &self.live
    }
    /// The click count is kept by the kernel, not in the model (ipywidgets' ButtonModel has no value).
    fn value_in_state(&self) -> bool {
        false
    }
}

show_as_cell_value!([] Button);
