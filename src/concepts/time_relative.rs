//! Time is relative: what physical clocks get wrong, and what logical clocks get right.
//!
//! Every machine has its own quartz clock, set a little wrong (an *offset*) and running a little
//! fast or slow (a *drift*, in parts per million). Two machines' readings of "now" can differ by
//! milliseconds, more than a message takes to cross a data center. So ordering events by
//! wall-clock timestamps can put an effect before its cause — and *last-writer-wins* by wall clock
//! can keep an older write and silently drop a newer one.
//!
//! Logical clocks order events by causality instead. A **Lamport clock** is a counter that ticks at
//! every event and jumps past any timestamp it receives, so `a → b` (a could have influenced b)
//! implies `L(a) < L(b)`; the converse does not hold. A **vector clock** keeps one counter per node
//! and decides exactly: `a → b` iff `V(a) < V(b)`, and two events are *concurrent* when neither
//! vector dominates.
//!
//! In this model, nodes write one shared key at random moments and push every write to the others.
//! Each write carries three stamps — wall clock, Lamport, vector — and we count how often each one
//! contradicts the causal order, and how many newer writes wall-clock LWW throws away.

use crate::clock::{ClockConfig, LamportClock, VectorClock};
use crate::engine::{Context, Node, NodeId, Simulation};
use crate::error::Result;
use crate::experiment::{Experiment, Parameters, Range, Report};
use crate::network::{Latency, Network};
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::time::{micros, millis, secs, Duration, Time};
use crate::trace::spacetime::SpaceTime;
use crate::trace::{Trace, TraceMode};
use rand::Rng;

/// The experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeConfig {
    /// Nodes writing the shared key.
    pub nodes: usize,
    /// Writes per node.
    pub writes_per_node: usize,
    /// Mean gap between one node's writes.
    pub mean_gap: Duration,
    /// Clock offsets are uniform in ±this.
    pub max_offset: Duration,
    /// Clock drift is uniform in ±this, in parts per million.
    pub max_drift_ppm: f64,
    /// One-way message delay.
    pub latency: Duration,
}

crate::parameters!(TimeConfig {
    nodes: Range::count(2, 16) => "nodes writing the shared key",
    writes_per_node: Range::count(1, 10_000) => "writes per node",
    mean_gap: Range::time(micros(1), secs(3600)) => "mean gap between one node's writes",
    max_offset: Range::time(Duration::ZERO, secs(3600)) => "clock offsets are uniform in ± this",
    max_drift_ppm: Range::real(0.0, 1e6) => "clock drift is uniform in ± this many parts per million",
    latency: Range::time(Duration::ZERO, secs(3600)) => "one-way message delay",
});

impl Default for TimeConfig {
    fn default() -> Self {
        TimeConfig {
            nodes: 3,
            writes_per_node: 8,
            mean_gap: millis(10),
            max_offset: millis(10),
            max_drift_ppm: 100.0,
            latency: millis(2),
        }
    }
}

/// One write and its three stamps.
#[derive(Clone, Debug, PartialEq)]
pub struct WriteRecord {
    /// Writing node.
    pub node: NodeId,
    /// True (simulated) time of the write.
    pub at: Time,
    /// The writer's wall-clock reading.
    pub wall: Time,
    /// Lamport timestamp.
    pub lamport: u64,
    /// Vector timestamp.
    pub vector: VectorClock,
}

/// A node: writes the key now and then, applies others' writes, keeps all three clocks.
#[derive(Clone, Debug)]
pub struct ClockNode {
    left: usize,
    gap_s: f64,
    lamport: LamportClock,
    vector: VectorClock,
    /// The writes this node made.
    pub writes: Vec<WriteRecord>,
    /// (wall stamp, writer, write index) of the value wall-clock LWW keeps here.
    pub lww: Option<(Time, NodeId, usize)>,
}

/// A write pushed to the other nodes.
#[derive(Clone, Debug)]
pub struct Update {
    /// Wall stamp.
    pub wall: Time,
    /// Lamport stamp.
    pub lamport: u64,
    /// Vector stamp.
    pub vector: VectorClock,
    /// Which write: (node, index).
    pub id: (NodeId, usize),
}

