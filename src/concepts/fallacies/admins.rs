//! Fallacy 6, "there is one administrator": two teams configure two halves of one system.
//!
//! The client team sets a 100 ms timeout with two retries; the server team, independently, makes
//! each request do 150 ms of work (a new audit step, a slower disk). Each setting is reasonable
//! alone. Together, every answer arrives after the client has given up on it, the client retries,
//! and the server does three times the work for requests that all fail.

use super::{Experiment, Fallacy};
use crate::engine::{Context, Node, NodeId, Simulation};
use crate::error::Result;
use crate::render::{Plot, Table};
use crate::time::Duration;
use crate::trace::TraceMode;
use crate::validate;

/// The two teams' settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Client team: time to wait for an answer, in ms (> 0).
    pub client_timeout_ms: f64,
    /// Client team: retries after a timeout, in `[0, 10]`.
    pub client_retries: u32,
    /// Server team: work per request, in ms (>= 0).
    pub server_work_ms: f64,
    /// What the server did before the server team's change, in ms (>= 0).
    pub server_work_before_ms: f64,
    /// Requests, in `[1, 10_000]`.
    pub requests: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            client_timeout_ms: 100.0,
            client_retries: 2,
            server_work_ms: 150.0,
            server_work_before_ms: 50.0,
            requests: 100,
        }
    }
}

/// Request and reply, tagged with the attempt they belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// Do request `id` (attempt `attempt`).
    Request {
        /// Request id.
        id: u64,
        /// Attempt number, from 0.
        attempt: u32,
    },
    /// The answer to that attempt.
    Reply {
        /// Request id.
        id: u64,
        /// Attempt number.
        attempt: u32,
    },
}

/// The two kinds of timer: the client's wait for an answer and the server's work on a request.
#[derive(Debug, Clone)]
enum Timer {
    /// Client: the answer to attempt `attempt` of request `id` is overdue.
    Timeout { id: u64, attempt: u32 },
    /// Server: the work is done; send `reply` to `to`.
    WorkDone { to: NodeId, reply: Msg },
}

struct Peer {
    timeout: Duration,
    retries: u32,
    work: Duration,
    requests: u64,
    current: (u64, u32),
    succeeded: u64,
    attempts: u64,
    served: u64,
}

impl Peer {
    fn attempt(&mut self, ctx: &mut Context<Msg, Timer>) {
        let (id, attempt) = self.current;
        self.attempts += 1;
        ctx.send(1, Msg::Request { id, attempt });
        ctx.set_timer(self.timeout, Timer::Timeout { id, attempt });
    }
    fn next(&mut self, ctx: &mut Context<Msg, Timer>) {
        self.current = (self.current.0 + 1, 0);
        if self.current.0 < self.requests {
            self.attempt(ctx);
        }
    }
}

impl Node for Peer {
    type Msg = Msg;
    type Timer = Timer;
    fn on_start(&mut self, ctx: &mut Context<Msg, Timer>) {
        if ctx.id() == 0 {
            self.current = (0, 0);
            self.attempt(ctx);
        }
    }
    fn on_message(&mut self, ctx: &mut Context<Msg, Timer>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Request { id, attempt } => {
                // Server: reply once the work is done.
                ctx.set_timer(self.work, Timer::WorkDone { to: from, reply: Msg::Reply { id, attempt } });
            }
            Msg::Reply { id, attempt } if (id, attempt) == self.current => {
                self.succeeded += 1;
                self.current.1 = u32::MAX; // answered: the pending timeout finds nothing to do
                self.next(ctx);
            }
            Msg::Reply { .. } => {} // too late: the client gave up on that attempt
        }
    }
    fn on_timer(&mut self, ctx: &mut Context<Msg, Timer>, timer: Timer) {
        match timer {
            Timer::WorkDone { to, reply } => {
                self.served += 1;
                ctx.send(to, reply);
            }
            Timer::Timeout { id, attempt } if (id, attempt) == self.current => {
                if self.current.1 < self.retries {
                    self.current.1 += 1;
                    self.attempt(ctx);
                } else {
                    self.next(ctx);
                }
            }
            Timer::Timeout { .. } => {} // answered already: nothing to do
        }
    }
}

impl Config {
    /// Checks every parameter.
    pub fn validate(&self) -> Result<()> {
        validate::in_range("client_timeout_ms", self.client_timeout_ms, 1e-3, 3.6e6)?;
        validate::count_in("client_retries", self.client_retries as usize, 0, 10)?;
        validate::in_range("server_work_ms", self.server_work_ms, 0.0, 3.6e6)?;
        validate::in_range("server_work_before_ms", self.server_work_before_ms, 0.0, 3.6e6)?;
        validate::count_in("requests", self.requests as usize, 1, 10_000)?;
        Ok(())
    }

    /// Runs the client against the server before and after the server team's change.
    pub fn run(&self, seed: u64) -> Result<Experiment> {
        self.validate()?;
        let timeout = Duration::from_millis_f64("client_timeout_ms", self.client_timeout_ms)?;
        let mut table = Table::new([
            "server work (ms)",
            "client timeout (ms)",
            "requests",
            "succeeded",
            "attempts sent",
            "requests the server worked on",
        ]);
        let mut bars = Vec::new();
        let mut after = (0, 0);
        for (label, work_ms) in [("before", self.server_work_before_ms), ("after", self.server_work_ms)] {
            let work = Duration::from_millis_f64("server_work_ms", work_ms)?;
            let peer = || Peer {
                timeout,
                retries: self.client_retries,
                work,
                requests: self.requests,
                current: (0, 0),
                succeeded: 0,
                attempts: 0,
                served: 0,
            };
            let mut sim = Simulation::new(seed, vec![peer(), peer()])?.with_trace_mode(TraceMode::DigestOnly);
            sim.run_until_quiet()?;
            let (c, s) = (sim.node(0), sim.node(1));
            table.row(vec![
                work_ms.into(),
                self.client_timeout_ms.into(),
                self.requests.into(),
                c.succeeded.into(),
                c.attempts.into(),
                s.served.into(),
            ])?;
            bars.push((format!("{label}: succeeded"), c.succeeded as f64));
            bars.push((format!("{label}: server work"), s.served as f64));
            after = (c.succeeded, s.served);
        }
        let plot = Plot::new("One system, two administrators").y_label("requests").bar("count", bars);
        let what_broke = format!(
            "a {} ms client timeout met {} ms of server work: {} of {} requests succeeded while the server did {} requests' work",
            self.client_timeout_ms, self.server_work_ms, after.0, self.requests, after.1
        );
        Ok(Experiment { fallacy: Fallacy::OneAdministrator, what_broke, table, plot })
    }
}
