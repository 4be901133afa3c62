//! The discrete-event engine: nodes, messages, timers and virtual time.
//!
//! A simulation is a set of [`Node`]s and a queue of future events (a message arriving, a timer
//! firing, a fault striking). The engine repeatedly takes the earliest event, advances virtual time
//! to it, and runs the handler of the node it concerns. Handlers act only through their
//! [`Context`]: sending, setting timers, logging.
//!
//! **Timers** carry a value of a type the node chooses (`Node::Timer`, usually an enum: election
//! timeout, heartbeat, retry of request 7), handed back to [`Node::on_timer`] to be matched like a
//! message; the trace labels each firing with its debug text. [`Context::set_timer`] returns a
//! [`TimerId`] for [`Context::cancel_timer`]; a node that keeps the id of its one election timer
//! re-arms it with [`Context::reset_timer`], and [`Context::random_duration`] draws a randomised
//! timeout from the node's own stream. A crash discards the node's pending timers. Nothing reads the wall clock and every random
//! choice comes from a stream derived from the run's seed, so a run is a pure function of its seed
//! and configuration.
//!
//! **Tie-break.** Events are ordered by `(time, seq)`, where `seq` counts scheduling operations
//! across the whole run. Two events due at the same instant therefore run in the order they were
//! scheduled (first in, first out). The nodes' `on_start` handlers run at time zero in id order.
//!
//! **Cost.** The queue is a timing wheel for the next few milliseconds in front of a radix heap for
//! later events (see `queue/`: both exploit that events are only ever scheduled into the future), a
//! small message without a destructor travels inside its queue entry and any other waits in a slab
//! (`messages.rs`), never boxed one by one, and the trace keeps only a running digest unless
//! [`TraceMode::Full`](crate::trace::TraceMode::Full) asks for every event (and only then formats
//! message labels).
//!
//! **Compiled once.** The run loop, the queue, the network's routing and the bookkeeping around each
//! handler do not depend on the node type (`core.rs`, `run.rs`); they reach the nodes through one
//! trait object (`handlers.rs`). So a notebook cell that defines a node type compiles only its
//! handlers and a few thin shells, and runs the engine at distsim's full optimisation.
//!
//! Long runs look at the cancel file (see [`crate::cancel`]) every 4096 events and stop with
//! `Error::Interrupted`, leaving the simulation usable.
//!
//! # Example: ping-pong
//!
//! ```
//! use distsim::prelude::*;
//!
//! #[derive(Clone, Debug)]
//! enum Msg { Ping(u32), Pong(u32) }
//!
//! struct Player { rounds: u32, pongs: u32 }
//!
//! impl Node for Player {
//!     type Msg = Msg;
//!     type Timer = (); // this node sets no timers
//!     fn on_start(&mut self, ctx: &mut Context<Msg>) {
//!         if ctx.id() == 0 {
//!             ctx.send(1, Msg::Ping(1));
//!         }
//!     }
//!     fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
//!         match msg {
//!             Msg::Ping(k) => ctx.send(from, Msg::Pong(k)),
//!             Msg::Pong(k) => {
//!                 self.pongs += 1;
//!                 if k < self.rounds {
//!                     ctx.send(from, Msg::Ping(k + 1));
//!                 }
//!             }
//!         }
//!     }
//! }
//!
//! let players = vec![Player { rounds: 2, pongs: 0 }, Player { rounds: 2, pongs: 0 }];
//! let mut sim = Simulation::new(42, players)?;          // 1 ms per hop by default
//! let summary = sim.run_until_quiet()?;
//! assert_eq!(summary.now, Time::ZERO + millis(4));      // two round trips of 2 ms
//! assert_eq!(sim.node(0).pongs, 2);
//!
//! let lines: Vec<String> = sim.trace().events.iter().map(|e| sim.trace().describe(&e.kind)).collect();
//! assert_eq!(lines, [
//!     "n0 -> n1 send #0 Ping(1)", "n0 -> n1 deliver #0",
//!     "n1 -> n0 send #1 Pong(1)", "n1 -> n0 deliver #1",
//!     "n0 -> n1 send #2 Ping(2)", "n0 -> n1 deliver #2",
//!     "n1 -> n0 send #3 Pong(2)", "n1 -> n0 deliver #3",
//! ]);
//! assert_eq!(sim.metrics().counter("delivered"), 4);
//! # Ok::<(), distsim::Error>(())
//! ```
//!
//! # Example: two kinds of timer
//!
//! A follower expects a heartbeat every 50 ms and suspects the leader when none comes within a
//! randomised 150 to 300 ms; the leader (node 0) stops after three heartbeats.
//!
//! ```
//! use distsim::prelude::*;
//!
//! #[derive(Clone, Debug)]
//! enum Tick { Heartbeat, Election }
//!
//! #[derive(Default)]
//! struct Member { sent: u32, election: Option<TimerId>, suspected_at: Option<Time> }
//!
//! impl Node for Member {
//!     type Msg = ();
//!     type Timer = Tick;
//!     fn on_start(&mut self, ctx: &mut Context<(), Tick>) {
//!         if ctx.id() == 0 {
//!             ctx.set_timer(millis(50), Tick::Heartbeat);
//!         } else {
//!             ctx.reset_timer(&mut self.election, ctx.random_duration(millis(150)..millis(300)), Tick::Election);
//!         }
//!     }
//!     fn on_message(&mut self, ctx: &mut Context<(), Tick>, _from: NodeId, _msg: ()) {
//!         // The leader is alive: start the election timeout over.
//!         ctx.reset_timer(&mut self.election, ctx.random_duration(millis(150)..millis(300)), Tick::Election);
//!     }
//!     fn on_timer(&mut self, ctx: &mut Context<(), Tick>, timer: Tick) {
//!         match timer {
//!             Tick::Heartbeat if self.sent < 3 => {
//!                 self.sent += 1;
//!                 ctx.broadcast(());
//!                 ctx.set_timer(millis(50), Tick::Heartbeat);
//!             }
//!             Tick::Heartbeat => {} // the leader falls silent
//!             Tick::Election => self.suspected_at = Some(ctx.now()),
//!         }
//!     }
//! }
//!
//! let mut sim = Simulation::new(1, vec![Member::default(), Member::default()])?;
//! sim.run_until_quiet()?;
//! // The last heartbeat arrived at 151 ms; the follower suspects the leader 150-300 ms later.
//! let suspected = sim.node(1).suspected_at.expect("the election timer fired");
//! assert!(suspected >= Time::ZERO + millis(301) && suspected < Time::ZERO + millis(451));
//! assert!(sim.trace().to_text().contains("n1 timer 7 Election"));
//! # Ok::<(), distsim::Error>(())
//! ```

mod capture;
mod context;
mod core;
mod event;
mod handlers;
mod handling;
mod invariant;
mod limits;
mod messages;
mod node;
mod panics;
mod queue;
mod run;
mod sim;
mod timers;
mod typed;
mod watch;

pub(crate) use capture::{simulation_at, Harness};
pub use context::{Context, DEFAULT_MESSAGE_BYTES};
pub use handling::MAX_QUOTED_CHARS;
pub use invariant::InvariantOutcome;
pub use limits::{RunLimits, DEFAULT_MAX_EVENTS_AT_ONE_INSTANT, DEFAULT_MAX_PENDING_EVENTS};
pub use node::{Node, NodeId, TimerId};
pub use sim::{RunSummary, Simulation};
pub use typed::TamperRule;
pub use watch::{STUCK_DIR_ENV, WATCH_THREAD_NAME};
