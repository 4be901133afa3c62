//! What a check returns, and how it renders: the figures, and for a violation the steps, the
//! space-time diagram and a replay.

use super::property::Expectation;
use super::replay::{replay, Replay};
use super::step::Step;
use super::CheckState;
use crate::engine::Node;
use crate::error::Result;
use crate::render::{MimeBundle, Render, Table, Value};
use crate::trace::spacetime::SpaceTime;

/// How much a check explored and what it cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    /// `"breadth-first"` or `"depth-first"`.
    pub search: &'static str,
    /// Threads the search ran on.
    pub threads: usize,
    /// States generated, counting every arrival at an already-known state again.
    pub states_explored: u64,
    /// Distinct states.
    pub unique_states: u64,
    /// The deepest level reached (steps from the initial state).
    pub max_depth: usize,
    /// Wall-clock seconds.
    pub secs: f64,
    /// Bytes the search keeps per unique state for its whole length: the fingerprint set and
    /// (breadth-first) the path records.
    pub bytes_per_state: f64,
    /// The most bytes it held at once, per unique state: besides those, for breadth-first search,
    /// the level being explored and the next one and the interned parts of states they name
    /// (what [`Checker::max_memory`](super::Checker::max_memory) bounds).
    pub peak_bytes_per_state: f64,
}

impl Stats {
    /// States explored per second.
    pub fn states_per_sec(&self) -> f64 {
        self.states_explored as f64 / self.secs.max(1e-9)
    }
}

/// An execution found by the checker: a property's counterexample or a `sometimes` witness.
#[derive(Clone)]
pub struct Counterexample<N: Node> {
    /// The property's name.
    pub property: String,
    /// Its kind.
    pub expectation: Expectation,
    /// The steps from the initial state (after every `on_start`).
    pub steps: Vec<Step<N::Msg, N::Timer>>,
    /// The nodes in the last state, as the checker found them.
    pub last: Vec<N>,
    pub(crate) initial: Vec<N>,
    pub(crate) names: Vec<String>,
    /// The steps that make the violation stand out (index into `steps`, with a note): for
    /// linearizability, where each operation of the violating history got its answer; for an
    /// `always` property, the last step. The diagram rings their events.
    pub marks: Vec<(usize, String)>,
}

impl<N> Counterexample<N>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    /// Runs the steps again on the initial nodes (the same handlers) and returns the execution
    /// as an ordinary [`Simulation`](crate::engine::Simulation) (a [`Replay`] derefs to one).
    pub fn replay(&self) -> Result<Replay<N>> {
        let mut h = crate::engine::Harness::new(self.initial.len(), |t: &N::Timer| super::hash::fingerprint(t));
        replay(&self.initial, &self.names, &mut h, &self.steps)
    }

    /// One row per step.
    pub fn table(&self) -> Table {
        let verb = match self.expectation {
            Expectation::Always => "violates",
            Expectation::Sometimes => "reaches",
            Expectation::Eventually => "ends without meeting",
        };
        let title = format!("{} steps {verb} `{}`", self.steps.len(), self.property);
        let mut t = Table::new(["step", "what happens"]).title(title);
        let name = |i: usize| self.names.get(i).cloned().unwrap_or_else(|| format!("n{i}"));
        for (i, s) in self.steps.iter().enumerate() {
            t.row(vec![Value::from((i + 1) as u64), Value::Text(s.describe(name))]).expect("two columns");
        }
        t
    }

    /// The space-time diagram of the replayed execution, with the events of [`marks`](Self::marks)
    /// highlighted.
    pub fn spacetime(&self) -> Result<SpaceTime> {
        let replay = self.replay()?;
        let diagram = SpaceTime::new(replay.trace());
        Ok(self.marks.iter().fold(diagram, |d, (step, note)| match replay.step_events.get(*step) {
            Some(&seq) => d.highlight(seq, note.clone()),
            None => d,
        }))
    }
}

