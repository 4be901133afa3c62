//! The record of everything that happened in a run.
//!
//! The engine appends one [`TraceEvent`] for every send, delivery, drop, duplicate, timer, crash and
//! recovery. Two things are kept: a running [`Trace::digest`] over every event (always, it is cheap)
//! and, when [`TraceMode::Full`] is on, the events themselves for diagrams and tables. Two runs with
//! the same seed must have the same digest; that is how the determinism tests compare runs without
//! storing millions of events.

use crate::time::Time;
use serde::{Deserialize, Serialize};

pub mod spacetime;

/// How much of a run the engine keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TraceMode {
    /// Only the digest and counts: for benchmarks and large sweeps.
    DigestOnly,
    /// Every event, for diagrams, tables and inspection (the default).
    #[default]
    Full,
}

/// Why the network (or a fault) did not deliver a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DropReason {
    /// Random loss on the link.
    Loss,
    /// A partition separates sender and receiver.
    Partition,
    /// The receiver was crashed when the message arrived.
    Crashed,
    /// The link's queue was full.
    QueueFull,
    /// The receiver rejected it: a failed authentication check, for instance.
    Rejected,
}

/// What happened. Node ids are indices into the simulation's nodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum EventKind {
    /// `from` handed message `msg` to the network, addressed to `to`.
    Send { from: usize, to: usize, msg: u64, label: String },
    /// Message `msg` reached `to` and its handler ran.
    Deliver { from: usize, to: usize, msg: u64 },
    /// Message `msg` was lost.
    Drop { from: usize, to: usize, msg: u64, reason: DropReason },
    /// The network delivered an extra copy of `msg`; `copy` is the new copy's id.
    Duplicate { from: usize, to: usize, msg: u64, copy: u64 },
    /// A node's timer fired: `timer` is its number in the run, `label` the debug text of the value
    /// it carried (empty unless the trace is `Full`).
    Timer { node: usize, timer: u64, label: String },
    /// The node crashed: its volatile state and pending timers are gone.
    Crash { node: usize },
    /// The node restarted after a crash.
    Recover { node: usize },
    /// The node stopped taking steps (a GC pause, a stalled VM) or resumed.
    Pause { node: usize, paused: bool },
    /// A partition started (`healed == false`) or ended.
    Partition { description: String, healed: bool },
    /// A line a node wrote with `ctx.log`.
    Log { node: usize, text: String },
    /// A `Fault::Slow` struck: from now on the node runs `factor` times slower (1 = normal speed).
    Slow { node: usize, factor: f64 },
}

/// One entry of the trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceEvent {
    /// Virtual time at which it happened.
    pub time: Time,
    /// Position in the run: strictly increasing, so events at equal times keep their order.
    pub seq: u64,
    /// What happened.
    pub kind: EventKind,
    /// The Lamport timestamp of the event at its node, when the run tracks logical time.
    pub lamport: Option<u64>,
}

/// Everything recorded about a run.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Trace {
    /// The recorded events, in order (empty under [`TraceMode::DigestOnly`]).
    pub events: Vec<TraceEvent>,
    /// Node names for diagrams (`n0`, `n1`, … unless the run named them).
    pub node_names: Vec<String>,
    /// Running digest of every event, recorded or not.
    pub digest: u64,
    /// How many events went into the digest.
    pub event_count: u64,
}

// ---------------------------------------------------------------------------------------------
// Recording and the digest.
//
// The digest is FNV-1a-64 applied to 64-bit words instead of bytes: for each word `w` of an
// event's canonical encoding, `h = (h ^ w) * 0x100000001b3`. Words rather than bytes because the
// digest runs on every event of every run, and eight multiply steps per word would cost more than
// the rest of a message's path through the engine. The canonical encoding of an event is:
//
//   [time in ns, kind code, fields in declaration order]
//
// with kind codes Send=1, Deliver=2, Drop=3, Duplicate=4, Timer=5, Crash=6, Recover=7, Pause=8,
// Partition=9, Log=10, Slow=11; node ids and message ids as u64; a drop reason as its code (Loss=1,
// Partition=2, Crashed=3, QueueFull=4, Rejected=5); booleans as 0/1; a string as its byte length
// followed by its bytes packed little-endian into words (zero-padded); a factor as its IEEE-754
// bits (`f64::to_bits`). The Send and Timer `label`s and the Lamport stamps are left out: labels
// exist only in `TraceMode::Full`, and the digest must not depend on the trace mode. A final
// `h ^= h >> 32` mix per event spreads high bits downwards.
// ---------------------------------------------------------------------------------------------

