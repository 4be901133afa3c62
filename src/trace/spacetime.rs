//! Space-time (Lamport) diagrams of a trace: SVG and text.
//!
//! Lamport drew distributed executions as one horizontal line per process, time running to the
//! right, and an arrow for every message from the moment it was sent to the moment it arrived.
//! The picture makes *happened-before* visible: event `a` happened before `b` exactly when a
//! path of line segments and arrows leads from `a` to `b`. Events with no such path either way
//! are concurrent, whatever their wall-clock times say.
//!
//! [`SpaceTime`] draws a [`Trace`] that way:
//!
//! * a lane per node (dashed red while the node is crashed, orange while paused);
//! * an arrow per delivered message, matched from its `Send` to its `Deliver` by message id
//!   (duplicates start at the original send);
//! * a lost message as a dashed line that stops short, with a red `×` where it was lost;
//! * crashes (`×` on the lane), recoveries (`▲`), timers (`○`), logs (`◇`), partitions (a
//!   vertical band across all lanes);
//! * optionally, each event's Lamport timestamp: the one the trace recorded, or else one computed
//!   here from the trace by Lamport's rules (every send, timer and log ticks the node's counter;
//!   a delivery sets it to `max(local, sender's stamp) + 1`), always from the start of the run so
//!   that a window does not change the numbers.
//!
//! In a notebook the diagram is interactive (the `text/html` of its bundle, see
//! [`SpaceTime::to_html`]): a time scrubber and step buttons walk through the run one event at a
//! time; hovering or clicking a message shows its content, its send and delivery times and its
//! Lamport and [vector stamps](vector_stamps); crashed, paused and partitioned intervals are
//! shaded; clicking a node's name shows only its events; dragging across the plot zooms into
//! that time range. The interactive view shows every event of the window; above
//! [`AGGREGATE_ABOVE`] events it draws per-pixel-column counts instead (see the caption).
//! Where scripts cannot run, the same HTML shows the static SVG.
//!
//! The static SVG and the text form show a time [`window`](SpaceTime::window) and at most
//! [`max_events`](SpaceTime::max_events) events (by default [`DEFAULT_MAX_EVENTS`]): the
//! *first* ones in the window, which keeps the picture a faithful, contiguous slice of the run
//! (random sampling would cut messages in half and invent gaps). The caption says how many
//! events were left out, so nothing is hidden silently.
//!
//! Where two runs part: [`Trace::diff`] finds the first event at which two traces differ and
//! renders both diagrams up to that point with the divergence marked.
//!
//! ```
//! use distsim::prelude::*;
//! use distsim::time::Time;
//! let mut trace = Trace::default();
//! trace.node_names = vec!["client".into(), "server".into()];
//! let ev = |seq, t, kind| TraceEvent { time: Time::from_nanos(t), seq, kind, lamport: None };
//! trace.events.push(ev(0, 0, EventKind::Send { from: 0, to: 1, msg: 1, label: "get".into() }));
//! trace.events.push(ev(1, 2_000_000, EventKind::Deliver { from: 0, to: 1, msg: 1 }));
//! let diagram = SpaceTime::new(&trace);
//! assert!(diagram.to_svg().contains("<svg"));
//! assert!(diagram.to_text().contains("recv #1"));
//! ```

use crate::error::{Error, Result};
use crate::render::{MimeBundle, Render};
use crate::time::Time;
use crate::trace::{EventKind, Trace, TraceEvent};
use std::collections::BTreeMap;

mod aggregate;
mod data;
mod diff;
mod html;
mod stamps;
mod svg;
mod text;

pub use diff::TraceDiff;
pub use stamps::vector_stamps;

/// How many events the static SVG and the text form show unless told otherwise (the
/// interactive view shows every event).
pub const DEFAULT_MAX_EVENTS: usize = 400;
/// Narrowest diagram [`SpaceTime::width`] accepts, in pixels: below it lane names and the time
/// axis overlap.
pub const MIN_WIDTH: u32 = 400;
/// Widest diagram [`SpaceTime::width`] accepts, in pixels: wider than a 4K screen helps no one.
pub const MAX_WIDTH: u32 = 4000;
/// Above this many events in the window the interactive view aggregates: it draws, per pixel
/// column of the plot, how many messages each pair of lanes exchanged, instead of one arrow per
/// message. At 20,000 events the per-event data is about 2 MB; 10,000 events stay near 1 MB.
pub const AGGREGATE_ABOVE: usize = 20_000;

