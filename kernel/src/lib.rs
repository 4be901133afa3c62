//! distsim-kernel: a Jupyter kernel for Rust cells with the distsim course library preloaded.
//!
//! Three layers, as in xeus (see `HOW_IT_WORKS.md`):
//! - [`transport`]: ZeroMQ sockets, connection file, multipart framing, HMAC signing;
//! - [`protocol`]: typed messages, the handler tables, busy/idle, counting, history;
//! - [`interpreter`]: the language back end behind the `Interpreter` trait (evcxr).
//!
//! The binary (`main.rs`) is a thin command line over [`cli`].

pub mod cli;
pub mod comm;
pub mod display;
pub mod interpreter;
pub mod kernelspec;
pub mod log;
pub mod protocol;
pub mod startup;
#[doc(hidden)]
pub mod testing;
pub mod transport;
pub mod widgets;
