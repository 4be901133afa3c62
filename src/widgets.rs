//! Jupyter widgets as values: sliders, checkboxes, dropdowns and `interact`.
//!
//! ```no_run
//! use distsim::prelude::*;
//! # fn main() -> distsim::Result<()> {
//! let loss = FloatSlider::new("loss", 0.0..=0.5).step(0.01);
//! loss.show()?;                       // a live slider (in the distsim kernel)
//! // in a later cell, after moving it:
//! println!("{}", loss.value());      // the value the knob is at now
//! loss.observe(|v| println!("loss is now {v}"));
//! // a slider with the closure's output below it, re-run on every change:
//! FloatSlider::new("capture", 0.0..=0.9).interact(|p| println!("p = {p}"))?;
//! // any experiment's named parameter, with its table and plot (seed 7):
//! concepts::two_generals::Config::default().interact("capture", 0.0..=0.9, 7)?;
//! # Ok(()) }
//! ```
//!
//! A widget is a description (label, range, step, start value) plus a live value shared by its
//! clones. Showing it validates it (an empty range or a zero step is an
//! [`Error::InvalidParameter`] naming the parameter) and prints one `DISTSIM_DISPLAY` line with a
//! [`WidgetRequest`]; the distsim kernel opens the widget's models (the control and an Output
//! below it) and connects the live value over the side channel ([`channel`]): a change made in
//! the browser sets the value and calls the observers without compiling a cell, and what they
//! print goes to the widget's Output. Outside the kernel a widget shows as text and never changes.
//!
//! Every control implements [`Widget`], so `value`, `observe`, `show` and `interact` are written
//! once. The kernel side (models, comms, protocol 2.1) is `kernel/src/widgets/`; the design is in
//! `kernel/HOW_IT_WORKS.md`, section 6.

mod button;
pub mod channel;
mod choice;
mod controls;
mod experiment;
mod layout;
mod live;
mod log_slider;
mod slider;
mod stepper;

pub use button::Button;
pub use choice::{AsDropdown, AsToggleButtons, Choice, ChoiceKind, Dropdown, ToggleButtons};
pub use controls::{Checkbox, Html, Play};
pub use experiment::{InteractExperiment, SliderSpan};
pub use layout::{Child, Column, Direction, Element, HBox, Layout, Output, Row, VBox};
#[doc(hidden)]
pub use live::Live;
pub use log_slider::FloatLogSlider;
pub use slider::{FloatSlider, IntSlider, Number, Slider};

use crate::error::{Error, Result};
use crate::render::{display, MimeBundle, Render, WidgetRequest, WIDGET_MIME};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;

/// What every control shares. Implementors say what they are ([`kind`](Widget::kind), their
/// settings, their checks); the value, observers, showing and `interact` come with the trait.
pub trait Widget {
    /// The value a front end changes (a number, a flag, an option's index, a click count).
    type Value: Clone + Send + Serialize + DeserializeOwned + std::fmt::Debug + 'static;

    /// The ipywidgets class (`"FloatSlider"`).
    fn kind(&self) -> &'static str;

    /// The label shown beside the control (ipywidgets' `description`), and the name errors use.
    fn label(&self) -> &str;

    /// Checks the settings, naming the one that is wrong (`loss.step`).
    fn validate(&self) -> Result<()>;

    /// The model's state keys besides the label and the value (`min`, `max`, `step`, ...).
    fn settings(&self) -> Map<String, Value>;

    #[doc(hidden)]
    fn live(&self) -> &Arc<Live<Self::Value>>;

    /// Whether the value is one of the model's state keys (a Button's click count is not).
    fn value_in_state(&self) -> bool {
        true
    }

    /// The value the control is at now: the start value until a front end moves it.
    fn value(&self) -> Self::Value {
        self.live().get()
    }

