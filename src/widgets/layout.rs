//! Layouts a notebook builds itself: a row ([`HBox`]) or a column ([`VBox`]) of widgets, and an
//! [`Output`] that callbacks print into wherever it is placed.
//!
//! ```no_run
//! use distsim::prelude::*;
//! # fn main() -> distsim::Result<()> {
//! let run = Button::new("run");
//! let seed = IntSlider::new("seed", 0..=99);
//! let out = Output::new();
//! run.output_to(&out).observe(|clicks| println!("clicked {clicks} times"));
//! VBox::new([HBox::new([run.boxed(), seed.boxed()]).boxed(), out.boxed()]).show()?;
//! # Ok(()) }
//! ```

use super::channel::Receiver;
use super::live::connect_once;
use super::show_as_cell_value;
use crate::error::{Error, Result};
use crate::render::WidgetRequest;
use serde_json::{Map, Value};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

/// Anything a box can hold: every [`Widget`](super::Widget), an [`Output`], another box.
pub trait Element: Send + Sync {
    /// The request that shows it in the kernel: validated, with its side-channel key, its start
    /// output and its children.
    fn live_request(&self) -> Result<WidgetRequest>;

    /// What it is, for places that cannot show widgets (`IntSlider(seed = 0)`).
    fn describe(&self) -> String;

    /// A shared handle on it, to put in a box (`HBox::new([a.boxed(), b.boxed()])`).
    fn boxed(&self) -> Child
    where
        Self: Clone + Sized + 'static,
    {
        Arc::new(self.clone())
    }
}

/// A box's child.
pub type Child = Arc<dyn Element>;

/// A place on the page that callbacks print into (ipywidgets' `Output`): give it to a control's
/// [`output_to`](super::Widget::output_to) and put it in a box. Clones are the same place.
#[derive(Clone, Default)]
pub struct Output {
    key: Arc<Place>,
}

/// An Output's identity in the kernel: a side-channel key, so that a control and a box shown in
/// different cells name the same Output model (a counter in a `static` would exist once per cell).
#[derive(Default)]
struct Place(Mutex<Option<u64>>);

/// An Output is never called: it takes no value from a front end.
impl Receiver for Place {
    fn receive(&self, _state: &Map<String, Value>) -> std::result::Result<(), String> {
        Ok(())
    }
}

impl Output {
    pub fn new() -> Self {
        Output::default()
    }

    /// Its key on the kernel's side channel; `None` outside the kernel.
    pub(crate) fn key(&self) -> Option<u64> {
        connect_once(&self.key.0, || self.key.clone())
    }

    /// Shows it (in the distsim kernel; elsewhere as text).
    pub fn show(&self) -> Result<()> {
        super::show_element(self)
    }
}

impl Element for Output {
    fn live_request(&self) -> Result<WidgetRequest> {
        Ok(WidgetRequest { kind: "Output".into(), key: self.key(), ..WidgetRequest::default() })
    }

    fn describe(&self) -> String {
        "Output".into()
    }
}

/// Which way a [`Layout`] runs.
pub trait Direction: Send + Sync + 'static {
    /// The ipywidgets class (`"HBox"`).
    const KIND: &'static str;
}

/// Children side by side.
pub struct Row;
/// Children one below the other.
pub struct Column;

impl Direction for Row {
    const KIND: &'static str = "HBox";
}
impl Direction for Column {
    const KIND: &'static str = "VBox";
}

/// A row or a column of widgets; see [`HBox`] and [`VBox`].
pub struct Layout<D: Direction> {
    children: Vec<Child>,
    links: Vec<[usize; 2]>,
    direction: PhantomData<D>,
}

/// A row of widgets (ipywidgets' `HBox`).
pub type HBox = Layout<Row>;
/// A column of widgets (ipywidgets' `VBox`).
pub type VBox = Layout<Column>;

impl<D: Direction> Clone for Layout<D> {
    fn clone(&self) -> Self {
        Layout { children: self.children.clone(), links: self.links.clone(), direction: PhantomData }
    }
}

impl<D: Direction> Layout<D> {
    /// A box of `children`, in order (at least one, checked when shown).
    pub fn new(children: impl IntoIterator<Item = Child>) -> Self {
        Layout { children: children.into_iter().collect(), links: Vec::new(), direction: PhantomData }
    }

    /// Keeps the `value` of children `a` and `b` (by position) equal in the browser, without a
    /// round trip to the kernel (ipywidgets' `jslink`): a Play beside a slider moves the slider,
    /// and dragging the slider moves the Play. Both must be controls with a `value`.
    #[must_use = "a builder method returns the changed box; show it with .show()"]
    pub fn link(mut self, a: usize, b: usize) -> Self {
        self.links.push([a, b]);
        self
    }

    /// Shows the box (in the distsim kernel; elsewhere as text).
    pub fn show(&self) -> Result<()> {
        super::show_element(self)
    }

    fn validate(&self) -> Result<()> {
        let kind = D::KIND;
        if self.children.is_empty() {
            return Err(Error::invalid(format!("{kind}.children"), "[]", "at least one child"));
        }
        let count = self.children.len();
        for &[a, b] in &self.links {
            if a >= count || b >= count || a == b {
                return Err(Error::invalid(
                    format!("{kind}.link"),
                    format!("({a}, {b})"),
                    format!("two different children's positions in 0..{count}"),
                ));
            }
        }
        Ok(())
    }
}

impl<D: Direction> Element for Layout<D> {
    fn live_request(&self) -> Result<WidgetRequest> {
        self.validate()?;
        let children = self.children.iter().map(|child| child.live_request()).collect::<Result<Vec<_>>>()?;
        Ok(WidgetRequest { kind: D::KIND.into(), children, links: self.links.clone(), ..WidgetRequest::default() })
    }

    fn describe(&self) -> String {
        let children: Vec<String> = self.children.iter().map(|child| child.describe()).collect();
        format!("{}[{}]", D::KIND, children.join(", "))
    }
}

show_as_cell_value!([] Output);
show_as_cell_value!([D: Direction] Layout<D>);

impl<D: Direction> std::fmt::Debug for Layout<D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}
