//! Concept models: one module per idea of the introductory chapter.
//!
//! Each model has a config with sensible defaults, a `run(seed)` that returns a result rendering
//! as a table and a plot, and, where one exists, the closed form to compare the simulation with.

pub mod architectures;
pub mod availability;
pub mod cap;
pub mod consensus;
pub mod correctness;
pub mod datacenter;
pub mod delivery;
pub mod failure_normal;
pub mod fallacies;
pub mod geography;
pub mod history;
pub mod ladder;
pub mod properties;
pub mod queueing;
pub mod replication;
pub mod scaling;
pub mod time_relative;
pub mod two_generals;