/// A space-time diagram of a trace. Holds a copy of the events, so it is `'static` and can be
/// kept in a notebook variable after the simulation is gone.
#[derive(Clone, Debug, PartialEq)]
pub struct SpaceTime {
    events: Vec<TraceEvent>,
    node_names: Vec<String>,
    window: Option<(Time, Time)>,
    /// `None`: the default (static views [`DEFAULT_MAX_EVENTS`], the interactive view all).
    max_events: Option<usize>,
    lamport: bool,
    width: u32,
    /// Events (by `seq`) to mark, each with a note: where two runs part, a violated invariant,
    /// the operations that break a consistency model.
    highlight: Vec<(u64, String)>,
}

/// Where a message started: what an arrow needs from its `Send` event.
#[derive(Clone, Debug)]
pub(crate) struct SendInfo {
    pub time: Time,
    pub from: usize,
    pub to: usize,
    pub label: String,
    /// A copy made by the network's duplication (drawn from the original's send, unlabelled).
    pub is_copy: bool,
}

/// The part of the trace a diagram shows, shared by the SVG and text renderers.
pub(crate) struct View<'a> {
    pub shown: Vec<&'a TraceEvent>,
    /// The time span drawn.
    pub from: Time,
    pub to: Time,
    /// Events in the window left out because of `max_events`.
    pub omitted: usize,
    /// Events outside the window.
    pub outside: usize,
    pub node_count: usize,
    pub names: Vec<String>,
    /// Every `Send` of the whole trace by message id (also for sends before the window).
    pub sends: BTreeMap<u64, SendInfo>,
    /// When each message was first delivered or dropped, over the whole trace.
    pub outcomes: BTreeMap<u64, Time>,
    /// Nodes crashed when the view starts (replayed from the events before it).
    pub crashed_at_start: Vec<bool>,
    /// Lamport timestamps by event `seq`, when `.lamport(true)` (empty otherwise).
    pub stamps: BTreeMap<u64, u64>,
    pub width: u32,
    /// Whether the limit is the default one (the caption then points to the interactive view).
    pub default_limit: bool,
    /// The marked events' `seq` and note, in the order they were marked.
    pub highlight: Vec<(u64, String)>,
    /// Partitions overlapping the view: description, start, end (the view's end if never healed).
    pub partitions: Vec<(String, Time, Time)>,
}

impl SpaceTime {
    /// A diagram of `trace`: the whole run, no Lamport stamps in the static picture (the
    /// interactive view shows every event; the static SVG and text at most [`DEFAULT_MAX_EVENTS`]).
    pub fn new(trace: &Trace) -> Self {
        SpaceTime {
            events: trace.events.clone(),
            node_names: trace.node_names.clone(),
            window: None,
            max_events: None,
            lamport: false,
            width: 960,
            highlight: Vec::new(),
        }
    }

    /// Shows only events with `from <= time <= to`. Messages crossing the window's edges are
    /// drawn up to the edge.
    #[must_use]
    pub fn window(mut self, from: Time, to: Time) -> Self {
        self.window = Some((from.min(to), from.max(to)));
        self
    }

    /// Shows at most the first `n` events of the window, in every view (the interactive one too);
    /// the caption counts the rest. `n` must be at least 1: a diagram of no events would hide the
    /// run, so `0` is an error rather than silently becoming 1.
    ///
    /// ```
    /// use distsim::prelude::*;
    /// let trace = Trace::default();
    /// assert!(SpaceTime::new(&trace).max_events(60).is_ok());
    /// let err = SpaceTime::new(&trace).max_events(0).unwrap_err();
    /// assert!(err.to_string().contains("max_events"), "{err}");
    /// ```
    pub fn max_events(mut self, n: usize) -> Result<Self> {
        if n == 0 {
            return Err(Error::invalid("max_events", n, "at least 1 event"));
        }
        self.max_events = Some(n);
        Ok(self)
    }

