//! Clocks: physical clocks that drift and logical clocks that order events by causality.
//!
//! See [`physical`] for offset, drift and synchronisation, and [`logical`] for Lamport and vector
//! clocks.

pub mod logical;
pub mod physical;

pub use logical::{LamportClock, VectorClock};
pub(crate) use physical::ClockState;
pub use physical::{ClockConfig, ClockSync, PhysicalClock};

#[cfg(test)]
mod tests;
