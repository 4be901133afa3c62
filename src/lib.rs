//! # distsim: a deterministic simulator for learning distributed systems
//!
//! distsim runs small distributed systems inside one process, on a virtual clock, so that the
//! things that make real systems hard (lost messages, slow links, crashed machines, skewed clocks,
//! partitions) can be switched on one at a time and measured. It is the library behind the distsim
//! course notebooks, and every public type is `'static` and nameable so that values survive from one
//! notebook cell to the next.
//!
//! ## A tour in seven stops
//!
//! 1. **Nodes and the engine** ([`engine`]). You write a type that implements [`engine::Node`]:
//!    it reacts to start, messages and timers, and acts only through its [`engine::Context`]
//!    (send, broadcast, timers that carry a value of the node's own type, its own random stream,
//!    a log). A [`engine::Simulation`] owns the
//!    nodes and an event queue ordered by `(time, seq)`: equal times run first in, first out.
//! 2. **Time and seeds** ([`time`], [`rng`]). Time is an integer count of nanoseconds
//!    ([`time::Time`], [`time::Duration`]), never the wall clock. Every run takes a `u64` seed, and
//!    each node and subsystem draws from its own ChaCha stream of it ([`rng::stream`]), so the same
//!    seed gives the same run, byte for byte, on every machine.
//! 3. **What can go wrong** ([`network`], [`faults`], [`clock`]). A [`network::Network`] samples
//!    latency from a distribution, loses, duplicates and reorders messages, queues them behind a
//!    bandwidth limit, and can be partitioned or tampered with. Faults crash, recover, pause and
//!    slow nodes, on a schedule or through failure domains (a rack takes its machines with it).
//!    Each node can carry a drifting physical clock, and [`clock::LamportClock`] and
//!    [`clock::VectorClock`] give logical time.
//! 4. **What happened** ([`trace`], [`metrics`]). Every send, delivery, drop, timer, crash and
//!    recovery is traced, with a digest for comparing runs, and draws as a space-time diagram
//!    ([`trace::spacetime::SpaceTime`]). Counters and hdrhistogram latency quantiles live in
//!    [`metrics::Metrics`].
//! 5. **Many runs** ([`sweep`], [`stats`]). A [`sweep::Sweep`] runs a model over a grid of
//!    parameters times many seeds in parallel (the answer does not depend on the thread count)
//!    and reports each point's mean with a 95% confidence interval ([`stats::Estimate`]).
//! 6. **One contract for experiments** ([`experiment`]). Every concept configuration implements
//!    [`experiment::Experiment`]: it validates itself, runs with a seed, and exposes its knobs
//!    **by name** with their valid ranges, so one generic [`experiment::Experiment::sweep`] (and
//!    a slider) varies any knob of any concept: `generals::Config::default().sweep("capture",
//!    &[0.0, 0.1, 0.3], 0..20)`. Every value runs with the same seeds, and every random effect has
//!    its own named stream, so the difference between two values is the knob's effect.
//! 7. **Seeing it** ([`render`], [`concepts`]). [`render::Table`] and [`render::Plot`] (SVG, via
//!    plotters) render inline in Jupyter through the evcxr display convention; the concept models
//!    (Two Generals, nines, a data-center year, tiers and caches, scaling, CAP, queueing, clocks,
//!    correctness) each run in one line and put theory beside simulation.
//!    [`concepts::replication`] (primary-backup, split brain, fencing) and
//!    [`concepts::consensus`] (a small Raft, checked by [`check::Checker`]) show whole protocols
//!    as node code on the engine.
//!
//! Beyond the seven stops, [`check`] explores *every* execution of a small system of the same
//! nodes, and [`check::consistency`] judges a recorded client history on the consistency ladder
//! (linearizable, sequential, causal, read-your-writes, eventual), naming the operations of a
//! violation and ringing them on the space-time diagram (notebook 18, with the quorum store of
//! [`concepts::ladder`]).
//!
//! Mistakes come back as an [`Error`] that names the parameter and its valid range; nothing is
//! clamped behind your back. A long run can be interrupted from the notebook without losing your
//! variables ([`cancel`]).
//!
//! ## Ping-pong, start to finish
//!
//! Two nodes bounce a ball over a network that loses nothing and takes 1 ms per hop. The trace
//! records each step, and a second run with the same seed has the same trace digest.
//!
//! ```
//! use distsim::prelude::*;
//!
//! #[derive(Clone, Debug)]
//! struct Ball(u32);
//!
//! /// Returns the ball until it has crossed the net `volleys` times.
//! struct Player { volleys: u32 }
//!
//! impl Node for Player {
//!     type Msg = Ball;
//!     type Timer = (); // no timers (see `engine` for a node with two kinds)
//!     fn on_start(&mut self, ctx: &mut Context<Ball>) {
//!         if ctx.id() == 0 {
//!             ctx.send(1, Ball(1)); // node 0 serves
//!         }
//!     }
//!     fn on_message(&mut self, ctx: &mut Context<Ball>, from: NodeId, Ball(n): Ball) {
//!         if n < self.volleys {
//!             ctx.send(from, Ball(n + 1));
//!         }
//!     }
//! }
//!
//! let play = |seed| -> Result<Simulation<Player>> {
//!     let mut sim = Simulation::new(seed, vec![Player { volleys: 3 }, Player { volleys: 3 }])?;
//!     sim.run_until_quiet()?;
//!     Ok(sim)
//! };
//! let sim = play(7)?;
//! assert_eq!(sim.now(), Time::ZERO + millis(3)); // three hops of 1 ms
//!
//! let steps: Vec<String> = sim.trace().events.iter().map(|e| sim.trace().describe(&e.kind)).collect();
//! assert_eq!(steps, [
//!     "n0 -> n1 send #0 Ball(1)", "n0 -> n1 deliver #0",
//!     "n1 -> n0 send #1 Ball(2)", "n1 -> n0 deliver #1",
//!     "n0 -> n1 send #2 Ball(3)", "n0 -> n1 deliver #2",
//! ]);
//! assert_eq!(play(7)?.trace().digest, sim.trace().digest); // same seed, same run
//! # Ok::<(), distsim::Error>(())
//! ```
//!
//! In a notebook the same code runs cell by cell, and `sim.trace()` or a
//! [`trace::spacetime::SpaceTime`] of it renders as a diagram.

pub mod cancel;
pub mod check;
pub mod clock;
pub mod concepts;
pub mod engine;
pub mod error;
pub mod experiment;
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
pub mod widgets;

pub use error::{Error, Result};