    /// Shows each event's Lamport timestamp (when the trace recorded them).
    #[must_use]
    pub fn lamport(mut self, on: bool) -> Self {
        self.lamport = on;
        self
    }

    /// The diagram's width in pixels, within [`MIN_WIDTH`]`..=`[`MAX_WIDTH`] (the height follows
    /// from the node count); anything else is an error naming the range, not a silent clamp.
    pub fn width(mut self, pixels: u32) -> Result<Self> {
        if !(MIN_WIDTH..=MAX_WIDTH).contains(&pixels) {
            return Err(Error::invalid("width", pixels, format!("a width in pixels in [{MIN_WIDTH}, {MAX_WIDTH}]")));
        }
        self.width = pixels;
        Ok(self)
    }

    /// Marks the event with position `seq` (its [`TraceEvent::seq`]) in every view, with a short
    /// note: a ring and a vertical line in the pictures (a message's arrow is also drawn thick),
    /// `<==` and the note in the text. Call it again to mark more events: the events that
    /// together make a violation. An event outside the view is simply not drawn.
    #[must_use]
    pub fn highlight(mut self, seq: u64, note: impl Into<String>) -> Self {
        self.highlight.push((seq, note.into()));
        self
    }

    /// The events it draws from (the whole trace; the window and limit apply when drawing).
    pub(crate) fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// The nodes' names, by index.
    pub(crate) fn node_names(&self) -> &[String] {
        &self.node_names
    }

    /// The marked events' `seq`, in the order they were marked.
    pub fn highlighted(&self) -> Vec<u64> {
        self.highlight.iter().map(|h| h.0).collect()
    }

    /// The diagram as an SVG document; identical input gives identical bytes.
    pub fn to_svg(&self) -> String {
        svg::render(&self.view())
    }

    /// The diagram as text: one column per node, one row per event.
    pub fn to_text(&self) -> String {
        text::render(&self.view())
    }

    /// The interactive diagram: one self-contained HTML fragment (the static SVG, the events as
    /// compact JSON, and a small script that draws them; nothing is fetched from the network).
    /// Identical input gives identical bytes; the script gives each diagram on a page its own id.
    pub fn to_html(&self) -> String {
        html::render(self)
    }

    /// The static views' part of the trace (at most `max_events`, by default [`DEFAULT_MAX_EVENTS`]).
    pub(crate) fn view(&self) -> View<'_> {
        self.view_limited(self.max_events.unwrap_or(DEFAULT_MAX_EVENTS))
    }

    /// The interactive view's part: every event of the window unless `max_events` was set.
    pub(crate) fn interactive_view(&self) -> View<'_> {
        self.view_limited(self.max_events.unwrap_or(usize::MAX))
    }

    fn view_limited(&self, limit: usize) -> View<'_> {
        let in_window = |e: &&TraceEvent| self.window.map_or(true, |(a, b)| e.time >= a && e.time <= b);
        let candidates: Vec<&TraceEvent> = self.events.iter().filter(in_window).collect();
        let outside = self.events.len() - candidates.len();
        let omitted = candidates.len().saturating_sub(limit);
        let shown: Vec<&TraceEvent> = candidates.into_iter().take(limit).collect();
        let from = self.window.map_or_else(|| shown.first().map_or(Time::ZERO, |e| e.time), |w| w.0);
        // After truncation the picture ends at the last event shown, not at the window's end:
        // drawing empty time after it would suggest nothing happened there.
        let to = match (self.window, omitted) {
            (Some(w), 0) => w.1,
            _ => shown.last().map_or(from, |e| e.time),
        };
        let node_count =
            self.events.iter().filter_map(|e| max_node(&e.kind)).max().map_or(0, |m| m + 1).max(self.node_names.len());
        let names =
            (0..node_count).map(|i| self.node_names.get(i).cloned().unwrap_or_else(|| format!("n{i}"))).collect();
        let mut sends = BTreeMap::new();
        let mut crashed_at_start = vec![false; node_count];
        let mut outcomes = BTreeMap::new();
        for e in &self.events {
            match &e.kind {
                EventKind::Send { from: f, to: t, msg, label } => {
                    sends.insert(
                        *msg,
                        SendInfo { time: e.time, from: *f, to: *t, label: label.clone(), is_copy: false },
                    );
                }
                EventKind::Deliver { msg, .. } | EventKind::Drop { msg, .. } => {
                    outcomes.entry(*msg).or_insert(e.time);
                }
                EventKind::Crash { node } if e.time < from => crashed_at_start[*node] = true,
                EventKind::Recover { node } if e.time < from => crashed_at_start[*node] = false,
                _ => {}
            }
        }
        // A duplicate copy starts where its original was sent.
        for e in &self.events {
            if let EventKind::Duplicate { msg, copy, .. } = &e.kind {
                if let Some(original) = sends.get(msg).cloned() {
                    sends.entry(*copy).or_insert(SendInfo { is_copy: true, ..original });
                }
            }
        }
        let stamps = if self.lamport { stamps::lamport_stamps(&self.events, node_count) } else { BTreeMap::new() };
        View {
            shown,
            from,
            to,
            omitted,
            outside,
            node_count,
            names,
            sends,
            outcomes,
            crashed_at_start,
            stamps,
            width: self.width,
            default_limit: self.max_events.is_none(),
            highlight: self.highlight.clone(),
            partitions: partition_spans(&self.events, from, to),
        }
    }
}