impl ClockNode {
    fn next(&mut self, ctx: &mut Context<Update, NextWrite>) {
        if self.left > 0 {
            let gap = -self.gap_s * (1.0 - ctx.rng().random::<f64>()).ln();
            ctx.set_timer(Duration::from_nanos((gap * 1e9) as u64), NextWrite);
        }
    }
    fn apply(&mut self, wall: Time, id: (NodeId, usize)) {
        if self.lww.is_none_or(|(w, n, _)| (wall, id.0) > (w, n)) {
            self.lww = Some((wall, id.0, id.1));
        }
    }
}

/// A node's only timer: time for its next write.
#[derive(Clone, Copy, Debug)]
pub struct NextWrite;

impl Node for ClockNode {
    type Msg = Update;
    type Timer = NextWrite;
    fn on_start(&mut self, ctx: &mut Context<Update, NextWrite>) {
        self.next(ctx);
    }
    fn on_timer(&mut self, ctx: &mut Context<Update, NextWrite>, _: NextWrite) {
        self.left -= 1;
        let me = ctx.id();
        let lamport = self.lamport.tick();
        self.vector.tick(me);
        let rec = WriteRecord { node: me, at: ctx.now(), wall: ctx.clock(), lamport, vector: self.vector.clone() };
        let id = (me, self.writes.len());
        self.apply(rec.wall, id);
        ctx.broadcast(Update { wall: rec.wall, lamport, vector: rec.vector.clone(), id });
        self.writes.push(rec);
        self.next(ctx);
    }
    fn on_message(&mut self, _ctx: &mut Context<Update, NextWrite>, _from: NodeId, u: Update) {
        self.lamport.observe(u.lamport);
        self.vector.merge(&u.vector);
        self.apply(u.wall, u.id);
    }
}

/// What the run showed.
#[derive(Clone, Debug)]
pub struct TimeResult {
    /// The configuration that was run.
    pub config: TimeConfig,
    /// Every write, ordered by true time.
    pub writes: Vec<WriteRecord>,
    /// Pairs of writes with `a → b` (vector clocks decide).
    pub causal_pairs: usize,
    /// Causal pairs whose wall stamps say the opposite.
    pub wall_clock_inversions: usize,
    /// Causal pairs whose Lamport stamps say the opposite (always 0).
    pub lamport_inversions: usize,
    /// Pairs neither of which could have influenced the other.
    pub concurrent_pairs: usize,
    /// Writes that wall-clock LWW discarded although a write it kept happened *before* them.
    pub lww_lost_newer: usize,
    /// Each node's clock error (ms) at the start and the end of the run.
    pub clock_error_ms: Vec<(f64, f64)>,
    /// The full trace, for the space-time diagram.
    pub trace: Trace,
}

