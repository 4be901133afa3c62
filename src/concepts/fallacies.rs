//! The eight fallacies of distributed computing, each broken by a small experiment.
//!
//! Early designers of networked systems made eight assumptions that are easy to make and false:
//! the network is reliable; latency is zero; bandwidth is infinite; the network is secure; topology
//! doesn't change; there is one administrator; transport cost is zero; the network is homogeneous.
//! The list comes from Sun Microsystems: Bill Joy and Tom Lyon wrote down the first four (about
//! 1991), L Peter Deutsch added three more (1994), and James Gosling the eighth (1997).
//! Each submodule runs one experiment on the engine in which the assumption fails, and returns a
//! [`FallacyReport`]: a small table, a plot, a one-line summary of *what broke*, and the headline
//! numbers as named measures.
//!
//! | fallacy | experiment |
//! |---|---|
//! | [reliable] | numbered messages over a lossy link: some vanish, and nobody is told |
//! | [latency] | a request through a chain of services: each hop adds a round trip |
//! | [bandwidth] | a link offered more bytes per second than it carries: the queue grows without bound |
//! | [secure] | a network that rewrites transfers: accepted unless messages carry an HMAC; and a replay, which an HMAC alone does not stop |
//! | [topology] | a route disappears mid-run: a sender with a fixed route keeps sending into the void |
//! | [admins] | one admin sets the client timeout, another the server's work time: every request times out |
//! | [transport] | moving a data set vs moving the code to it: bytes, time, and (illustrative) money |
//! | [heterogeneous] | a job split evenly over fast and slow nodes waits for the slowest |
//!
//! Every experiment's `Config` has defaults and implements [`Experiment`]: `validate()`,
//! `run(seed)`, and its scalar knobs by name, so the generic sweep varies any of them. (A list
//! field such as `reliable::Config::losses` is the experiment's own x-axis: each run already
//! covers every value in it, and it is not a named parameter.) [`run_all`] runs the eight with
//! their defaults and tabulates what broke.
//!
//! ```
//! use distsim::concepts::fallacies::{secure, Fallacy};
//! use distsim::experiment::{Experiment, Report};
//! let e = secure::Config { forge: 0.2, ..Default::default() }.run(1)?;
//! println!("{}", e.what_broke);
//! let _same_with_defaults = Fallacy::SecureNetwork.run(1)?;
//! // The attack rate by name: forgeries a trusting receiver accepted, mean over 3 seeds.
//! let sweep = secure::Config::default().sweep("forge", &[0.0, 0.5], 0..3)?;
//! let accepted = sweep.means("accepted_trusting")?;
//! assert!(accepted[0] == 0.0 && accepted[1] > 0.0);
//! # Ok::<(), distsim::Error>(())
//! ```

pub mod admins;
pub mod bandwidth;
pub mod heterogeneous;
pub mod latency;
pub mod reliable;
pub mod secure;
mod streamer;
pub mod topology;
pub mod transport;

use crate::error::Result;
use crate::experiment::{Experiment, Report};
use crate::render::{MimeBundle, Plot, Render, Table};

/// The eight fallacies, in the classic order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fallacy {
    /// 1. The network is reliable.
    ReliableNetwork,
    /// 2. Latency is zero.
    ZeroLatency,
    /// 3. Bandwidth is infinite.
    InfiniteBandwidth,
    /// 4. The network is secure.
    SecureNetwork,
    /// 5. Topology doesn't change.
    FixedTopology,
    /// 6. There is one administrator.
    OneAdministrator,
    /// 7. Transport cost is zero.
    ZeroTransportCost,
    /// 8. The network is homogeneous.
    HomogeneousNetwork,
}

impl Fallacy {
    /// All eight, in order.
    pub const ALL: [Fallacy; 8] = [
        Fallacy::ReliableNetwork,
        Fallacy::ZeroLatency,
        Fallacy::InfiniteBandwidth,
        Fallacy::SecureNetwork,
        Fallacy::FixedTopology,
        Fallacy::OneAdministrator,
        Fallacy::ZeroTransportCost,
        Fallacy::HomogeneousNetwork,
    ];

    /// The assumption, in words.
    pub fn assumption(self) -> &'static str {
        match self {
            Fallacy::ReliableNetwork => "the network is reliable",
            Fallacy::ZeroLatency => "latency is zero",
            Fallacy::InfiniteBandwidth => "bandwidth is infinite",
            Fallacy::SecureNetwork => "the network is secure",
            Fallacy::FixedTopology => "topology doesn't change",
            Fallacy::OneAdministrator => "there is one administrator",
            Fallacy::ZeroTransportCost => "transport cost is zero",
            Fallacy::HomogeneousNetwork => "the network is homogeneous",
        }
    }

    /// Runs this fallacy's experiment with its default settings.
    pub fn run(self, seed: u64) -> Result<FallacyReport> {
        match self {
            Fallacy::ReliableNetwork => reliable::Config::default().run(seed),
            Fallacy::ZeroLatency => latency::Config::default().run(seed),
            Fallacy::InfiniteBandwidth => bandwidth::Config::default().run(seed),
            Fallacy::SecureNetwork => secure::Config::default().run(seed),
            Fallacy::FixedTopology => topology::Config::default().run(seed),
            Fallacy::OneAdministrator => admins::Config::default().run(seed),
            Fallacy::ZeroTransportCost => transport::Config::default().run(seed),
            Fallacy::HomogeneousNetwork => heterogeneous::Config::default().run(seed),
        }
    }
}

/// What one fallacy's experiment showed.
#[derive(Debug, Clone)]
pub struct FallacyReport {
    /// The assumption that was broken.
    pub fallacy: Fallacy,
    /// One line: what went wrong because the assumption was false.
    pub what_broke: String,
    /// The measurements.
    pub table: Table,
    /// The measurements as a chart.
    pub plot: Plot,
    /// The headline numbers by name (each fallacy's module documents its own).
    pub measures: Vec<(String, f64)>,
}

impl FallacyReport {
    /// The measurements, titled with the fallacy and what broke.
    pub fn table(&self) -> Table {
        let title = format!(
            "Fallacy {}: \"{}\". What broke: {}",
            self.fallacy as usize + 1,
            self.fallacy.assumption(),
            self.what_broke
        );
        self.table.clone().title(title)
    }

    /// The chart.
    pub fn plot(&self) -> Plot {
        self.plot.clone()
    }

    /// One headline number by name (the names are in each fallacy module's documentation); the
    /// error lists the names this report has.
    pub fn measure(&self, name: &str) -> Result<f64> {
        crate::concepts::properties::measure(self, name)
    }
}

impl Render for FallacyReport {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(FallacyReport);

impl Report for FallacyReport {
    fn measures(&self) -> Vec<(String, f64)> {
        self.measures.clone()
    }
    fn table(&self) -> Table {
        FallacyReport::table(self)
    }
    fn plot(&self) -> Plot {
        FallacyReport::plot(self)
    }
}

/// A measure's name and value, as the fallacies' runs list them.
fn measure(name: &str, value: f64) -> (String, f64) {
    (name.to_string(), value)
}

/// Runs all eight experiments with their defaults: one row per fallacy with what broke.
pub fn run_all(seed: u64) -> Result<Table> {
    let mut t =
        Table::new(["#", "assumption", "what broke"]).title("The eight fallacies, each broken by an experiment");
    for f in Fallacy::ALL {
        let e = f.run(seed)?;
        t.row(vec![(f as usize + 1).into(), f.assumption().into(), e.what_broke.into()])?;
    }
    Ok(t)
}
