//! A choice among named options: one generic [`Choice`], shown as a [`Dropdown`] or as a row of
//! [`ToggleButtons`], as ipywidgets names them. Its value is the chosen option's index.

use super::live::Live;
use super::{object, show_as_cell_value, Widget};
use crate::error::{Error, Result};
use serde_json::{json, Map, Value};
use std::marker::PhantomData;
use std::sync::Arc;

/// How a [`Choice`] is shown.
pub trait ChoiceKind: Send + Sync + 'static {
    /// The ipywidgets class.
    const KIND: &'static str;
}

/// Shown as a drop-down list.
pub struct AsDropdown;
/// Shown as a row of buttons, one pressed.
pub struct AsToggleButtons;

impl ChoiceKind for AsDropdown {
    const KIND: &'static str = "Dropdown";
}
impl ChoiceKind for AsToggleButtons {
    const KIND: &'static str = "ToggleButtons";
}

/// A choice among named options. Its value is the chosen option's index; [`Choice::selected`]
/// gives its name.
pub struct Choice<K: ChoiceKind> {
    name: String,
    options: Vec<String>,
    live: Arc<Live<usize>>,
    kind: PhantomData<K>,
}

/// A drop-down list of options (ipywidgets' `Dropdown`).
pub type Dropdown = Choice<AsDropdown>;
/// A row of buttons, one of them pressed (ipywidgets' `ToggleButtons`).
pub type ToggleButtons = Choice<AsToggleButtons>;

impl<K: ChoiceKind> Clone for Choice<K> {
    fn clone(&self) -> Self {
        Choice { name: self.name.clone(), options: self.options.clone(), live: self.live.clone(), kind: PhantomData }
    }
}

impl<K: ChoiceKind> Choice<K> {
    /// A choice labelled `name` over `options` (at least one, checked when shown), the first one
    /// chosen.
    pub fn new(name: &str, options: &[&str]) -> Self {
        let options = options.iter().map(|o| (*o).to_owned()).collect();
        Choice { name: name.to_owned(), options, live: Live::new("index", 0), kind: PhantomData }
    }

    /// Chooses option `option` to start with (checked when shown).
    #[must_use = "a builder method returns the changed choice; show it with .show() or .interact(..)"]
    pub fn initial(self, option: &str) -> Self {
        let index = self.options.iter().position(|o| o == option).unwrap_or(self.options.len());
        self.live.set(index);
        self
    }

    /// The name of the option chosen now.
    pub fn selected(&self) -> Option<String> {
        self.options.get(self.value()).cloned()
    }
}

impl<K: ChoiceKind> Widget for Choice<K> {
    type Value = usize;
    fn kind(&self) -> &'static str {
        K::KIND
    }
    fn label(&self) -> &str {
        &self.name
    }
    /// At least one option, and the start value one of them.
    fn validate(&self) -> Result<()> {
        if self.options.is_empty() {
            return Err(Error::invalid(format!("{}.options", self.name), "[]", "at least one option"));
        }
        if self.value() >= self.options.len() {
            return Err(Error::invalid(
                format!("{}.initial", self.name),
                "an option not in the list",
                format!("one of {}", self.options.join(", ")),
            ));
        }
        Ok(())
    }
    fn settings(&self) -> Map<String, Value> {
        object(json!({"_options_labels": self.options}))
    }
    fn live(&self) -> &Arc<Live<usize>> {
        &self.live
    }
}

show_as_cell_value!([K: ChoiceKind] Choice<K>);
