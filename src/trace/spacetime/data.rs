//! The interactive diagram's data: the view's events as a compact JSON document the script draws.
//!
//! One SVG element per event, with verbose attributes and a `<title>`, costs about 400 bytes an
//! event and makes a browser lay out tens of thousands of nodes. Flat integer arrays cost about
//! 40 bytes an event and are drawn on a canvas in a few milliseconds. Strings (message labels,
//! log lines, timer texts, partition descriptions) are stored once in a table and named by index.
//!
//! Times are nanoseconds relative to the view's start (`t0`), which keeps the numbers short.
//! The layout of every flat array is fixed by the constants below and read by `spacetime.js`.

use super::aggregate::{self, Aggregate};
use super::stamps::{lamport_stamps, vector_stamps};
use super::{SpaceTime, View};
use crate::trace::{EventKind, Trace, TraceEvent};
use serde::Serialize;
use std::collections::BTreeMap;

/// Numbers per event in `ev`: relative time, kind, node (-1: none), aux, Lamport stamp (-1: none).
pub(crate) const EVENT_FIELDS: usize = 5;
/// Numbers per message in `msgs`: id, from, to, send time, end time (-1: none), outcome
/// (0 in flight, 1 delivered, 2 dropped), drop reason code (0: none), label (-1: none), index of
/// its send event in `ev` (-1: before the view), of its delivery or drop (-1: none), original
/// message id for a duplicate copy (-1: not a copy).
pub(crate) const MESSAGE_FIELDS: usize = 11;
/// Numbers per interval in `iv`: lane (-1: every lane), kind (1 crashed, 2 paused, 3 partitioned),
/// start, end (relative; an interval still open at the end runs to the view's end), label.
pub(crate) const INTERVAL_FIELDS: usize = 5;

/// Event kind codes in `ev` (the `aux` field in brackets).
pub(crate) mod kind {
    pub const SEND: i64 = 1; // [message index]
    pub const DELIVER: i64 = 2; // [message index]
    pub const DROP: i64 = 3; // [message index]
    pub const DUPLICATE: i64 = 4; // [message index of the copy]
    pub const STEP: i64 = 5; // a timer or another step of the node's program [text]
    pub const CRASH: i64 = 6;
    pub const RECOVER: i64 = 7;
    pub const PAUSE: i64 = 8;
    pub const RESUME: i64 = 9;
    pub const PARTITION: i64 = 10; // [description]
    pub const HEAL: i64 = 11; // [description]
    pub const LOG: i64 = 12; // [text]
    pub const OTHER: i64 = 13; // anything else [text]
}

/// The JSON document. Field names are short because they are read only by the script.
#[derive(Serialize)]
pub(crate) struct Data {
    /// Format version.
    pub v: u32,
    pub names: Vec<String>,
    /// The view's span in absolute nanoseconds (`t1 - t0` is its length).
    pub t0: u64,
    pub t1: u64,
    pub width: u32,
    pub caption: String,
    /// Strings named by index from the arrays below.
    pub text: Vec<String>,
    pub ev: Vec<i64>,
    pub msgs: Vec<i64>,
    /// One vector stamp per event (`names.len()` numbers each; zeros for events without one).
    pub vc: Vec<u64>,
    pub iv: Vec<i64>,
    /// Per-pixel-column counts instead of `ev`/`msgs`/`vc` for large views.
    pub agg: Option<Aggregate>,
    /// The highlighted events: each one's index in `ev` and its note.
    pub hl: Vec<(usize, String)>,
}

/// Interns strings into the document's text table.
#[derive(Default)]
struct Strings {
    table: Vec<String>,
    index: BTreeMap<String, i64>,
}

