//! Fallacy 7, "transport cost is zero": moving a data set vs moving the code to it.
//!
//! Bytes take time to move (a link carries so many per second) and cost money (cloud providers
//! charge for data leaving a region). An analysis that copies a large data set to where the code
//! runs pays both; shipping the code to the data and bringing back only the result pays almost
//! nothing. The price per gigabyte below is **illustrative**, not a quote.
//!
//! Measures: `move_data_secs` and `move_code_secs` (transfer times, in seconds), and
//! `move_data_usd` and `move_code_usd` (illustrative costs).

use super::streamer::stream;
use super::{measure, Fallacy, FallacyReport};
use crate::error::Result;
use crate::experiment::{Experiment, Parameters, Range};
use crate::network::Network;
use crate::render::{Plot, Table};
use crate::time::Duration;

/// A data set, a link and an (illustrative) price.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Size of the data set in MB, in `[1, 1e7]`.
    pub dataset_mb: f64,
    /// Size of the code shipped to the data in MB, in `[0, 1e7]`.
    pub code_mb: f64,
    /// Size of the result as a fraction of the data set, in `[0, 1]`.
    pub result_fraction: f64,
    /// Link bandwidth in MB per second, in `[0.001, 1e7]`.
    pub bandwidth_mb_per_sec: f64,
    /// Illustrative price of moving one GB, in dollars, in `[0, 1e6]`.
    pub usd_per_gb: f64,
    /// Transfer unit in MB (each message carries this much), in `[0.001, 1e6]`.
    pub chunk_mb: f64,
}

impl Default for Config {
    /// 10 GB over a 1 Gbit/s (125 MB/s) link at an illustrative $0.09 per GB.
    fn default() -> Self {
        Config {
            dataset_mb: 10_000.0,
            code_mb: 5.0,
            result_fraction: 0.001,
            bandwidth_mb_per_sec: 125.0,
            usd_per_gb: 0.09,
            chunk_mb: 64.0,
        }
    }
}

crate::parameters!(Config {
    dataset_mb: Range::real(1.0, 1e7) => "size of the data set, in MB",
    code_mb: Range::real(0.0, 1e7) => "size of the code shipped to the data, in MB",
    result_fraction: Range::Probability => "size of the result as a fraction of the data set",
    bandwidth_mb_per_sec: Range::real(0.001, 1e7) => "link bandwidth, in MB per second",
    usd_per_gb: Range::real(0.0, 1e6) => "illustrative price of moving one GB, in dollars",
    chunk_mb: Range::real(0.001, 1e6) => "transfer unit, in MB per message",
});

impl Experiment for Config {
    type Output = FallacyReport;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    /// Moves the bytes of each strategy over the link and measures time and cost.
    fn run(&self, seed: u64) -> Result<FallacyReport> {
        self.validate()?;
        let strategies = [
            ("move the data to the code", self.dataset_mb),
            ("move the code to the data", self.code_mb + self.dataset_mb * self.result_fraction),
        ];
        let mut table = Table::new(["strategy", "MB moved", "transfer time (s)", "cost (illustrative $)"]);
        let mut bars = Vec::new();
        let mut rows = Vec::new();
        for (i, (name, mb)) in strategies.iter().enumerate() {
            let chunks = (mb / self.chunk_mb).ceil().max(1.0) as u64;
            let bytes = (mb * 1e6 / chunks as f64).round() as u64;
            let net = Network::new().bandwidth(self.bandwidth_mb_per_sec * 1e6);
            let run = stream(seed.wrapping_add(i as u64), net, chunks, Duration::ZERO, bytes.max(1), &[])?;
            let secs = run.arrivals.iter().map(|a| a.1.as_secs_f64()).fold(0.0, f64::max);
            let cost = mb / 1000.0 * self.usd_per_gb;
            table.row(vec![(*name).into(), (*mb).into(), secs.into(), cost.into()])?;
            bars.push((name.to_string(), secs));
            rows.push((secs, cost));
        }
        let plot = Plot::new("Time to move the bytes").y_label("seconds").bar("transfer time", bars);
        let what_broke = format!(
            "moving {:.0} MB took {:.1} s and ~${:.2} (illustrative price); moving the code instead took {:.2} s",
            self.dataset_mb, rows[0].0, rows[0].1, rows[1].0
        );
        let measures = vec![
            measure("move_data_secs", rows[0].0),
            measure("move_code_secs", rows[1].0),
            measure("move_data_usd", rows[0].1),
            measure("move_code_usd", rows[1].1),
        ];
        Ok(FallacyReport { fallacy: Fallacy::ZeroTransportCost, what_broke, table, plot, measures })
    }
}
