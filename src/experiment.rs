//! One contract for every concept experiment: validate, run with a seed, vary any knob by name.
//!
//! Each concept of the course is a configuration struct (`two_generals::Config`,
//! `availability::Config`, ...). They all implement [`Experiment`], so one generic tool serves
//! every concept:
//!
//! * [`Experiment::run`] takes an explicit seed and returns a [`Report`]: something that renders
//!   (a table and a plot) and has named numeric [`Report::measures`];
//! * [`Parameters`] reads and writes the knobs **by name**, each with its valid [`Range`], so a bad
//!   value is refused with an error that names the knob and the range;
//! * [`Experiment::sweep`] varies one named knob over a list of values, runs every value with the
//!   same seeds, and reports each measure's mean with a 95% confidence interval.
//!
//! Using the same seeds at every value is deliberate (*common random numbers*): every random
//! effect draws from its own named stream ([`crate::rng`]), so two values of a knob see the same
//! luck everywhere the knob does not reach, and the difference between them is the knob's effect
//! rather than fresh noise.
//!
//! ```
//! use distsim::prelude::*;
//! use concepts::two_generals as generals;
//!
//! let curve = generals::Config::default().sweep("capture", &[0.0, 0.3, 0.6], 0..5)?;
//! let coordinated = curve.means("coordinated")?;
//! assert_eq!(coordinated[0], 1.0); // nobody is ever captured
//! assert!(coordinated[1] > coordinated[2]); // more captures, fewer coordinated attacks
//!
//! // A name that is not a knob, or a value outside its range, is a clear error.
//! let err = generals::Config::default().sweep("capturre", &[0.1], 0..5).unwrap_err().to_string();
//! assert!(err.contains("`capturre`") && err.contains("capture"), "{err}");
//! let err = generals::Config::default().sweep("capture", &[1.5], 0..5).unwrap_err().to_string();
//! assert!(err.contains("`capture`") && err.contains("[0, 1]"), "{err}");
//! # Ok::<(), distsim::Error>(())
//! ```

mod params;
mod sweep;

pub use params::{unknown_parameter, Param, ParamField, ParamValue, Parameters, Range};
pub use sweep::ExperimentSweep;

use crate::error::Result;
use crate::render::{Plot, Render, Table};

/// What an experiment's run returns: it renders inline, and it has named measures that a sweep
/// can average over seeds.
pub trait Report: Render + Send {
    /// The run's headline numbers, by name (`("coordinated", 0.49)`): what a sweep averages and
    /// plots. Every run of one experiment returns the same names in the same order.
    fn measures(&self) -> Vec<(String, f64)>;

    /// The run as a table.
    fn table(&self) -> Table;

    /// The run as a plot.
    fn plot(&self) -> Plot;
}

/// A concept experiment: a configuration that validates itself, runs with an explicit seed, and
/// exposes its knobs by name.
pub trait Experiment: Parameters + Clone + Send + Sync + 'static {
    /// What one run returns.
    type Output: Report;

    /// Checks every parameter (ranges first, then any rule that ties two parameters together);
    /// the error names the first bad one and its valid range.
    fn validate(&self) -> Result<()>;

    /// Runs the experiment with `seed`. The same seed gives the same output, byte for byte.
    fn run(&self, seed: u64) -> Result<Self::Output>;

    /// A copy with parameter `name` set to `value` (checked against its range).
    fn with(&self, name: &str, value: impl Into<ParamValue>) -> Result<Self> {
        let mut copy = self.clone();
        copy.set(name, value.into())?;
        Ok(copy)
    }

    /// Runs the experiment once per value of parameter `name` and per seed, the same seeds at
    /// every value, in parallel; the result does not depend on the thread count.
    fn sweep<V: Into<ParamValue> + Clone>(
        &self,
        name: &str,
        values: &[V],
        seeds: impl IntoIterator<Item = u64>,
    ) -> Result<ExperimentSweep> {
        let values: Vec<ParamValue> = values.iter().cloned().map(Into::into).collect();
        sweep::run(self, name, values, seeds.into_iter().collect())
    }
}
