//! Where two runs part: the first event at which two traces differ.
//!
//! A simulation is deterministic, so two runs of one protocol agree event for event until the
//! first thing that differs between them: a random draw of another seed, a changed knob, a
//! changed line of code. Everything before that event is shared history; the event itself is
//! where cause and effect start. [`Trace::diff`] finds it, and [`TraceDiff`] draws both runs on
//! one time axis up to a little after it, with the divergence marked.
//!
//! ```
//! use distsim::prelude::*;
//! use distsim::time::Time;
//! let ev = |seq, kind| TraceEvent { time: Time::from_nanos(seq * 1_000), seq, kind, lamport: None };
//! let mut a = Trace::default();
//! a.events = vec![ev(0, EventKind::Crash { node: 0 }), ev(1, EventKind::Recover { node: 0 })];
//! let mut b = a.clone();
//! b.events[1] = ev(1, EventKind::Crash { node: 1 });
//! let d = a.diff(&b);
//! assert_eq!(d.index(), Some(1));
//! assert_eq!(d.shared(), 1);
//! assert!(d.summary().contains("first 1 events"));
//! ```

use super::SpaceTime;
use crate::render::{MimeBundle, Render};
use crate::time::Time;
use crate::trace::{Trace, TraceEvent};

/// How many shared events before the divergence the picture shows: enough to see what led to
/// it, few enough that the divergence is not a speck at the right edge.
pub const DIFF_CONTEXT: usize = 200;

/// The result of [`Trace::diff`]: where two traces part, and what they share before it.
#[derive(Clone, Debug)]
pub struct TraceDiff {
    left: Trace,
    right: Trace,
    shared: usize,
}

impl Trace {
    /// Compares two runs event by event (time and what happened; `seq` and stamps follow from
    /// those) and returns the first event where they differ, with what they share before it.
    pub fn diff(&self, other: &Trace) -> TraceDiff {
        let shared =
            self.events.iter().zip(&other.events).take_while(|(a, b)| a.time == b.time && a.kind == b.kind).count();
        TraceDiff { left: self.clone(), right: other.clone(), shared }
    }
}

impl TraceDiff {
    /// The index of the first event that differs (or that only one run has); `None` when the
    /// recorded events are identical.
    pub fn index(&self) -> Option<usize> {
        let longest = self.left.events.len().max(self.right.events.len());
        (self.shared < longest).then_some(self.shared)
    }

    /// How many events the runs share before they part (all of them, when identical).
    pub fn shared(&self) -> usize {
        self.shared
    }

    /// The shared events.
    pub fn common(&self) -> &[TraceEvent] {
        &self.left.events[..self.shared]
    }

    /// The first run's event at the divergence (`None`: identical, or the first run ended there).
    pub fn left(&self) -> Option<&TraceEvent> {
        self.index().and_then(|i| self.left.events.get(i))
    }

    /// The second run's event at the divergence (`None`: identical, or the second run ended there).
    pub fn right(&self) -> Option<&TraceEvent> {
        self.index().and_then(|i| self.right.events.get(i))
    }

    /// One paragraph: how much is shared and what each run did next.
    pub fn summary(&self) -> String {
        let describe = |trace: &Trace, e: Option<&TraceEvent>| match e {
            Some(e) => format!("{} {}", e.time, trace.describe(&e.kind)),
            None => "(no more events)".to_string(),
        };
        match self.index() {
            None => format!("the runs are identical: {} events", self.shared),
            Some(i) => {
                let since = match self.common().last() {
                    Some(e) => format!(" (up to {})", e.time),
                    None => String::new(),
                };
                format!(
                    "the runs agree on their first {i} events{since}; event {i} differs:\n  first:  {}\n  second: {}",
                    describe(&self.left, self.left()),
                    describe(&self.right, self.right())
                )
            }
        }
    }

    /// Both diagrams on one time axis, from a little before the divergence to its later event,
    /// each with the divergent event marked.
    pub fn diagrams(&self) -> (SpaceTime, SpaceTime) {
        let from_index = self.shared.saturating_sub(DIFF_CONTEXT);
        let time_at = |t: &Trace, i: usize| t.events.get(i).map(|e| e.time);
        let from = [time_at(&self.left, from_index), time_at(&self.right, from_index)]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(Time::ZERO);
        let to = match self.index() {
            Some(i) => [time_at(&self.left, i), time_at(&self.right, i)].into_iter().flatten().max(),
            None => self.left.events.last().map(|e| e.time),
        }
        .unwrap_or(from);
        let draw = |trace: &Trace, which: &str| {
            let mut st = SpaceTime::new(trace).window(from, to).lamport(true);
            if let Some(e) = self.index().and_then(|i| trace.events.get(i)) {
                st = st.highlight(e.seq, format!("{which} run parts here"));
            }
            // The window holds the shared context and what happens up to the divergence: show
            // all of it in the static picture as well.
            let in_window = trace.events.iter().filter(|e| e.time >= from && e.time <= to).count();
            st.max_events(in_window.max(1)).expect("at least one event")
        };
        (draw(&self.left, "the first"), draw(&self.right, "the second"))
    }
}

impl Render for TraceDiff {
    /// The summary and both text diagrams; both SVGs one above the other; both interactive
    /// diagrams in HTML.
    fn mime_bundle(&self) -> MimeBundle {
        let (a, b) = self.diagrams();
        let text = format!("{}\n\nfirst run:\n{}\nsecond run:\n{}", self.summary(), a.to_text(), b.to_text());
        let (sa, sb) = (a.to_svg(), b.to_svg());
        // Stack the two documents: the second one is moved down by the first one's height.
        let height = |svg: &str| -> f64 {
            svg.split("height=\"").nth(1).and_then(|r| r.split('"').next()).and_then(|h| h.parse().ok()).unwrap_or(0.0)
        };
        let (ha, hb) = (height(&sa), height(&sb));
        let width = f64::from(a.width.max(b.width));
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.1}\" height=\"{total:.1}\" \
             viewBox=\"0 0 {width:.1} {total:.1}\">\n{}{}</svg>\n",
            sa,
            sb.replacen("<svg ", &format!("<svg y=\"{ha:.1}\" "), 1),
            total = ha + hb,
        );
        let html = format!(
            "<div class=\"distsim-diff\"><pre>{}</pre>\n<p><b>first run</b></p>\n{}<p><b>second run</b></p>\n{}</div>\n",
            crate::render::escape_html(&self.summary()),
            a.to_html(),
            b.to_html()
        );
        MimeBundle::text(text).with("image/svg+xml", svg).with("text/html", html)
    }
}

crate::impl_evcxr_display!(TraceDiff);
