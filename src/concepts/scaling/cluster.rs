//! The scaling experiment's cluster, as engine nodes: `N` workers and one global lock.
//!
//! Node 0 is the lock (a leader, a hot row: whatever serialises part of every job); nodes `1..=N`
//! are workers. A worker computes locally (a timer), asks the lock for the critical section (a
//! message), and waits. The lock serves one critical section at a time, first come first served
//! (a timer per section), and answers each commit with the coordination work owed so far across
//! the cluster: every commit is an all-to-all exchange that costs every node `N − 1` messages of
//! `coordination` CPU each, and a worker pays what it owes before its next job. Keeping that debt
//! as one running total, rather than sending `N(N − 1)` real messages per commit, gives the same
//! cost to every node at `O(1)` per job, which a sweep of thousands of runs needs. Messages travel
//! in zero time: the model's costs are CPU.

use super::ScalingConfig;
use crate::concepts::queueing::exponential_time;
use crate::engine::{Context, Node, NodeId, Simulation};
use crate::error::Result;
use crate::network::{Latency, Network};
use crate::rng::{stream, SimRng, Stream};
use crate::time::{Duration, Time};
use crate::trace::TraceMode;
use std::collections::VecDeque;

/// The lock's node id.
const LOCK: NodeId = 0;
/// What a timer is for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Due {
    /// A worker's local work is done.
    LocalWorkDone,
    /// The lock's critical section in progress is over.
    CriticalSectionDone,
}

/// What workers and the lock tell each other.
#[derive(Clone, Debug)]
pub(crate) enum Msg {
    /// A worker asks for the critical section.
    Acquire,
    /// The lock committed the worker's job; `owed` is the coordination work every node owes in
    /// total so far.
    Committed { owed: Duration },
}

/// A worker or the lock.
pub(crate) enum Member {
    Worker(Worker),
    Lock(Lock),
}

pub(crate) struct Worker {
    rng: SimRng,
    local: Duration,
    /// Coordination work this worker has paid so far.
    paid: Duration,
}

pub(crate) struct Lock {
    rng: SimRng,
    section: Duration,
    per_commit: Duration,
    owed: Duration,
    holder: Option<NodeId>,
    waiting: VecDeque<NodeId>,
    target: usize,
    committed: usize,
    finished_at: Option<Time>,
}

impl Worker {
    fn start_job(&mut self, ctx: &mut Context<Msg, Due>, debt: Duration) {
        let work = exponential_time(&mut self.rng, self.local);
        ctx.set_timer(debt + work, Due::LocalWorkDone);
    }
}

impl Lock {
    fn enter(&mut self, ctx: &mut Context<Msg, Due>, worker: NodeId) {
        self.holder = Some(worker);
        let section = exponential_time(&mut self.rng, self.section);
        ctx.set_timer(section, Due::CriticalSectionDone);
    }
}

impl Node for Member {
    type Msg = Msg;
    type Timer = Due;

    fn on_start(&mut self, ctx: &mut Context<Msg, Due>) {
        if let Member::Worker(w) = self {
            w.start_job(ctx, Duration::ZERO);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg, Due>, from: NodeId, msg: Msg) {
        match (self, msg) {
            (Member::Lock(lock), Msg::Acquire) => {
                if lock.finished_at.is_some() {
                    return; // the run has its jobs; late requests are not served
                }
                if lock.holder.is_none() {
                    lock.enter(ctx, from);
                } else {
                    lock.waiting.push_back(from);
                }
            }
            (Member::Worker(w), Msg::Committed { owed }) => {
                let debt = Duration::from_nanos(owed.as_nanos() - w.paid.as_nanos());
                w.paid = owed;
                w.start_job(ctx, debt);
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg, Due>, due: Due) {
        match (self, due) {
            (Member::Worker(_), Due::LocalWorkDone) => ctx.send(LOCK, Msg::Acquire),
            (Member::Lock(lock), Due::CriticalSectionDone) => {
                let worker = lock.holder.take().expect("a section in progress has a holder");
                lock.committed += 1;
                if lock.committed >= lock.target {
                    lock.finished_at = Some(ctx.now());
                    return;
                }
                lock.owed = lock.owed + lock.per_commit;
                ctx.send(worker, Msg::Committed { owed: lock.owed });
                if let Some(next) = lock.waiting.pop_front() {
                    lock.enter(ctx, next);
                }
            }
            _ => {}
        }
    }
}

/// Scales a span by `1 / speed`, rounded to the nanosecond.
fn faster(d: Duration, speed: f64) -> Duration {
    Duration::from_nanos((d.as_nanos() as f64 / speed).round() as u64)
}

/// Runs the cluster of `cfg` until `cfg.jobs` jobs committed; returns the number committed and
/// the time of the last commit. Worker `i` draws its work from stream `scaling/work` `i`, the lock
/// its critical sections from `scaling/critical_section`.
pub(crate) fn simulate(cfg: &ScalingConfig, seed: u64) -> Result<(usize, Time)> {
    let (nodes, speed) = (cfg.nodes, cfg.speed);
    let job = faster(cfg.job, speed);
    let section = Duration::from_nanos((job.as_nanos() as f64 * cfg.serial_fraction).round() as u64);
    let local = Duration::from_nanos(job.as_nanos() - section.as_nanos().min(job.as_nanos()));
    let per_commit =
        Duration::from_nanos((faster(cfg.coordination, speed).as_nanos() as f64 * (nodes - 1) as f64) as u64);
    let mut members = vec![Member::Lock(Lock {
        rng: stream(seed, Stream::named("scaling/critical_section", 0)),
        section,
        per_commit,
        owed: Duration::ZERO,
        holder: None,
        waiting: VecDeque::with_capacity(nodes),
        target: cfg.jobs,
        committed: 0,
        finished_at: None,
    })];
    members.extend((0..nodes).map(|i| {
        Member::Worker(Worker {
            rng: stream(seed, Stream::named("scaling/work", i as u64)),
            local,
            paid: Duration::ZERO,
        })
    }));
    let instant = Network::new().latency(Latency::Constant(Duration::ZERO));
    let mut sim = Simulation::new(seed, members)?.with_network(instant)?.with_trace_mode(TraceMode::DigestOnly);
    sim.run_until_quiet()?;
    let Member::Lock(lock) = sim.node(LOCK) else { unreachable!("node 0 is the lock") };
    Ok((lock.committed, lock.finished_at.unwrap_or(sim.now())))
}
