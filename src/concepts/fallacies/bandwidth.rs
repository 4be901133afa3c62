//! Fallacy 3, "bandwidth is infinite": a link offered more than it can carry.
//!
//! A link that carries `B` bytes per second sends a message of `s` bytes in `s / B` seconds; messages
//! that arrive faster wait in a queue. Below capacity the queue stays short; at or above it, every
//! message waits longer than the one before, and the delay grows for as long as the overload lasts.
//!
//! Measures, at the highest load of `loads`: `mean_delay_ms` and `last_delay_ms` (the last
//! message's delay), in ms.

use super::streamer::stream;
use super::{measure, Fallacy, FallacyReport};
use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range};
use crate::network::Network;
use crate::render::{Plot, Table};
use crate::time::Duration;
use crate::validate;

/// One sender streaming fixed-size messages at several offered loads.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Link capacity in bytes per second (> 0).
    pub bandwidth_bytes_per_sec: f64,
    /// Message size in bytes, in `[1, 1e9]`.
    pub message_bytes: u64,
    /// Offered loads to try, as fractions of capacity (each in `(0, 10]`; the x-axis of one run,
    /// not a named parameter).
    pub loads: Vec<f64>,
    /// Messages per load, in `[1, 100_000]`.
    pub messages: u64,
}

impl Default for Config {
    /// A 1 MB/s link and 10 kB messages (100 per second fill it).
    fn default() -> Self {
        Config {
            bandwidth_bytes_per_sec: 1e6,
            message_bytes: 10_000,
            loads: vec![0.5, 0.8, 0.95, 1.05, 1.2, 1.5],
            messages: 500,
        }
    }
}

crate::parameters!(Config {
    bandwidth_bytes_per_sec: Range::real(1.0, 1e12) => "link capacity, in bytes per second",
    message_bytes: Range::count(1, 1_000_000_000) => "message size, in bytes",
    messages: Range::count(1, 100_000) => "messages per offered load",
});

impl Experiment for Config {
    type Output = FallacyReport;

    /// The named parameters' ranges, then every entry of `loads`.
    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        if self.loads.is_empty() {
            return Err(Error::empty("loads"));
        }
        for (i, &l) in self.loads.iter().enumerate() {
            validate::in_range(&format!("loads[{i}]"), l, 1e-6, 10.0)?;
        }
        Ok(())
    }

    /// Streams at each load and measures the queueing delay.
    fn run(&self, seed: u64) -> Result<FallacyReport> {
        self.validate()?;
        let service = self.message_bytes as f64 / self.bandwidth_bytes_per_sec;
        let mut table = Table::new(["offered load", "messages/s", "mean delay (ms)", "last message's delay (ms)"]);
        let (mut mean_pts, mut last_pts) = (Vec::new(), Vec::new());
        let mut worst = (0.0, 0.0, 0.0);
        for (i, &load) in self.loads.iter().enumerate() {
            let interval = Duration::from_secs_f64("interval", service / load)?;
            let net = Network::new().bandwidth(self.bandwidth_bytes_per_sec);
            let run = stream(seed.wrapping_add(i as u64), net, self.messages, interval, self.message_bytes, &[])?;
            let delays = run.delays_ms();
            let mean = delays.iter().sum::<f64>() / delays.len().max(1) as f64;
            let last = delays.last().copied().unwrap_or(f64::NAN);
            table.row(vec![load.into(), (load / service).into(), mean.into(), last.into()])?;
            mean_pts.push((load, mean));
            last_pts.push((load, last));
            if load >= worst.0 {
                worst = (load, last, mean);
            }
        }
        let plot = Plot::new("Queueing on a bandwidth-limited link")
            .x_label("offered load (fraction of capacity)")
            .y_label("delay (ms)")
            .line("mean delay", mean_pts)
            .line("last message's delay", last_pts);
        let what_broke = format!(
            "offered {:.0}% of the link's capacity, the last message waited {:.0} ms in the queue",
            worst.0 * 100.0,
            worst.1
        );
        let measures = vec![measure("mean_delay_ms", worst.2), measure("last_delay_ms", worst.1)];
        Ok(FallacyReport { fallacy: Fallacy::InfiniteBandwidth, what_broke, table, plot, measures })
    }
}
