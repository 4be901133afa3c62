//! Fallacy 1, "the network is reliable": numbered messages over a lossy link.
//!
//! The sender fires and forgets. Every lost message is simply missing at the receiver, and the
//! sender has no way to know which ones: only an acknowledgement protocol could tell it
//! (see [`crate::concepts::delivery`]).
//!
//! Measures: `lost` (messages lost at the highest loss rate of `losses`) and `lost_share` (that
//! count over `messages`).

use super::streamer::stream;
use super::{measure, Fallacy, FallacyReport};
use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range};
use crate::network::Network;
use crate::render::{Plot, Table};
use crate::time::millis;
use crate::validate;

/// A stream of messages over links with different loss rates.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Loss probabilities to try, each in `[0, 1]` (the x-axis of one run; not a named parameter).
    pub losses: Vec<f64>,
    /// Messages sent per loss rate, in `[1, 1_000_000]`.
    pub messages: u64,
}

crate::parameters!(Config {
    messages: Range::count(1, 1_000_000) => "messages sent per loss rate",
});

impl Default for Config {
    fn default() -> Self {
        Config { losses: vec![0.0, 0.001, 0.01, 0.05, 0.1], messages: 1000 }
    }
}

impl Experiment for Config {
    type Output = FallacyReport;

    /// The named parameters' ranges, then every entry of `losses`.
    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        if self.losses.is_empty() {
            return Err(Error::empty("losses"));
        }
        for (i, &l) in self.losses.iter().enumerate() {
            validate::probability(&format!("losses[{i}]"), l)?;
        }
        Ok(())
    }

    /// Streams `messages` at each loss rate and counts what never arrived.
    fn run(&self, seed: u64) -> Result<FallacyReport> {
        self.validate()?;
        let mut table = Table::new(["loss probability", "sent", "arrived", "lost (silently)", "expected lost"]);
        let mut pts = Vec::new();
        let mut worst = (0.0, 0);
        for (i, &loss) in self.losses.iter().enumerate() {
            let run =
                stream(seed.wrapping_add(i as u64), Network::new().loss(loss), self.messages, millis(1), 100, &[])?;
            let lost = self.messages - run.distinct();
            table.row(vec![
                loss.into(),
                self.messages.into(),
                run.distinct().into(),
                lost.into(),
                (loss * self.messages as f64).into(),
            ])?;
            pts.push((loss, lost as f64));
            if loss >= worst.0 {
                worst = (loss, lost);
            }
        }
        let plot = Plot::new("Messages lost without a trace")
            .x_label("loss probability")
            .y_label("messages lost")
            .line("lost", pts);
        let what_broke = format!(
            "at {} loss, {} of {} messages vanished and the sender was never told",
            worst.0, worst.1, self.messages
        );
        let measures =
            vec![measure("lost", worst.1 as f64), measure("lost_share", worst.1 as f64 / self.messages as f64)];
        Ok(FallacyReport { fallacy: Fallacy::ReliableNetwork, what_broke, table, plot, measures })
    }
}