/// FNV-1a 64-bit offset basis: the digest of a run with no events.
pub const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime.
pub const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

#[inline(always)]
fn mix(h: u64, w: u64) -> u64 {
    (h ^ w).wrapping_mul(FNV_PRIME)
}

/// Kind codes of the two events the engine also folds without building them (`Trace::fold_send`).
const SEND_CODE: u64 = 1;
const DELIVER_CODE: u64 = 2;

/// A send's or delivery's words after the time: kind code, sender, receiver, message id.
#[inline(always)]
fn fold_message(h: u64, code: u64, from: usize, to: usize, msg: u64) -> u64 {
    mix(mix(mix(mix(h, code), from as u64), to as u64), msg)
}

fn mix_str(mut h: u64, s: &str) -> u64 {
    h = mix(h, s.len() as u64);
    for chunk in s.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        h = mix(h, u64::from_le_bytes(word));
    }
    h
}

impl DropReason {
    /// The reason's code in the digest's canonical encoding.
    pub fn code(self) -> u64 {
        match self {
            DropReason::Loss => 1,
            DropReason::Partition => 2,
            DropReason::Crashed => 3,
            DropReason::QueueFull => 4,
            DropReason::Rejected => 5,
        }
    }
}

impl EventKind {
    /// Folds this event's canonical encoding (see the module source) into digest `h`.
    #[inline]
    pub fn fold_into(&self, h: u64) -> u64 {
        let u = |x: usize| x as u64;
        match self {
            EventKind::Send { from, to, msg, .. } => fold_message(h, SEND_CODE, *from, *to, *msg),
            EventKind::Deliver { from, to, msg } => fold_message(h, DELIVER_CODE, *from, *to, *msg),
            EventKind::Drop { from, to, msg, reason } => {
                mix(mix(mix(mix(mix(h, 3), u(*from)), u(*to)), *msg), reason.code())
            }
            EventKind::Duplicate { from, to, msg, copy } => {
                mix(mix(mix(mix(mix(h, 4), u(*from)), u(*to)), *msg), *copy)
            }
            EventKind::Timer { node, timer, .. } => mix(mix(mix(h, 5), u(*node)), *timer),
            EventKind::Crash { node } => mix(mix(h, 6), u(*node)),
            EventKind::Recover { node } => mix(mix(h, 7), u(*node)),
            EventKind::Pause { node, paused } => mix(mix(mix(h, 8), u(*node)), *paused as u64),
            EventKind::Partition { description, healed } => mix_str(mix(mix(h, 9), *healed as u64), description),
            EventKind::Log { node, text } => mix_str(mix(mix(h, 10), u(*node)), text),
            EventKind::Slow { node, factor } => mix(mix(mix(h, 11), u(*node)), factor.to_bits()),
        }
    }

    /// The node at which this event happens (the receiver for deliveries and drops), if any.
    pub fn node(&self) -> Option<usize> {
        match self {
            EventKind::Send { from, .. } => Some(*from),
            EventKind::Deliver { to, .. } | EventKind::Drop { to, .. } | EventKind::Duplicate { to, .. } => Some(*to),
            EventKind::Timer { node, .. }
            | EventKind::Crash { node }
            | EventKind::Recover { node }
            | EventKind::Pause { node, .. }
            | EventKind::Log { node, .. }
            | EventKind::Slow { node, .. } => Some(*node),
            EventKind::Partition { .. } => None,
        }
    }
}

impl Trace {
    /// An empty trace for nodes with these names.
    pub fn new(node_names: Vec<String>) -> Self {
        Trace { events: Vec::new(), node_names, digest: FNV_OFFSET, event_count: 0 }
    }

    /// Folds one event into the digest and, if `keep`, appends it to [`Trace::events`].
    #[inline]
    pub fn record(&mut self, time: Time, kind: EventKind, lamport: Option<u64>, keep: bool) {
        self.commit(kind.fold_into(mix(self.digest, time.as_nanos())));
        if keep {
            self.events.push(TraceEvent { time, seq: self.event_count - 1, kind, lamport });
        }
    }

