//! Stepping through a run with a [`Play`] button: the space-time diagram with one event ringed.
//!
//! The design is the simplest that works with or without a browser: a Play and an event slider
//! sit side by side, linked in the browser (ipywidgets' `jslink`, so pressing play moves the
//! slider and dragging the slider moves the Play), and the Play's observer re-renders the whole
//! diagram with the current event highlighted into an Output below. Each step is one call over the
//! side channel (no compile), and steps that come faster than the diagram renders coalesce to the
//! latest. The interactive diagram's own scrubber still works inside each rendering.

use super::{Element, HBox, IntSlider, Output, Play, VBox, Widget};
use crate::error::{Error, Result};
use crate::render::display;
use crate::trace::spacetime::SpaceTime;
use crate::trace::Trace;

impl SpaceTime {
    /// A Play button and an event slider over this diagram's events, above the diagram with the
    /// current event ringed, one step every `interval_ms` milliseconds of wall time while playing.
    /// Show it (or end a cell with it); the trace needs at least 2 events.
    ///
    /// ```no_run
    /// # use distsim::prelude::*;
    /// # fn main() -> distsim::Result<()> {
    /// # let trace = Trace::default();
    /// SpaceTime::new(&trace).stepper(400)?.show()?;
    /// # Ok(()) }
    /// ```
    pub fn stepper(&self, interval_ms: u64) -> Result<VBox> {
        let count = self.events().len();
        if count < 2 {
            return Err(Error::invalid("stepper.trace", format!("{count} events"), "a trace of at least 2 events"));
        }
        let last = i64::try_from(count - 1).map_err(|_| Error::invalid("stepper.trace", count, "fewer events"))?;
        let play = Play::new("step", 0..=last).interval_ms(interval_ms);
        play.validate()?;
        let slider = IntSlider::new("event", 0..=last);
        let out = Output::new();
        let diagram = self.clone();
        let names = Trace::new(self.node_names().to_vec());
        play.output_to(&out).observe_now(move |i| show_step(&diagram, &names, i));
        Ok(VBox::new([HBox::new([play.boxed(), slider.boxed()]).link(0, 1).boxed(), out.boxed()]))
    }
}

/// One step: a line naming event `i`, then the diagram with it ringed.
fn show_step(diagram: &SpaceTime, names: &Trace, i: i64) {
    let Some(event) = usize::try_from(i).ok().and_then(|i| diagram.events().get(i)) else {
        println!("no event {i}: the trace has {} events", diagram.events().len());
        return;
    };
    println!("event {i}, {}: {}", event.time, names.describe(&event.kind));
    display(&diagram.clone().highlight(event.seq, format!("event {i}")));
}
