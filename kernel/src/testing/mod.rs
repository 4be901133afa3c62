//! Test support: a fake interpreter for driving the protocol core without evcxr.
//!
//! Also reachable from the binary through the hidden `--fake-interpreter` flag, so the ZeroMQ
//! integration tests can exercise the real transport in seconds, without compiling any Rust.

pub mod fake;
pub use fake::FakeInterpreter;