    /// Folds a send into the digest without keeping it: the same digest as [`Trace::record`] of the
    /// `Send` event. The engine uses it in digest-only mode, where building an [`EventKind`] (with
    /// its label `String`) only to fold four numbers cost more than the fold itself.
    #[inline(always)]
    pub(crate) fn fold_send(&mut self, time: Time, from: usize, to: usize, msg: u64) {
        self.commit(fold_message(mix(self.digest, time.as_nanos()), SEND_CODE, from, to, msg));
    }

    /// As [`Trace::fold_send`], for a `Deliver` event.
    #[inline(always)]
    pub(crate) fn fold_deliver(&mut self, time: Time, from: usize, to: usize, msg: u64) {
        self.commit(fold_message(mix(self.digest, time.as_nanos()), DELIVER_CODE, from, to, msg));
    }

    /// Makes `h`, the digest with one more event folded in, the trace's digest.
    #[inline(always)]
    fn commit(&mut self, h: u64) {
        self.digest = h ^ (h >> 32);
        self.event_count += 1;
    }

    /// The digest as 16 hex digits, handy for printing and golden tests.
    pub fn digest_hex(&self) -> String {
        format!("{:016x}", self.digest)
    }

    /// How many recorded events match `pred` (only counts kept events, i.e. `TraceMode::Full`).
    pub fn count(&self, pred: impl Fn(&EventKind) -> bool) -> usize {
        self.events.iter().filter(|e| pred(&e.kind)).count()
    }

    /// The name of node `id` (`n{id}` if the run did not name it).
    pub fn node_name(&self, id: usize) -> String {
        self.node_names.get(id).cloned().unwrap_or_else(|| format!("n{id}"))
    }

    /// One line per recorded event, e.g. `t=1ms  n0 -> n1  #0 Ping`, for quick inspection.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for e in &self.events {
            out.push_str(&format!("{:<12} {}\n", e.time.to_string(), self.describe(&e.kind)));
        }
        out
    }

    /// A short human description of one event.
    pub fn describe(&self, kind: &EventKind) -> String {
        let n = |i: &usize| self.node_name(*i);
        match kind {
            EventKind::Send { from, to, msg, label } => format!("{} -> {} send #{msg} {label}", n(from), n(to)),
            EventKind::Deliver { from, to, msg } => format!("{} -> {} deliver #{msg}", n(from), n(to)),
            EventKind::Drop { from, to, msg, reason } => format!("{} -> {} drop #{msg} ({reason:?})", n(from), n(to)),
            EventKind::Duplicate { from, to, msg, copy } => {
                format!("{} -> {} duplicate #{msg} as #{copy}", n(from), n(to))
            }
            EventKind::Timer { node, timer, label } if label.is_empty() => format!("{} timer {timer}", n(node)),
            EventKind::Timer { node, timer, label } => format!("{} timer {timer} {label}", n(node)),
            EventKind::Crash { node } => format!("{} crash", n(node)),
            EventKind::Recover { node } => format!("{} recover", n(node)),
            EventKind::Pause { node, paused: true } => format!("{} pause", n(node)),
            EventKind::Pause { node, paused: false } => format!("{} resume", n(node)),
            EventKind::Partition { description, healed: false } => format!("partition {description}"),
            EventKind::Partition { description, healed: true } => format!("heal {description}"),
            EventKind::Log { node, text } => format!("{}: {text}", n(node)),
            EventKind::Slow { node, factor } if *factor == 1.0 => format!("{} back to normal speed", n(node)),
            EventKind::Slow { node, factor } => format!("{} slowed to 1/{factor} speed", n(node)),
        }
    }
}

#[cfg(test)]
mod digest_tests {
    use super::*;

