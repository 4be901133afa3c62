//! Showing a history and a verdict: tables, and a space-time diagram with the violating
//! operations ringed.

use super::{ClientHistory, Consistency, KvOp, KvRet, Operation, Verdict};
use crate::render::{MimeBundle, Render, Table, Value};
use crate::time::{millis, Duration, Time};
use crate::trace::spacetime::SpaceTime;
use crate::trace::{EventKind, Trace, TraceEvent};
use std::fmt::Debug;
use std::hash::Hash;

/// Every rung's verdict on one history, strongest first; renders as a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ladder {
    /// One verdict per rung, in [`Consistency::LADDER`] order.
    pub verdicts: Vec<Verdict>,
    /// Each operation's short description, to name them in the table.
    pub(super) ops: Vec<String>,
}

impl Ladder {
    /// The verdict of rung `model`.
    pub fn verdict(&self, model: Consistency) -> &Verdict {
        self.verdicts.iter().find(|v| v.model == model).expect("a ladder has every rung")
    }

    /// The strongest rung that accepts the history, if any does.
    pub fn strongest(&self) -> Option<Consistency> {
        self.verdicts.iter().find(|v| v.accepted()).map(|v| v.model)
    }

    /// One row per rung: the verdict, the rule that failed, the reason and the operations.
    pub fn table(&self) -> Table {
        let title = match self.strongest() {
            Some(m) => format!("consistency ladder: the strongest rung that accepts this history is {m}"),
            None => "consistency ladder: no rung accepts this history".to_string(),
        };
        let mut t = verdict_table(title);
        for v in &self.verdicts {
            t.row(verdict_row(v, &self.ops)).expect("five columns");
        }
        t
    }
}

fn verdict_table(title: String) -> Table {
    Table::new(["model", "verdict", "failed rule", "operations", "why"]).title(title)
}

/// A verdict as a table row; operations are named by `ops` (their descriptions) when given.
fn verdict_row(v: &Verdict, ops: &[String]) -> Vec<Value> {
    let (verdict, rule, named, why) = match &v.violation {
        None => ("accepts", String::new(), String::new(), String::new()),
        Some(x) => {
            let named: Vec<String> =
                x.ops.iter().map(|&i| ops.get(i).map_or(i.to_string(), |d| format!("{i}: {d}"))).collect();
            ("rejects", x.rule.to_string(), named.join("; "), x.reason.clone())
        }
    };
    [v.model.name().to_string(), verdict.to_string(), rule, named, why].into_iter().map(Value::Text).collect()
}

impl Render for Ladder {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(Ladder);

impl Verdict {
    /// Rings each violating operation's recorded trace event ([`Operation::event`]) in `diagram`,
    /// with a note naming the operation. Operations recorded without an event are not drawn.
    pub fn highlight<K: Debug, V: Debug>(&self, diagram: SpaceTime, history: &ClientHistory<K, V>) -> SpaceTime {
        let Some(v) = &self.violation else { return diagram };
        v.ops.iter().fold(diagram, |d, &i| match history.ops[i].event {
            Some(seq) => d.highlight(seq, note(self, i, &history.ops[i])),
            None => d,
        })
    }
}

fn note<K: Debug, V: Debug>(v: &Verdict, i: usize, o: &Operation<K, V>) -> String {
    let rule = v.violation.as_ref().map_or(v.model, |x| x.rule);
    format!("{rule}: op {i} {}", o.describe())
}

impl<K, V> ClientHistory<K, V>
where
    K: Clone + Debug + Hash + Ord,
    V: Clone + Debug + Hash + Eq,
{
    /// One row per operation: its index, client, times and what it did.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["op", "client", "invoked", "returned", "operation"]).title("client history");
        for (i, o) in self.ops.iter().enumerate() {
            let ret = o.ret.map_or(Value::Text("pending".into()), Value::from);
            let row = vec![Value::from(i as u64), Value::Text(self.client_name(o.client)), Value::from(o.invoke), ret];
            t.row([row, vec![Value::Text(o.describe())]].concat()).expect("five columns");
        }
        t
    }

