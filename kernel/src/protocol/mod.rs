//! The protocol core: typed messages, a handler table per channel, busy/idle, execution
//! counting, history, stop-on-error and the output sink handed to the interpreter.
//!
//! It sees sockets only through [`crate::transport::RouterSocket`] / [`crate::transport::PubSocket`]
//! and code only through [`crate::interpreter::Interpreter`], so tests drive it with in-memory
//! sockets and a fake interpreter. See `kernel/HOW_IT_WORKS.md` for the whole picture.

pub mod content;
mod control;
pub mod dispatch;
mod execute;
pub mod history;
pub mod iopub;
pub mod kernel;
pub mod message;
mod requests;
mod shared;
mod shell;
pub(crate) mod sink;
mod widget_calls;

pub use kernel::{spawn, spawn_with_comm_targets, KernelConfig, KernelHandle, KernelSockets, RestartMode};
pub use message::{Content, Header, KernelIdentity, Message, PROTOCOL_VERSION};