    #[test]
    fn digest_depends_on_every_field_and_on_order() {
        let run = |events: &[(u64, EventKind)]| {
            let mut t = Trace::new(vec![]);
            for (time, k) in events {
                t.record(Time::from_nanos(*time), k.clone(), None, false);
            }
            t.digest
        };
        let a = EventKind::Crash { node: 1 };
        let b = EventKind::Recover { node: 1 };
        assert_eq!(run(&[(1, a.clone()), (2, b.clone())]), run(&[(1, a.clone()), (2, b.clone())]));
        assert_ne!(run(&[(1, a.clone()), (2, b.clone())]), run(&[(2, b.clone()), (1, a.clone())]));
        assert_ne!(run(&[(1, a.clone())]), run(&[(2, a.clone())]));
        assert_ne!(run(&[(1, a.clone())]), run(&[(1, EventKind::Crash { node: 2 })]));
        let log = |s: &str| EventKind::Log { node: 0, text: s.into() };
        assert_ne!(run(&[(1, log("abcdefgh1"))]), run(&[(1, log("abcdefgh2"))]));
        let slow = |node, factor| EventKind::Slow { node, factor };
        assert_ne!(run(&[(1, slow(0, 2.0))]), run(&[(1, slow(0, 3.0))]));
        assert_ne!(run(&[(1, slow(0, 2.0))]), run(&[(1, slow(1, 2.0))]));
    }

    #[test]
    fn a_slow_event_folds_its_own_kind_code() {
        // The canonical encoding written out by hand: [time, 11, node, factor bits], then the mix.
        let mut h = mix(FNV_OFFSET, 5);
        for w in [11, 2, 4.0f64.to_bits()] {
            h = mix(h, w);
        }
        let mut t = Trace::new(vec![]);
        t.record(Time::from_nanos(5), EventKind::Slow { node: 2, factor: 4.0 }, None, false);
        assert_eq!(t.digest, h ^ (h >> 32));
        let names = Trace::new(vec!["a".into(), "b".into(), "c".into()]);
        assert_eq!(names.describe(&EventKind::Slow { node: 2, factor: 4.0 }), "c slowed to 1/4 speed");
        assert_eq!(names.describe(&EventKind::Slow { node: 0, factor: 1.0 }), "a back to normal speed");
    }

    #[test]
    fn labels_do_not_change_the_digest_but_are_kept_in_full_mode() {
        let send = |label: &str| EventKind::Send { from: 0, to: 1, msg: 7, label: label.into() };
        let mut full = Trace::new(vec![]);
        let mut digest_only = Trace::new(vec![]);
        full.record(Time::from_nanos(5), send("Ping"), Some(1), true);
        digest_only.record(Time::from_nanos(5), send(""), None, false);
        assert_eq!(full.digest, digest_only.digest);
        assert_eq!(full.events.len(), 1);
        assert!(digest_only.events.is_empty());
        assert_eq!(digest_only.event_count, 1);
    }
}

/// At most this many events go into [`Trace::to_table`]; use [`Trace::table_window`] for others.
pub const TABLE_ROWS: usize = 1000;

impl Trace {
    /// The first [`TABLE_ROWS`] recorded events as a table (time, node, event).
    pub fn to_table(&self) -> crate::render::Table {
        self.table_window(0, TABLE_ROWS)
    }

    /// Recorded events `start..start + count` as a table.
    pub fn table_window(&self, start: usize, count: usize) -> crate::render::Table {
        use crate::render::{Table, Value};
        let end = start.saturating_add(count).min(self.events.len());
        let start = start.min(end);
        let title = if end - start == self.events.len() {
            format!("trace: {} events, digest {}", self.events.len(), self.digest_hex())
        } else {
            format!("trace: events {start}..{end} of {}, digest {}", self.events.len(), self.digest_hex())
        };
        let mut table = Table::new(["seq", "time", "node", "event"]).title(title);
        for e in &self.events[start..end] {
            let node = e.kind.node().map_or_else(String::new, |n| self.node_name(n));
            let row = vec![
                Value::from(e.seq),
                Value::Duration(crate::time::Duration::from_nanos(e.time.as_nanos())),
                Value::Text(node),
                Value::Text(self.describe(&e.kind)),
            ];
            table.row(row).expect("four values for four columns");
        }
        table
    }
}

impl crate::render::Render for Trace {
    /// The first [`TABLE_ROWS`] events as a table.
    fn mime_bundle(&self) -> crate::render::MimeBundle {
        self.to_table().mime_bundle()
    }
}
crate::impl_evcxr_display!(Trace);
