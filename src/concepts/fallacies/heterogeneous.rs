//! Fallacy 8, "the network is homogeneous": a job split evenly over unequal nodes.
//!
//! Real fleets mix hardware generations, links and software versions. A coordinator that splits
//! work evenly, as if every worker were the same, finishes only when the slowest worker does: one
//! node at a quarter of the speed makes the whole job several times slower. Splitting in proportion
//! to each node's speed brings the job time back down.
//!
//! Measures: `even_split_ms` and `by_speed_ms`, the job time (in ms) of each split.

use super::{measure, Fallacy, FallacyReport};
use crate::engine::{Context, Node, NodeId, Simulation};
use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range};
use crate::render::{Plot, Table};
use crate::time::{millis, secs, Duration, Time};
use crate::trace::TraceMode;
use crate::validate;

/// Workers of different speeds and a job to split among them.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Relative speed of each worker (1 = normal), each in `[0.001, 1000]`; at least one worker.
    /// (The fleet itself, not a named parameter.)
    pub speeds: Vec<f64>,
    /// Work units in the job, in `[1, 1e9]`.
    pub units: u64,
    /// Time one unit takes on a speed-1 worker.
    pub unit: Duration,
}

impl Default for Config {
    /// Three normal workers and one old machine at a quarter of the speed.
    fn default() -> Self {
        Config { speeds: vec![1.0, 1.0, 1.0, 0.25], units: 1200, unit: millis(1) }
    }
}

crate::parameters!(Config {
    units: Range::count(1, 1_000_000_000) => "work units in the job",
    unit: Range::time(Duration::from_nanos(1), secs(3600)) => "time one unit takes on a speed-1 worker",
});

/// Work handed out, and its completion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// Do this many units.
    Task(u64),
    /// Finished.
    Done,
}

/// A worker's only timer: its task is finished.
#[derive(Debug, Clone)]
struct TaskDone;

struct Worker {
    speed: f64,
    unit: Duration,
    shares: Vec<u64>,
    finished: Vec<Time>,
}

impl Node for Worker {
    type Msg = Msg;
    type Timer = TaskDone;
    fn on_start(&mut self, ctx: &mut Context<Msg, TaskDone>) {
        if ctx.id() == 0 {
            for (w, &units) in self.shares.iter().enumerate() {
                ctx.send(w + 1, Msg::Task(units));
            }
        }
    }
    fn on_message(&mut self, ctx: &mut Context<Msg, TaskDone>, _from: NodeId, msg: Msg) {
        match msg {
            Msg::Task(units) => {
                let ns = (units as f64 * self.unit.as_nanos() as f64 / self.speed).round() as u64;
                ctx.set_timer(Duration::from_nanos(ns), TaskDone);
            }
            Msg::Done => self.finished.push(ctx.now()),
        }
    }
    fn on_timer(&mut self, ctx: &mut Context<Msg, TaskDone>, _: TaskDone) {
        ctx.send(0, Msg::Done);
    }
}

/// Splits `units` in proportion to `weights`, handing the rounding remainder out in worker order.
fn split(units: u64, weights: &[f64]) -> Vec<u64> {
    let total: f64 = weights.iter().sum();
    let mut shares: Vec<u64> = weights.iter().map(|w| (units as f64 * w / total).floor() as u64).collect();
    // Flooring loses less than one unit per worker, so one pass hands out the remainder.
    let left = (units - shares.iter().sum::<u64>()) as usize;
    for s in shares.iter_mut().take(left) {
        *s += 1;
    }
    shares
}

impl Experiment for Config {
    type Output = FallacyReport;

    /// The named parameters' ranges, then every entry of `speeds`.
    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        if self.speeds.is_empty() {
            return Err(Error::empty("speeds"));
        }
        for (i, &s) in self.speeds.iter().enumerate() {
            validate::in_range(&format!("speeds[{i}]"), s, 0.001, 1000.0)?;
        }
        Ok(())
    }

    /// Runs the job split evenly and split by speed.
    fn run(&self, seed: u64) -> Result<FallacyReport> {
        self.validate()?;
        let unit = self.unit;
        let n = self.speeds.len();
        let mut table = Table::new(["split", "job time (ms)", "fastest worker done (ms)", "slowest worker done (ms)"]);
        let mut bars = Vec::new();
        let mut times = Vec::new();
        for (label, weights) in [("even (assumes identical nodes)", vec![1.0; n]), ("by speed", self.speeds.clone())] {
            let shares = split(self.units, &weights);
            let mut nodes = vec![Worker { speed: 1.0, unit, shares, finished: Vec::new() }];
            nodes.extend(self.speeds.iter().map(|&speed| Worker {
                speed,
                unit,
                shares: Vec::new(),
                finished: Vec::new(),
            }));
            let mut sim = Simulation::new(seed, nodes)?.with_trace_mode(TraceMode::DigestOnly);
            sim.run_until_quiet()?;
            let done: Vec<f64> = sim.node(0).finished.iter().map(|t| t.as_millis_f64()).collect();
            let (first, last) = (done.first().copied().unwrap_or(f64::NAN), done.last().copied().unwrap_or(f64::NAN));
            table.row(vec![label.into(), last.into(), first.into(), last.into()])?;
            bars.push((label.to_string(), last));
            times.push(last);
        }
        let plot = Plot::new("Job time on unequal workers").y_label("ms").bar("job time", bars);
        let what_broke = format!(
            "an even split waited {:.0} ms for the slowest node; splitting by speed took {:.0} ms",
            times[0], times[1]
        );
        let measures = vec![measure("even_split_ms", times[0]), measure("by_speed_ms", times[1])];
        Ok(FallacyReport { fallacy: Fallacy::HomogeneousNetwork, what_broke, table, plot, measures })
    }
}
