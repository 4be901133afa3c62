//! The eight fallacies of distributed computing, each broken by a small experiment.
//!
//! Early designers of networked systems made eight assumptions that are easy to make and false:
//! the network is reliable; latency is zero; bandwidth is infinite; the network is secure; topology
//! doesn't change; there is one administrator; transport cost is zero; the network is homogeneous.
//! Each submodule runs one experiment on the engine in which the assumption fails, and returns an
//! [`Experiment`]: a small table, a plot and a one-line summary of *what broke*.
//!
//! | fallacy | experiment |
//! |---|---|
//! | [reliable] | numbered messages over a lossy link: some vanish, and nobody is told |
//! | [latency] | a request through a chain of services: each hop adds a round trip |
//! | [bandwidth] | a link offered more bytes per second than it carries: the queue grows without bound |
//! | [secure] | a network that rewrites transfers: accepted unless messages carry an HMAC |
//! | [topology] | a route disappears mid-run: a sender with a fixed route keeps sending into the void |
//! | [admins] | one admin sets the client timeout, another the server's work time: every request times out |
//! | [transport] | moving a data set vs moving the code to it: bytes, time, and (illustrative) money |
//! | [heterogeneous] | a job split evenly over fast and slow nodes waits for the slowest |
//!
//! Every experiment has a config with defaults, `validate()`, and `run(seed)`; [`run_all`] runs the
//! eight with their defaults and tabulates what broke.
//!
//! ```
//! use distsim::concepts::fallacies::{secure, Fallacy};
//! let e = secure::Config { forge: 0.2, ..Default::default() }.run(1)?;
//! println!("{}", e.what_broke);
//! let _same_with_defaults = Fallacy::SecureNetwork.run(1)?;
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
    pub fn run(self, seed: u64) -> Result<Experiment> {
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

/// What one experiment showed.
#[derive(Debug, Clone)]
pub struct Experiment {
    /// The assumption that was broken.
    pub fallacy: Fallacy,
    /// One line: what went wrong because the assumption was false.
    pub what_broke: String,
    /// The measurements.
    pub table: Table,
    /// The measurements as a chart.
    pub plot: Plot,
}

impl Experiment {
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
}

impl Render for Experiment {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(Experiment);

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
