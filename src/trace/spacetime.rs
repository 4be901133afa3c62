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
//! A long run has far too many events for one picture, so a diagram shows a time
//! [`window`](SpaceTime::window) and at most [`max_events`](SpaceTime::max_events) events: the
//! *first* ones in the window, which keeps the picture a faithful, contiguous slice of the run
//! (random sampling would cut messages in half and invent gaps). The caption says how many
//! events were left out, so nothing is hidden silently.
//!
//! ```
//! use distsim::prelude::*;
//! use distsim::time::Time;
//! let mut trace = Trace::default();
//! trace.node_names = vec!["client".into(), "server".into()];
//! let ev = |seq, t, kind| TraceEvent { time: Time(t), seq, kind, lamport: None };
//! trace.events.push(ev(0, 0, EventKind::Send { from: 0, to: 1, msg: 1, label: "get".into() }));
//! trace.events.push(ev(1, 2_000_000, EventKind::Deliver { from: 0, to: 1, msg: 1 }));
//! let diagram = SpaceTime::new(&trace);
//! assert!(diagram.to_svg().contains("<svg"));
//! assert!(diagram.to_text().contains("recv #1"));
//! ```

use crate::render::{MimeBundle, Render};
use crate::time::Time;
use crate::trace::{EventKind, Trace, TraceEvent};
use std::collections::BTreeMap;

mod svg;
mod text;

/// How many events a diagram shows unless told otherwise.
pub const DEFAULT_MAX_EVENTS: usize = 400;

/// A space-time diagram of a trace. Holds a copy of the events, so it is `'static` and can be
/// kept in a notebook variable after the simulation is gone.
#[derive(Clone, Debug, PartialEq)]
pub struct SpaceTime {
    events: Vec<TraceEvent>,
    node_names: Vec<String>,
    window: Option<(Time, Time)>,
    max_events: usize,
    lamport: bool,
    width: u32,
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
}

impl SpaceTime {
    /// A diagram of `trace`: the whole run, at most [`DEFAULT_MAX_EVENTS`] events, no Lamport stamps.
    pub fn new(trace: &Trace) -> Self {
        SpaceTime {
            events: trace.events.clone(),
            node_names: trace.node_names.clone(),
            window: None,
            max_events: DEFAULT_MAX_EVENTS,
            lamport: false,
            width: 960,
        }
    }

    /// Shows only events with `from <= time <= to`. Messages crossing the window's edges are
    /// drawn up to the edge.
    #[must_use]
    pub fn window(mut self, from: Time, to: Time) -> Self {
        self.window = Some((from.min(to), from.max(to)));
        self
    }

    /// Shows at most the first `n` events of the window (at least 1); the caption counts the rest.
    #[must_use]
    pub fn max_events(mut self, n: usize) -> Self {
        self.max_events = n.max(1);
        self
    }

    /// Shows each event's Lamport timestamp (when the trace recorded them).
    #[must_use]
    pub fn lamport(mut self, on: bool) -> Self {
        self.lamport = on;
        self
    }

    /// The SVG width in pixels (clamped to 400..=4000; the height follows from the node count).
    #[must_use]
    pub fn width(mut self, pixels: u32) -> Self {
        self.width = pixels.clamp(400, 4000);
        self
    }

    /// The diagram as an SVG document; identical input gives identical bytes.
    pub fn to_svg(&self) -> String {
        svg::render(&self.view())
    }

    /// The diagram as text: one column per node, one row per event.
    pub fn to_text(&self) -> String {
        text::render(&self.view())
    }

    pub(crate) fn view(&self) -> View<'_> {
        let in_window = |e: &&TraceEvent| self.window.map_or(true, |(a, b)| e.time >= a && e.time <= b);
        let candidates: Vec<&TraceEvent> = self.events.iter().filter(in_window).collect();
        let outside = self.events.len() - candidates.len();
        let omitted = candidates.len().saturating_sub(self.max_events);
        let shown: Vec<&TraceEvent> = candidates.into_iter().take(self.max_events).collect();
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
        let stamps = if self.lamport { lamport_stamps(&self.events, node_count) } else { BTreeMap::new() };
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
        }
    }
}

/// Each node event's Lamport timestamp by `seq`: the recorded one if the trace has it, else
/// computed by Lamport's rules. Crashes, drops, duplicates and partitions get none: they are
/// not steps of a node's program.
fn lamport_stamps(events: &[TraceEvent], node_count: usize) -> BTreeMap<u64, u64> {
    let mut clock = vec![0u64; node_count];
    let mut sent_at: BTreeMap<u64, u64> = BTreeMap::new();
    let mut stamps = BTreeMap::new();
    for e in events {
        let computed = match &e.kind {
            EventKind::Send { from, msg, .. } => {
                clock[*from] = e.lamport.unwrap_or(clock[*from] + 1);
                sent_at.insert(*msg, clock[*from]);
                Some(clock[*from])
            }
            EventKind::Duplicate { msg, copy, .. } => {
                if let Some(&t) = sent_at.get(msg) {
                    sent_at.insert(*copy, t);
                }
                None
            }
            EventKind::Deliver { to, msg, .. } => {
                let remote = sent_at.get(msg).copied().unwrap_or(0);
                clock[*to] = e.lamport.unwrap_or(clock[*to].max(remote) + 1);
                Some(clock[*to])
            }
            EventKind::Timer { node, .. } | EventKind::Log { node, .. } => {
                clock[*node] = e.lamport.unwrap_or(clock[*node] + 1);
                Some(clock[*node])
            }
            _ => e.lamport,
        };
        if let Some(stamp) = computed {
            stamps.insert(e.seq, stamp);
        }
    }
    stamps
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
        if self.omitted > 0 {
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
    /// `text/plain` is the text timeline, `image/svg+xml` the diagram.
    fn mime_bundle(&self) -> MimeBundle {
        MimeBundle::text(self.to_text()).with("image/svg+xml", self.to_svg())
    }
}

crate::impl_evcxr_display!(SpaceTime);
