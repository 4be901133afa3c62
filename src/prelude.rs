//! Everything a notebook cell needs, in one import: `use distsim::prelude::*;`.
//!
//! The distsim kernel puts this import in effect before the first cell.

pub use crate::error::{Error, Result};
pub use crate::experiment::{Experiment, ExperimentSweep, ParamValue, Parameters, Range, Report};
pub use crate::rng::{stream, SimRng, Stream};
pub use crate::time::{hours, micros, millis, secs, Duration, Time};
pub use crate::trace::{DropReason, EventKind, Trace, TraceEvent, TraceMode};
pub use crate::validate;
pub use rand::Rng;

// --- engine, network, faults, clocks (engine work) ---
pub use crate::clock::{ClockConfig, ClockSync, LamportClock, PhysicalClock, VectorClock};
pub use crate::engine::{Context, Node, NodeId, RunSummary, Simulation, TimerId};
pub use crate::faults::{Domain, DomainKind, Fault, FaultPlan, Topology};
pub use crate::metrics::{LatencyHistogram, Metrics};
pub use crate::network::{auth, Latency, LinkConfig, Network, Packet, Partition, Site, SiteMatrix, Verdict};

// --- rendering, metrics, stats, sweeps (rendering work) ---
pub use crate::impl_evcxr_display;
pub use crate::render::{
    clear_output, display, display_updatable, DebugDisplay, DisplayHandle, Format, MimeBundle, Plot, Progress,
    ProgressBar, Render, Table, Value,
};
pub use crate::stats::{difference_ci95, mean_ci95, paired_difference_ci95, proportion_ci95, Estimate};
pub use crate::sweep::{Sweep, SweepPoint, SweepResult};
pub use crate::trace::spacetime::SpaceTime;

// --- concept models (concepts work) ---
pub use crate::concepts;

// --- widgets (issue 12) ---
pub use crate::widgets::{
    Button, Checkbox, Dropdown, Element, FloatLogSlider, FloatSlider, HBox, Html, IntSlider, InteractExperiment,
    Output, Play, ToggleButtons, VBox, Widget,
};