impl Experiment for TimeConfig {
    type Output = TimeResult;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    /// Runs the writers on the engine with drawn clocks and analyses the stamps.
    fn run(&self, seed: u64) -> Result<TimeResult> {
        self.validate()?;
        let n = self.nodes;
        let nodes = (0..n)
            .map(|_| ClockNode {
                left: self.writes_per_node,
                gap_s: self.mean_gap.as_secs_f64(),
                lamport: LamportClock::new(),
                vector: VectorClock::new(n),
                writes: Vec::new(),
                lww: None,
            })
            .collect();
        let clocks = ClockConfig { max_offset: self.max_offset, max_drift_ppm: self.max_drift_ppm, sync: None };
        let latency = Latency::Constant(self.latency);
        let mut sim = Simulation::new(seed, nodes)?
            .with_network(Network::new().latency(latency))?
            .with_clocks(clocks)?
            .with_trace_mode(TraceMode::Full);
        sim.run_until_quiet()?;
        let mut writes: Vec<WriteRecord> = sim.nodes().iter().flat_map(|x| x.writes.iter().cloned()).collect();
        writes.sort_by_key(|w| (w.at, w.node));
        let (mut causal, mut wall_inv, mut lamport_inv, mut concurrent) = (0, 0, 0, 0);
        for (i, a) in writes.iter().enumerate() {
            for b in &writes[i + 1..] {
                if a.vector.happened_before(&b.vector) {
                    causal += 1;
                    wall_inv += usize::from(b.wall < a.wall);
                    lamport_inv += usize::from(b.lamport <= a.lamport);
                } else if a.vector.concurrent(&b.vector) {
                    concurrent += 1;
                }
            }
        }
        // The value every node converged to under wall-clock LWW, and the writes it beat.
        let kept = sim.node(0).lww.map(|(_, n, k)| sim.node(n).writes[k].clone());
        let lww_lost_newer =
            kept.as_ref().map_or(0, |k| writes.iter().filter(|w| k.vector.happened_before(&w.vector)).count());
        let end = sim.now();
        let clock_error_ms = (0..n)
            .map(|i| {
                let c = sim.physical_clock(i)?;
                Ok((c.error_at(Time::ZERO) as f64 / 1e6, c.error_at(end) as f64 / 1e6))
            })
            .collect::<Result<_>>()?;
        Ok(TimeResult {
            config: self.clone(),
            writes,
            causal_pairs: causal,
            wall_clock_inversions: wall_inv,
            lamport_inversions: lamport_inv,
            concurrent_pairs: concurrent,
            lww_lost_newer,
            clock_error_ms,
            trace: sim.trace().clone(),
        })
    }
}

impl TimeResult {
    /// What each clock got right and wrong.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["quantity", "value"]).title("Physical vs logical clocks on the same run");
        let rows: [(&str, usize); 6] = [
            ("writes", self.writes.len()),
            ("causally ordered pairs (a → b)", self.causal_pairs),
            ("  … that wall clocks order backwards", self.wall_clock_inversions),
            ("  … that Lamport clocks order backwards", self.lamport_inversions),
            ("concurrent pairs (vector clocks)", self.concurrent_pairs),
            ("newer writes lost by wall-clock LWW", self.lww_lost_newer),
        ];
        for (k, v) in rows {
            t.row(vec![k.into(), v.into()]).expect("two columns");
        }
        t
    }

    /// Wall-clock stamp against true time per write: points below the diagonal are clocks behind.
    pub fn plot(&self) -> Plot {
        (0..self.config.nodes).fold(
            Plot::new("Wall-clock stamp vs true time of each write")
                .x_label("true time (ms)")
                .y_label("wall-clock stamp (ms)"),
            |p, node| {
                let pts = self
                    .writes
                    .iter()
                    .filter(|w| w.node == node)
                    .map(|w| (w.at.as_millis_f64(), w.wall.as_millis_f64()))
                    .collect();
                p.scatter(format!("n{node}"), pts)
            },
        )
    }

    /// The space-time diagram of the run, with Lamport timestamps.
    pub fn spacetime(&self) -> SpaceTime {
        SpaceTime::new(&self.trace).lamport(true)
    }
}

impl Render for TimeResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(TimeResult);

impl Report for TimeResult {
    /// `backwards_share` (of causal pairs, the share wall clocks stamp backwards), the counts
    /// `causal_pairs`, `wall_clock_inversions`, `lamport_inversions` and `concurrent_pairs`, and
    /// `lww_lost_newer`.
    fn measures(&self) -> Vec<(String, f64)> {
        vec![
            ("backwards_share".into(), self.wall_clock_inversions as f64 / self.causal_pairs.max(1) as f64),
            ("causal_pairs".into(), self.causal_pairs as f64),
            ("wall_clock_inversions".into(), self.wall_clock_inversions as f64),
            ("lamport_inversions".into(), self.lamport_inversions as f64),
            ("concurrent_pairs".into(), self.concurrent_pairs as f64),
            ("lww_lost_newer".into(), self.lww_lost_newer as f64),
        ]
    }
    fn table(&self) -> Table {
        TimeResult::table(self)
    }
    fn plot(&self) -> Plot {
        TimeResult::plot(self)
    }
}