    /// The history drawn as a space-time diagram, a time unit per millisecond: a lane per client and
    /// one for the store, each operation a request arrow to the store at its invocation and an
    /// answer arrow back at its return (the store's lane is a black box: when the operation
    /// really took effect is what the checks decide).
    pub fn spacetime(&self) -> SpaceTime {
        SpaceTime::new(&self.to_trace().0)
    }

    /// [`ClientHistory::spacetime`] with the operations of `verdict`'s violation ringed where
    /// their answers arrive (or their requests leave, if pending).
    pub fn spacetime_of(&self, verdict: &Verdict) -> SpaceTime {
        let (trace, marks) = self.to_trace();
        let mut with_events = self.clone();
        for (o, seq) in with_events.ops.iter_mut().zip(marks) {
            o.event = Some(seq);
        }
        verdict.highlight(SpaceTime::new(&trace), &with_events)
    }

    /// The trace [`ClientHistory::spacetime`] draws, and for each operation the `seq` of the
    /// event where its answer arrives (or its request leaves, if pending): what a verdict rings.
    pub fn to_trace(&self) -> (Trace, Vec<u64>) {
        let clients = self.ops.iter().map(|o| o.client + 1).max().unwrap_or(0);
        let store = clients;
        let mut names: Vec<String> = (0..clients).map(|c| self.client_name(c)).collect();
        names.push("store".into());
        let at = |t: u64| Time::ZERO + millis(t);
        // (time, op, phase, kind): sorting puts each operation's steps in order and breaks ties
        // between operations by their index.
        let mut planned: Vec<(Time, usize, u8, EventKind)> = Vec::new();
        for (i, o) in self.ops.iter().enumerate() {
            let (req, ans) = (2 * i as u64, 2 * i as u64 + 1);
            let (from, to) = (o.client, store);
            let ask = match &o.op {
                KvOp::Put(..) => o.describe(),
                KvOp::Get(k) => format!("get {}", super::key_name(k)),
            };
            planned.push((at(o.invoke), i, 0, EventKind::Send { from, to, msg: req, label: ask }));
            if let Some(r) = o.ret {
                let mid = at(o.invoke) + Duration::from_nanos((millis(r).as_nanos() - millis(o.invoke).as_nanos()) / 2);
                let answer = match &o.out {
                    Some(KvRet::GetOk(Some(v))) => format!("{v:?}"),
                    Some(KvRet::GetOk(None)) => "none".to_string(),
                    _ => "ok".to_string(),
                };
                planned.push((mid, i, 1, EventKind::Deliver { from, to, msg: req }));
                planned.push((mid, i, 2, EventKind::Send { from: to, to: from, msg: ans, label: answer }));
                planned.push((at(r), i, 3, EventKind::Deliver { from: to, to: from, msg: ans }));
            }
        }
        planned.sort_by_key(|p| (p.0, p.1, p.2));
        let mut trace = Trace::new(names);
        let mut marks = vec![0; self.ops.len()];
        for (time, i, phase, kind) in planned {
            let seq = trace.events.len() as u64;
            if phase == 3 || (phase == 0 && self.ops[i].ret.is_none()) {
                marks[i] = seq;
            }
            trace.digest = kind.fold_into(trace.digest);
            trace.event_count += 1;
            trace.events.push(TraceEvent { time, seq, kind, lamport: None });
        }
        (trace, marks)
    }
}

impl<K, V> Render for ClientHistory<K, V>
where
    K: Clone + Debug + Hash + Ord,
    V: Clone + Debug + Hash + Eq,
{
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}

impl<K, V> ClientHistory<K, V>
where
    K: Clone + Debug + Hash + Ord,
    V: Clone + Debug + Hash + Eq,
{
    /// Prints this value's MIME bundle in evcxr's display convention (rich output in Jupyter).
    pub fn evcxr_display(&self) {
        crate::render::print_evcxr_blocks(&self.mime_bundle());
    }
}

impl Render for Verdict {
    fn mime_bundle(&self) -> MimeBundle {
        let mut t = verdict_table(self.model.to_string());
        t.row(verdict_row(self, &[])).expect("five columns");
        t.mime_bundle()
    }
}
crate::impl_evcxr_display!(Verdict);
