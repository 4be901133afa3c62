//! (crate tour being written)

pub mod cancel;
pub mod clock;
pub mod concepts;
pub mod engine;
pub mod error;
pub mod faults;
pub mod metrics;
pub mod network;
pub mod prelude;
pub mod render;
pub mod rng;
pub mod stats;
pub mod sweep;
pub mod time;
pub mod trace;
pub mod validate;

pub use error::{Error, Result};
