//! Fallacy 5, "topology doesn't change": the route disappears in the middle of a run.
//!
//! A sender streams to a receiver along a fixed route. Part-way through, the route goes away (a
//! link is rewired, a switch is replaced: modelled as a partition between the two) and comes back
//! later. A sender that assumed a fixed topology never notices: everything it sends meanwhile is lost.

use super::streamer::stream;
use super::{Experiment, Fallacy};
use crate::error::Result;
use crate::faults::Fault;
use crate::network::{Network, Partition};
use crate::render::{Plot, Table};
use crate::time::{Duration, Time};
use crate::validate;

/// A stream interrupted by a route change.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Messages per second, in `[1, 100_000]`.
    pub rate_per_sec: u64,
    /// Length of the run in seconds, in `[1, 3600]`.
    pub seconds: u64,
    /// When the route disappears, in seconds (`< seconds`).
    pub change_at_sec: f64,
    /// How long until a new route exists, in seconds (> 0).
    pub outage_sec: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config { rate_per_sec: 100, seconds: 5, change_at_sec: 2.0, outage_sec: 1.5 }
    }
}

impl Config {
    /// Checks every parameter.
    pub fn validate(&self) -> Result<()> {
        validate::count_in("rate_per_sec", self.rate_per_sec as usize, 1, 100_000)?;
        validate::count_in("seconds", self.seconds as usize, 1, 3600)?;
        validate::in_range("change_at_sec", self.change_at_sec, 0.0, self.seconds as f64)?;
        validate::positive("outage_sec", self.outage_sec)?;
        Ok(())
    }

    /// Streams through the change and counts arrivals per 100 ms window.
    pub fn run(&self, seed: u64) -> Result<Experiment> {
        self.validate()?;
        let count = self.rate_per_sec * self.seconds;
        let interval = Duration(1_000_000_000 / self.rate_per_sec);
        let start = Time::from_secs_f64("change_at_sec", self.change_at_sec)?;
        let end = Time::from_secs_f64("outage_sec", self.change_at_sec + self.outage_sec)?;
        let faults = [(start, Fault::Partition(Partition::TwoWay { a: vec![0], b: vec![1] })), (end, Fault::Heal)];
        let run = stream(seed, Network::new(), count, interval, 100, &faults)?;
        let windows = (self.seconds * 10) as usize;
        let mut per_window = vec![0u64; windows];
        for &(_, at) in &run.arrivals {
            let w = ((at.as_secs_f64() * 10.0) as usize).min(windows - 1);
            per_window[w] += 1;
        }
        // One row per phase: before the change, while there is no route, after the new route.
        let mut table = Table::new(["phase", "from (s)", "to (s)", "sent", "arrived"]);
        let (t0, t1) = (self.change_at_sec, (self.change_at_sec + self.outage_sec).min(self.seconds as f64));
        for (phase, from, to) in
            [("before the change", 0.0, t0), ("no route", t0, t1), ("new route", t1, self.seconds as f64)]
        {
            let sent = (0..count).filter(|&i| (from..to).contains(&(interval.0 as f64 * i as f64 / 1e9))).count();
            let arrived = run.arrivals.iter().filter(|a| (from..to).contains(&a.1.as_secs_f64())).count();
            table.row(vec![phase.into(), from.into(), to.into(), sent.into(), arrived.into()])?;
        }
        let plot = Plot::new("Arrivals per 100 ms while the route changes")
            .x_label("time (s)")
            .y_label("messages arrived")
            .line("arrived", per_window.iter().enumerate().map(|(w, &n)| (w as f64 / 10.0, n as f64)).collect());
        let lost = count - run.distinct();
        let what_broke = format!(
            "the route vanished at {} s for {} s: {lost} messages went nowhere while the sender kept sending",
            self.change_at_sec, self.outage_sec
        );
        Ok(Experiment { fallacy: Fallacy::FixedTopology, what_broke, table, plot })
    }
}
