//! Fallacy 6, "there is one administrator": two teams configure two halves of one system.
//!
//! The client team sets a 100 ms timeout with two retries; the server team, independently, makes
//! each request do 150 ms of work (a new audit step, a slower disk). Each setting is reasonable
//! alone. Together, every answer arrives after the client has given up on it, the client retries,
//! and the server does three times the work for requests that all fail.
//!
//! Measures, after the server team's change: `succeeded`, `attempts` (requests the client sent,
//! retries included) and `served` (requests the server worked on); and `succeeded_before`.

use super::{measure, Fallacy, FallacyReport};
use crate::engine::{Context, Node, NodeId, Simulation};
use crate::error::Result;
use crate::experiment::{Experiment, Parameters, Range};
use crate::render::{Plot, Table};
use crate::time::{micros, millis, Duration};
use crate::trace::TraceMode;

/// The two teams' settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Client team: time to wait for an answer.
    pub client_timeout: Duration,
    /// Client team: retries after a timeout, in `[0, 10]`.
    pub client_retries: u32,
    /// Server team: work per request.
    pub server_work: Duration,
    /// What the server did before the server team's change.
    pub server_work_before: Duration,
    /// Requests, in `[1, 10_000]`.
    pub requests: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            client_timeout: millis(100),
            client_retries: 2,
            server_work: millis(150),
            server_work_before: millis(50),
            requests: 100,
        }
    }
}

crate::parameters!(Config {
    client_timeout: Range::time(micros(1), Duration::from_hours(1)) => "client team: time to wait for an answer",
    client_retries: Range::count(0, 10) => "client team: retries after a timeout",
    server_work: Range::time(Duration::ZERO, Duration::from_hours(1)) => "server team: work per request",
    server_work_before: Range::time(Duration::ZERO, Duration::from_hours(1)) => "server work before the server team's change",
    requests: Range::count(1, 10_000) => "requests the client makes",
});

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

impl Experiment for Config {
    type Output = FallacyReport;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    /// Runs the client against the server before and after the server team's change.
    fn run(&self, seed: u64) -> Result<FallacyReport> {
        self.validate()?;
        let timeout = self.client_timeout;
        let mut table = Table::new([
            "server work (ms)",
            "client timeout (ms)",
            "requests",
            "succeeded",
            "attempts sent",
            "requests the server worked on",
        ]);
        let mut bars = Vec::new();
        let (mut after, mut succeeded_before) = ((0, 0, 0), 0);
        for (label, work) in [("before", self.server_work_before), ("after", self.server_work)] {
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
                work.as_millis_f64().into(),
                timeout.as_millis_f64().into(),
                self.requests.into(),
                c.succeeded.into(),
                c.attempts.into(),
                s.served.into(),
            ])?;
            bars.push((format!("{label}: succeeded"), c.succeeded as f64));
            bars.push((format!("{label}: server work"), s.served as f64));
            if label == "before" {
                succeeded_before = c.succeeded;
            }
            after = (c.succeeded, s.served, c.attempts);
        }
        let plot = Plot::new("One system, two administrators").y_label("requests").bar("count", bars);
        let what_broke = format!(
            "a {} ms client timeout met {} ms of server work: {} of {} requests succeeded while the server did {} requests' work",
            timeout.as_millis_f64(),
            self.server_work.as_millis_f64(),
            after.0,
            self.requests,
            after.1
        );
        let measures = vec![
            measure("succeeded", after.0 as f64),
            measure("attempts", after.2 as f64),
            measure("served", after.1 as f64),
            measure("succeeded_before", succeeded_before as f64),
        ];
        Ok(FallacyReport { fallacy: Fallacy::OneAdministrator, what_broke, table, plot, measures })
    }
}
