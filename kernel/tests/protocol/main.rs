//! Protocol-core tests: signing, framing, typed contents, and the handler tables driven through
//! in-memory sockets with the scripted fake interpreter (no ZeroMQ, no evcxr).
//!
//! Run: `cargo test --release --locked -p distsim-kernel --test protocol`

mod comms;
mod handlers;
mod handlers_faults;
mod hmac_vectors;
mod kernelspec;
mod serde_roundtrip;
mod startup;
mod support;
mod widget_cells;
mod widget_layouts;
mod widgets;
mod wire;