/// When each partition held, replayed over the whole trace, for those overlapping `from..=to`.
/// A heal names the partition it ends; a heal that names none of the open ones (the engine's
/// `all`) ends them all. A partition still open at the end lasts to `to`.
pub(crate) fn partition_spans(events: &[TraceEvent], from: Time, to: Time) -> Vec<(String, Time, Time)> {
    let mut open: Vec<(String, Time)> = Vec::new();
    let mut spans = Vec::new();
    for e in events {
        match &e.kind {
            EventKind::Partition { description, healed: false } => open.push((description.clone(), e.time)),
            EventKind::Partition { description, healed: true } => match open.iter().position(|p| p.0 == *description) {
                Some(i) => {
                    let (d, start) = open.remove(i);
                    spans.push((d, start, e.time));
                }
                None => spans.extend(open.drain(..).map(|(d, start)| (d, start, e.time))),
            },
            _ => {}
        }
    }
    let last = events.last().map_or(to, |e| e.time).max(to);
    spans.extend(open.into_iter().map(|(d, start)| (d, start, last)));
    spans.retain(|(_, start, end)| *end >= from && *start <= to);
    spans
}

/// The largest node id an event names, to size the diagram when names are missing.
fn max_node(kind: &EventKind) -> Option<usize> {
    match kind {
        EventKind::Send { from, to, .. }
        | EventKind::Deliver { from, to, .. }
        | EventKind::Drop { from, to, .. }
        | EventKind::Duplicate { from, to, .. } => Some((*from).max(*to)),
        EventKind::Timer { node, .. }
        | EventKind::Crash { node }
        | EventKind::Recover { node }
        | EventKind::Pause { node, .. }
        | EventKind::Log { node, .. }
        | EventKind::Slow { node, .. } => Some(*node),
        EventKind::Partition { .. } => None,
    }
}

impl View<'_> {
    /// One line saying what is shown and what was left out.
    pub fn caption(&self) -> String {
        let mut text =
            format!("{} nodes, {} events shown from {} to {}", self.node_count, self.shown.len(), self.from, self.to);
        if self.omitted > 0 && self.default_limit {
            text.push_str(&format!(
                "; {} later events omitted from this static picture (it shows at most {DEFAULT_MAX_EVENTS}; \
                 the interactive view shows them all, .window() selects a span)",
                self.omitted
            ));
        } else if self.omitted > 0 {
            text.push_str(&format!(
                "; {} later events omitted (max_events = {}; use .window() to see them)",
                self.omitted,
                self.shown.len()
            ));
        }
        if self.outside > 0 {
            text.push_str(&format!("; {} events outside the window", self.outside));
        }
        text
    }
}

impl Render for SpaceTime {
    /// `text/plain` is the text timeline, `image/svg+xml` the static diagram, `text/html` the
    /// interactive one (which contains the static SVG for viewers that do not run scripts).
    fn mime_bundle(&self) -> MimeBundle {
        MimeBundle::text(self.to_text()).with("image/svg+xml", self.to_svg()).with("text/html", self.to_html())
    }
}

crate::impl_evcxr_display!(SpaceTime);
