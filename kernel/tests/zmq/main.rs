//! Integration tests that drive the real `distsim-kernel` binary over ZeroMQ.
//!
//! The client here frames and signs messages with its own code (serde_json + hmac), not the
//! kernel's, so a mistake in the kernel's framing cannot cancel out.
//!
//! - `fake_kernel`: the binary with the hidden `--fake-interpreter` flag: the real transport and
//!   protocol core, a scripted interpreter; takes seconds.
//! - `evcxr_kernel`: the binary as Jupyter runs it, with evcxr and distsim. The first run builds
//!   the shared distsim cache (minutes); later runs reuse it.
//!
//! Run: `cargo build --release --locked -p distsim-kernel && cargo test --release --locked -p distsim-kernel --test zmq`

mod client;
mod evcxr_kernel;
mod fake_kernel;