impl<N> Render for Counterexample<N>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    fn mime_bundle(&self) -> MimeBundle {
        let table = self.table().mime_bundle();
        let text = table.0.get("text/plain").cloned().unwrap_or_default();
        let mut html = table.0.get("text/html").cloned().unwrap_or_default();
        if let Ok(diagram) = self.spacetime() {
            html.push_str(&diagram.to_html());
        }
        MimeBundle::text(text).with("text/html", html)
    }
}

/// The result of a check.
pub struct Checked<N: Node> {
    /// What was explored.
    pub stats: Stats,
    /// The first (for breadth-first: a shortest) execution violating an `always` or `eventually`
    /// property, if any.
    pub violation: Option<Counterexample<N>>,
    /// A witness for every `sometimes` property that holds somewhere (a shortest, breadth-first).
    pub witnesses: Vec<Counterexample<N>>,
    /// The `sometimes` properties that hold nowhere in the explored states.
    pub unreached: Vec<String>,
}

impl<N: Node> Checked<N> {
    /// Whether no property was violated.
    pub fn passed(&self) -> bool {
        self.violation.is_none()
    }

    /// The figures as a table.
    pub fn stats_table(&self) -> Table {
        let violated = self.violation.as_ref().map(|c| (c.property.as_str(), c.steps.len()));
        self.stats.table(violated, &self.unreached)
    }
}

impl Stats {
    /// The figures as a table, titled with the verdict: the property `violated` and the length of
    /// its counterexample, if any. (Not generic, like everything a cell need not compile again for
    /// its own node type.)
    fn table(&self, violated: Option<(&str, usize)>, unreached: &[String]) -> Table {
        let s = self;
        let verdict = match violated {
            None => format!("no violation in {} states", s.unique_states),
            Some((property, steps)) => {
                format!("`{property}` violated in {steps} step{}", if steps == 1 { "" } else { "s" })
            }
        };
        let mut t = Table::new(["measure", "value"]).title(format!("model check ({}): {verdict}", s.search));
        let rows: [(&str, Value); 9] = [
            ("states explored", Value::from(s.states_explored)),
            ("unique states", Value::from(s.unique_states)),
            ("max depth", Value::from(s.max_depth as u64)),
            ("seconds", Value::Float(s.secs)),
            ("states per second", Value::Float(s.states_per_sec().round())),
            ("bytes per state", Value::Float((s.bytes_per_state * 10.0).round() / 10.0)),
            ("peak bytes per state", Value::Float((s.peak_bytes_per_state * 10.0).round() / 10.0)),
            ("threads", Value::from(s.threads as u64)),
            ("unreached `sometimes`", Value::Text(unreached.join(", "))),
        ];
        for (k, v) in rows {
            t.row(vec![Value::Text(k.into()), v]).expect("two columns");
        }
        t
    }
}

impl<N> Render for Checked<N>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    fn mime_bundle(&self) -> MimeBundle {
        let stats = self.stats_table().mime_bundle();
        let mut text = stats.0.get("text/plain").cloned().unwrap_or_default();
        let mut html = stats.0.get("text/html").cloned().unwrap_or_default();
        if let Some(c) = &self.violation {
            let b = c.mime_bundle();
            text.push('\n');
            text.push_str(b.0.get("text/plain").map(String::as_str).unwrap_or(""));
            html.push_str(b.0.get("text/html").map(String::as_str).unwrap_or(""));
        }
        MimeBundle::text(text).with("text/html", html)
    }
}

macro_rules! evcxr_display {
    ($t:ident) => {
        impl<N> $t<N>
        where
            N: Node + CheckState,
            N::Msg: CheckState,
            N::Timer: CheckState,
        {
            /// Prints this value's MIME bundle in evcxr's display convention (rich output in Jupyter).
            pub fn evcxr_display(&self) {
                crate::render::print_evcxr_blocks(&self.mime_bundle());
            }
        }
    };
}
evcxr_display!(Checked);
evcxr_display!(Counterexample);