    /// Calls `observer` with each new value a front end sends (after the value is set). What it
    /// prints or displays goes to the widget's Output; a panic shows there as an error.
    fn observe(&self, observer: impl FnMut(Self::Value) + Send + 'static) -> &Self
    where
        Self: Sized,
    {
        self.live().observe(observer);
        self
    }

    /// Adds `f` as an observer and runs it once now, for the current value. In the kernel what it
    /// prints is kept and fills the widget's Output when the widget (or a box holding it) is next
    /// shown; elsewhere it prints at once.
    fn observe_now(&self, f: impl FnMut(Self::Value) + Send + 'static) -> &Self
    where
        Self: Sized,
    {
        self.observe(f);
        let value = self.value();
        if self.live().key().is_some() {
            let (_, output) = channel::run_captured(|| self.live().notify(&value));
            self.live().set_start_output(output);
        } else {
            self.live().notify(&value);
        }
        self
    }

    /// Sends what the observers print to `out`, an [`Output`] placed anywhere in a layout, instead
    /// of an Output of the widget's own below it.
    fn output_to(&self, out: &Output) -> &Self
    where
        Self: Sized,
    {
        self.live().set_into(out.clone());
        self
    }

    /// The request the kernel turns into the widget's models (validated; no side-channel key).
    fn request(&self) -> Result<WidgetRequest> {
        self.validate()?;
        let mut state = self.settings();
        state.insert("description".into(), Value::String(self.label().to_owned()));
        if self.value_in_state() {
            let value = serde_json::to_value(self.value()).map_err(|e| invalid(self.label(), "value", e))?;
            state.insert(self.live().field().into(), value);
        }
        Ok(WidgetRequest { kind: self.kind().to_owned(), state, ..WidgetRequest::default() })
    }

    /// Shows the widget (in the distsim kernel, as a live control with an Output below it).
    /// Showing it again shows the same control.
    fn show(&self) -> Result<()>
    where
        Self: Element + Sized,
    {
        show_element(self)
    }

    /// Adds `f` as an observer, runs it once for the current value, and shows the widget with
    /// what `f` printed below it; every later change runs it again and replaces that output.
    fn interact(&self, f: impl FnMut(Self::Value) + Send + 'static) -> Result<()>
    where
        Self: Element + Sized,
    {
        self.request()?;
        if self.live().key().is_some() {
            self.observe_now(f);
            self.show()
        } else {
            self.show()?;
            self.observe_now(f);
            Ok(())
        }
    }
}

/// The map of a `json!` object literal.
pub(crate) fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!("a json! object literal is an object"),
    }
}

fn invalid(label: &str, what: &str, why: impl std::fmt::Display) -> Error {
    Error::invalid(format!("{label}.{what}"), why, "a value the widget can show")
}

/// Every widget is an [`Element`]: its request with its side-channel key, its start output and
/// the Output it prints into.
impl<W: Widget + Clone + Send + Sync + 'static> Element for W {
    fn live_request(&self) -> Result<WidgetRequest> {
        let mut request = self.request()?;
        request.key = self.live().key();
        request.output = self.live().take_start_output();
        request.into = self.live().into_output().and_then(|out| out.key());
        Ok(request)
    }

    fn describe(&self) -> String {
        format!("{}({} = {:?})", self.kind(), self.label(), self.value())
    }
}

/// Shows `element`: one `DISTSIM_DISPLAY` line with its request and its text.
pub(crate) fn show_element(element: &dyn Element) -> Result<()> {
    let request = element.live_request()?;
    display(&Shown(request, element.describe()));
    Ok(())
}

/// Gives widget types the inherent `evcxr_display` a kernel calls on a cell's last value, so that
/// a cell ending in `loss` shows the slider (a trait method is not found by evcxr).
macro_rules! show_as_cell_value {
    ([$($generics:tt)*] $t:ty) => {
        impl<$($generics)*> $t {
            /// Shows the widget as a cell's value; a widget that does not validate prints its error.
            pub fn evcxr_display(&self) {
                if let Err(e) = $crate::widgets::show_element(self) {
                    eprintln!("{e}");
                }
            }
        }
    };
}
pub(crate) use show_as_cell_value;

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
