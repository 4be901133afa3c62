//! Fallacy 5, "topology doesn't change": the route disappears in the middle of a run.
//!
//! A sender streams to a receiver along a fixed route. Part-way through, the route goes away (a
//! link is rewired, a switch is replaced: modelled as a partition between the two) and comes back
//! later. A sender that assumed a fixed topology never notices: everything it sends meanwhile is lost.
//!
//! Measures: `sent`, `lost` (messages that never arrived) and `lost_share` (`lost / sent`).

use super::streamer::stream;
use super::{measure, Fallacy, FallacyReport};
use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range};
use crate::faults::Fault;
use crate::network::{Network, Partition};
use crate::render::{Plot, Table};
use crate::time::{micros, millis, secs, Duration, Time};

/// A stream interrupted by a route change.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Messages per second, in `[1, 100_000]`.
    pub rate_per_sec: u64,
    /// Length of the run, in `[1 s, 1 h]`.
    pub run_for: Duration,
    /// When the route disappears (at most `run_for`).
    pub change_at: Duration,
    /// How long until a new route exists.
    pub outage: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config { rate_per_sec: 100, run_for: secs(5), change_at: secs(2), outage: millis(1500) }
    }
}

crate::parameters!(Config {
    rate_per_sec: Range::count(1, 100_000) => "messages sent per second",
    run_for: Range::time(secs(1), secs(3600)) => "length of the run",
    change_at: Range::time(Duration::ZERO, secs(3600)) => "when the route disappears (at most run_for)",
    outage: Range::time(micros(1), secs(3600)) => "how long until a new route exists",
});

/// Arrivals are counted per window of this length.
const WINDOW: Duration = millis(100);

impl Experiment for Config {
    type Output = FallacyReport;

    /// The ranges, and the route must change within the run.
    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        if self.change_at > self.run_for {
            let expected = format!("a duration in [{}, run_for = {}]", Duration::ZERO, self.run_for);
            return Err(Error::invalid("change_at", self.change_at, expected));
        }
        Ok(())
    }

    /// Streams through the change and counts arrivals per 100 ms window.
    fn run(&self, seed: u64) -> Result<FallacyReport> {
        self.validate()?;
        // Messages go out at 0, interval, 2·interval, ... while the run lasts.
        let count = (u128::from(self.rate_per_sec) * u128::from(self.run_for.as_nanos()) / 1_000_000_000) as u64;
        let interval = Duration::from_nanos(1_000_000_000 / self.rate_per_sec);
        let start = Time::ZERO + self.change_at;
        let end = start + self.outage;
        let faults = [(start, Fault::Partition(Partition::TwoWay { a: vec![0], b: vec![1] })), (end, Fault::Heal)];
        let run = stream(seed, Network::new(), count, interval, 100, &faults)?;
        let windows = self.run_for.as_nanos().div_ceil(WINDOW.as_nanos()) as usize;
        let mut per_window = vec![0u64; windows];
        for &(_, at) in &run.arrivals {
            let w = ((at.as_nanos() / WINDOW.as_nanos()) as usize).min(windows - 1);
            per_window[w] += 1;
        }
        // One row per phase: before the change, while there is no route, after the new route.
        let mut table = Table::new(["phase", "from (s)", "to (s)", "sent", "arrived"]);
        let length = self.run_for.as_secs_f64();
        let (t0, t1) = (self.change_at.as_secs_f64(), (self.change_at + self.outage).as_secs_f64().min(length));
        for (phase, from, to) in [("before the change", 0.0, t0), ("no route", t0, t1), ("new route", t1, length)] {
            let sent =
                (0..count).filter(|&i| (from..to).contains(&(interval.as_nanos() as f64 * i as f64 / 1e9))).count();
            let arrived = run.arrivals.iter().filter(|a| (from..to).contains(&a.1.as_secs_f64())).count();
            table.row(vec![phase.into(), from.into(), to.into(), sent.into(), arrived.into()])?;
        }
        let plot = Plot::new("Arrivals per 100 ms while the route changes")
            .x_label("time (s)")
            .y_label("messages arrived")
            .line(
                "arrived",
                per_window.iter().enumerate().map(|(w, &n)| ((WINDOW * w as u64).as_secs_f64(), n as f64)).collect(),
            );
        let lost = count - run.distinct();
        let what_broke = format!(
            "the route vanished at {} s for {} s: {lost} messages went nowhere while the sender kept sending",
            self.change_at.as_secs_f64(),
            self.outage.as_secs_f64()
        );
        let measures = vec![
            measure("sent", count as f64),
            measure("lost", lost as f64),
            measure("lost_share", lost as f64 / count as f64),
        ];
        Ok(FallacyReport { fallacy: Fallacy::FixedTopology, what_broke, table, plot, measures })
    }
}
