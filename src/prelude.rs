//! Everything a notebook cell needs, in one import: `use distsim::prelude::*;`.
//!
//! The distsim kernel puts this import in effect before the first cell.

pub use crate::error::{Error, Result};
pub use crate::rng::{stream, SimRng, Stream};
pub use crate::time::{micros, millis, secs, Duration, Time};
pub use crate::trace::{DropReason, EventKind, Trace, TraceEvent, TraceMode};
pub use crate::validate;
pub use rand::Rng;

// --- engine, network, faults, clocks (engine work) ---

// --- rendering, metrics, stats, sweeps (rendering work) ---

// --- concept models (concepts work) ---
pub use crate::concepts;