impl Strings {
    fn id(&mut self, s: &str) -> i64 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.table.len() as i64;
        self.table.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

/// Builds the document for `st`'s interactive view.
pub(crate) fn build(st: &SpaceTime) -> Data {
    let view = st.interactive_view();
    let t0 = view.from.as_nanos();
    let rel = |t: u64| t as i64 - t0 as i64;
    let mut strings = Strings::default();
    let iv = intervals(&st.events, &view, &mut strings, rel);
    let aggregated = view.shown.len() > super::AGGREGATE_ABOVE;
    let mut caption = view.caption();
    let mut data = Data {
        v: 1,
        names: view.names.clone(),
        t0,
        t1: view.to.as_nanos(),
        width: view.width,
        caption: String::new(),
        text: Vec::new(),
        ev: Vec::new(),
        msgs: Vec::new(),
        vc: Vec::new(),
        iv,
        agg: None,
        hl: Vec::new(),
    };
    if aggregated {
        let agg = aggregate::build(&view);
        caption.push_str(&format!(
            "; aggregated: more than {} events, so each of the {} pixel columns ({} each) shows how many \
             messages each pair of nodes exchanged (use .window() to see single events)",
            super::AGGREGATE_ABOVE,
            agg.columns,
            crate::time::Duration::from_nanos(agg.column_ns)
        ));
        data.agg = Some(agg);
    } else {
        events_and_messages(st, &view, &mut data, &mut strings);
    }
    data.caption = caption;
    data.text = strings.table;
    data
}

/// Fills `ev`, `msgs` and `vc` with one entry per shown event and message.
fn events_and_messages(st: &SpaceTime, view: &View<'_>, data: &mut Data, strings: &mut Strings) {
    let t0 = view.from.as_nanos() as i64;
    let rel = |t: u64| t as i64 - t0;
    let n = view.node_count;
    let lamport = lamport_stamps(&st.events, n);
    let vectors: BTreeMap<u64, Vec<u64>> =
        st.events.iter().zip(vector_stamps(&st.events, n)).filter_map(|(e, v)| v.map(|v| (e.seq, v))).collect();
    let describer = Trace { node_names: view.names.clone(), ..Trace::default() };
    let mut message_index: BTreeMap<u64, usize> = BTreeMap::new();
    let mut copies: BTreeMap<u64, u64> = BTreeMap::new();
    for e in &view.shown {
        if let EventKind::Duplicate { msg, copy, .. } = e.kind {
            copies.insert(copy, msg);
        }
    }
    let mut message = |data: &mut Data, strings: &mut Strings, msg: u64| -> Option<i64> {
        let send = view.sends.get(&msg)?;
        let index = *message_index.entry(msg).or_insert_with(|| {
            let label = if send.label.is_empty() { -1 } else { strings.id(&send.label) };
            let copy_of = copies.get(&msg).map_or(-1, |m| *m as i64);
            data.msgs.extend([
                msg as i64,
                send.from as i64,
                send.to as i64,
                rel(send.time.as_nanos()),
                -1,
                0,
                0,
                label,
                -1,
                -1,
                copy_of,
            ]);
            data.msgs.len() / MESSAGE_FIELDS - 1
        });
        Some(index as i64)
    };
    for (position, e) in view.shown.iter().enumerate() {
        let node = e.kind.node().map_or(-1, |n| n as i64);
        let (code, aux) = match &e.kind {
            EventKind::Send { msg, .. } => {
                let m = message(data, strings, *msg);
                if let Some(m) = m {
                    data.msgs[m as usize * MESSAGE_FIELDS + 8] = position as i64;
                }
                (kind::SEND, m.unwrap_or(-1))
            }
            EventKind::Deliver { msg, .. } | EventKind::Drop { msg, .. } => {
                let m = message(data, strings, *msg);
                if let Some(m) = m {
                    let at = m as usize * MESSAGE_FIELDS;
                    if data.msgs[at + 9] < 0 {
                        data.msgs[at + 4] = rel(e.time.as_nanos());
                        data.msgs[at + 9] = position as i64;
                        match &e.kind {
                            EventKind::Drop { reason, .. } => {
                                data.msgs[at + 5] = 2;
                                data.msgs[at + 6] = reason.code() as i64;
                            }
                            _ => data.msgs[at + 5] = 1,
                        }
                    }
                }
                let code = if matches!(e.kind, EventKind::Drop { .. }) { kind::DROP } else { kind::DELIVER };
                (code, m.unwrap_or(-1))
            }
            EventKind::Duplicate { copy, .. } => (kind::DUPLICATE, message(data, strings, *copy).unwrap_or(-1)),
            EventKind::Crash { .. } => (kind::CRASH, -1),
            EventKind::Recover { .. } => (kind::RECOVER, -1),
            EventKind::Pause { paused: true, .. } => (kind::PAUSE, -1),
            EventKind::Pause { paused: false, .. } => (kind::RESUME, -1),
            EventKind::Partition { description, healed } => {
                (if *healed { kind::HEAL } else { kind::PARTITION }, strings.id(description))
            }
            EventKind::Log { text, .. } => (kind::LOG, strings.id(text)),
            // Timers and any kind added later: a node step described as the trace describes it.
            other => {
                let code = if vectors.contains_key(&e.seq) { kind::STEP } else { kind::OTHER };
                (code, strings.id(&describer.describe(other)))
            }
        };
        for (_, note) in view.highlight.iter().filter(|(seq, _)| *seq == e.seq) {
            data.hl.push((position, note.clone()));
        }
        let stamp = lamport.get(&e.seq).map_or(-1, |s| *s as i64);
        data.ev.extend([rel(e.time.as_nanos()), code, node, aux, stamp]);
        match vectors.get(&e.seq) {
            Some(v) => data.vc.extend(v),
            None => data.vc.extend(std::iter::repeat(0).take(n)),
        }
    }
    // A message delivered or dropped after the view ends is drawn up to the edge.
    for (msg, &index) in &message_index {
        let at = index * MESSAGE_FIELDS;
        if data.msgs[at + 9] < 0 {
            if let Some(t) = view.outcomes.get(msg) {
                data.msgs[at + 4] = rel(t.as_nanos());
                data.msgs[at + 5] = 1;
            }
        }
    }
}

/// Crashed, paused and partitioned intervals that overlap the view, replayed over the whole
/// trace (partitions by [`super::partition_spans`]) so that an interval that began before the view is shaded from its left edge.
fn intervals(events: &[TraceEvent], view: &View<'_>, strings: &mut Strings, rel: impl Fn(u64) -> i64) -> Vec<i64> {
    let (from, to) = (view.from.as_nanos(), view.to.as_nanos());
    let mut out = Vec::new();
    let push = |out: &mut Vec<i64>, lane: i64, kind: i64, start: u64, end: u64, label: i64| {
        if end >= from && start <= to {
            out.extend([lane, kind, rel(start), rel(end), label]);
        }
    };
    let n = view.node_count;
    let mut crashed: Vec<Option<u64>> = vec![None; n];
    let mut paused: Vec<Option<u64>> = vec![None; n];
    let last = events.last().map_or(to, |e| e.time.as_nanos()).max(to);
    for e in events {
        let t = e.time.as_nanos();
        match &e.kind {
            EventKind::Crash { node } if *node < n => {
                crashed[*node].get_or_insert(t);
            }
            EventKind::Recover { node } if *node < n => {
                if let Some(s) = crashed[*node].take() {
                    push(&mut out, *node as i64, 1, s, t, -1);
                }
            }
            EventKind::Pause { node, paused: true } if *node < n => {
                paused[*node].get_or_insert(t);
            }
            EventKind::Pause { node, paused: false } if *node < n => {
                if let Some(s) = paused[*node].take() {
                    push(&mut out, *node as i64, 2, s, t, -1);
                }
            }
            _ => {}
        }
    }
    for (lane, s) in crashed.iter().enumerate() {
        if let Some(s) = s {
            push(&mut out, lane as i64, 1, *s, last, -1);
        }
    }
    for (lane, s) in paused.iter().enumerate() {
        if let Some(s) = s {
            push(&mut out, lane as i64, 2, *s, last, -1);
        }
    }
    for (d, start, end) in &view.partitions {
        let label = strings.id(d);
        push(&mut out, -1, 3, start.as_nanos(), end.as_nanos(), label);
    }
    debug_assert_eq!(out.len() % INTERVAL_FIELDS, 0);
    out
}
