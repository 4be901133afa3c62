//! The request-level simulation behind [`super::ArchitectureConfig::run`], on the engine.
//!
//! Each request visits up to three *stations* in a fixed order: a front-end, a cache, the database.
//! A station is a node: a pool of identical servers with one first-come-first-served queue and
//! exponential service times. The users are two nodes (nearby and distant users), so that every
//! link has one fixed one-way latency: half the round trip it models.
//!
//! Which reads hit the cache is decided by the workload in arrival order (an LRU per data center
//! that every write invalidates at once), before the run; the stations model only time.
//!
//! Node ids: 0 nearby users, 1 distant users, 2 the database, then per data center `d` its
//! front-end pool `3 + 2d` and its cache pool `4 + 2d`.

use super::cache::{KeyPicker, LruCache};
use super::{Architecture, ArchitectureConfig};
use crate::concepts::queueing::{exponential, exponential_time};
use crate::engine::{Context, Node, NodeId, Simulation};
use crate::error::Result;
use crate::network::{Latency, LinkConfig, Network};
use crate::rng::{stream, SimRng, Stream};
use crate::time::{Duration, Time};
use crate::trace::TraceMode;
use rand::Rng;
use std::collections::VecDeque;

/// What happened to one request.
#[derive(Clone, Debug, Default)]
pub(crate) struct Request {
    pub arrival: Time,
    pub dc: usize,
    pub remote: bool,
    pub write: bool,
    pub hit: bool,
    pub done: Time,
}

/// A request as it travels between nodes.
#[derive(Clone, Copy, Debug)]
struct Job {
    id: u32,
    dc: u32,
    remote: bool,
    write: bool,
    hit: bool,
}

#[derive(Clone, Debug)]
enum Msg {
    /// Serve this job (to a station).
    Request(Job),
    /// A cache or the database has served the job (back to its front-end).
    Served(Job),
    /// The answer reaches its user.
    Response(Job),
}

const NEARBY_USERS: NodeId = 0;
const DISTANT_USERS: NodeId = 1;
const DATABASE: NodeId = 2;
fn front_end(dc: usize) -> NodeId {
    3 + 2 * dc
}
fn cache(dc: usize) -> NodeId {
    4 + 2 * dc
}
fn users_of(job: &Job) -> NodeId {
    if job.remote {
        DISTANT_USERS
    } else {
        NEARBY_USERS
    }
}

/// What a timer is for.
#[derive(Clone, Debug)]
enum Due {
    /// Users: the next request is due.
    NextRequest,
    /// A station: one server finished `job`, which came from node `from`.
    ServiceDone { from: NodeId, job: Job },
}

struct Users {
    /// This node's requests in arrival order.
    schedule: VecDeque<(Time, Job)>,
    /// Completion time per request id (only this node's requests are set).
    done: Vec<Time>,
}

/// Where a front-end sends a job next; caches and the database send it back.
#[derive(Clone, Copy)]
enum Role {
    /// `database: None` is the single server, which does the database work itself.
    FrontEnd {
        cache: Option<NodeId>,
        database: Option<NodeId>,
    },
    Backend,
}

struct Station {
    role: Role,
    idle: usize,
    mean: Duration,
    rng: SimRng,
    waiting: VecDeque<(NodeId, Job)>,
}

enum TierNode {
    Users(Users),
    Station(Station),
}

impl Users {
    fn schedule_next(&self, ctx: &mut Context<Msg, Due>) {
        if let Some(&(at, _)) = self.schedule.front() {
            ctx.set_timer(at - ctx.now(), Due::NextRequest);
        }
    }
}

impl Station {
    fn admit(&mut self, ctx: &mut Context<Msg, Due>, from: NodeId, job: Job) {
        if self.idle == 0 {
            self.waiting.push_back((from, job));
            return;
        }
        self.idle -= 1;
        ctx.set_timer(exponential_time(&mut self.rng, self.mean), Due::ServiceDone { from, job });
    }

    /// A front-end's next step for `job`: the cache for a read that may hit, then the database
    /// for writes and misses, then the user.
    fn route(&self, ctx: &mut Context<Msg, Due>, job: Job, after_cache: bool, after_database: bool) {
        let Role::FrontEnd { cache, database } = self.role else { return };
        match (cache, database) {
            (Some(c), _) if !job.write && !after_cache && !after_database => ctx.send(c, Msg::Request(job)),
            (_, Some(db)) if !job.hit && !after_database => ctx.send(db, Msg::Request(job)),
            _ => ctx.send(users_of(&job), Msg::Response(job)),
        }
    }

    fn finish(&mut self, ctx: &mut Context<Msg, Due>, from: NodeId, job: Job) {
        match self.role {
            Role::FrontEnd { .. } => self.route(ctx, job, false, false),
            Role::Backend => ctx.send(from, Msg::Served(job)),
        }
        self.idle += 1;
        if let Some((from, next)) = self.waiting.pop_front() {
            self.admit(ctx, from, next);
        }
    }
}

impl Node for TierNode {
    type Msg = Msg;
    type Timer = Due;

    fn on_start(&mut self, ctx: &mut Context<Msg, Due>) {
        if let TierNode::Users(u) = self {
            u.schedule_next(ctx);
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg, Due>, due: Due) {
        match (self, due) {
            (TierNode::Users(u), Due::NextRequest) => {
                let (_, job) = u.schedule.pop_front().expect("a timer per scheduled request");
                ctx.send(front_end(job.dc as usize), Msg::Request(job));
                u.schedule_next(ctx);
            }
            (TierNode::Station(s), Due::ServiceDone { from, job }) => s.finish(ctx, from, job),
            _ => {}
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg, Due>, from: NodeId, msg: Msg) {
        match (self, msg) {
            (TierNode::Users(u), Msg::Response(job)) => u.done[job.id as usize] = ctx.now(),
            (TierNode::Station(s), Msg::Request(job)) => s.admit(ctx, from, job),
            (TierNode::Station(s), Msg::Served(job)) => s.route(ctx, job, true, from == DATABASE),
            _ => {}
        }
    }
}

fn half(rtt: Duration) -> LinkConfig {
    LinkConfig::new().latency(Latency::Constant(Duration::from_nanos(rtt.as_nanos() / 2)))
}

/// The requests of `arch`, in arrival order, with their cache hits (stream `tiers/workload`).
fn workload(cfg: &ArchitectureConfig, dcs: usize, has_cache: bool, seed: u64) -> Result<Vec<Request>> {
    let mut load = stream(seed, Stream::named("tiers/workload", 0));
    let picker = KeyPicker::new(cfg.keys, cfg.zipf_exponent)?;
    let mut caches: Vec<LruCache> = (0..dcs).map(|_| LruCache::new(cfg.cache_size, cfg.keys)).collect();
    let mut t = 0.0;
    Ok((0..cfg.requests)
        .map(|_| {
            t += exponential(&mut load, cfg.arrival_rate);
            let remote = load.random::<f64>() < cfg.remote_user_fraction;
            let write = load.random::<f64>() < cfg.write_fraction;
            let key = picker.pick(&mut load);
            // Remote users are served by one of the other data centers, when there are others.
            let dc = if remote && dcs > 1 { 1 + load.random_range(0..dcs - 1) } else { 0 };
            let hit = has_cache && !write && caches[dc].access(key);
            if write {
                caches.iter_mut().for_each(|c| c.remove(key));
            }
            Request { arrival: Time::from_nanos((t * 1e9).round() as u64), dc, remote, write, hit, done: Time::ZERO }
        })
        .collect())
}

/// Simulates `arch`; returns the requests with their completion times. Front-end pool `d` draws
/// its service times from stream `tiers/frontend` `d`, cache pool `d` from `tiers/cache` `d`, the
/// database from `tiers/database`.
pub(crate) fn simulate(cfg: &ArchitectureConfig, arch: Architecture, seed: u64) -> Result<Vec<Request>> {
    let dcs = if arch == Architecture::MultiDataCenter { cfg.data_centers } else { 1 };
    let has_cache = matches!(arch, Architecture::ThreeTier | Architecture::MultiDataCenter);
    let single = arch == Architecture::SingleServer;
    let mut reqs = workload(cfg, dcs, has_cache, seed)?;
    let (fe_servers, fe_mean) = match arch {
        Architecture::SingleServer => (1, cfg.web + cfg.db),
        Architecture::WebAndDatabase => (1, cfg.web),
        _ => (cfg.front_ends, cfg.web),
    };
    let users = |remote: bool| {
        let schedule = reqs
            .iter()
            .enumerate()
            .filter(|(_, r)| r.remote == remote)
            .map(|(i, r)| (r.arrival, Job { id: i as u32, dc: r.dc as u32, remote, write: r.write, hit: r.hit }))
            .collect();
        TierNode::Users(Users { schedule, done: vec![Time::ZERO; reqs.len()] })
    };
    let station = |role, servers: usize, mean, rng| {
        TierNode::Station(Station { role, idle: servers, mean, rng, waiting: VecDeque::new() })
    };
    let mut nodes = vec![
        users(false),
        users(true),
        station(Role::Backend, 1, cfg.db, stream(seed, Stream::named("tiers/database", 0))),
    ];
    for dc in 0..dcs {
        let role = Role::FrontEnd { cache: has_cache.then_some(cache(dc)), database: (!single).then_some(DATABASE) };
        let fe_rng = stream(seed, Stream::named("tiers/frontend", dc as u64));
        nodes.push(station(role, fe_servers, fe_mean, fe_rng));
        let cache_rng = stream(seed, Stream::named("tiers/cache", dc as u64));
        nodes.push(station(Role::Backend, cfg.cache_servers, cfg.cache_lookup, cache_rng));
    }
    // One fixed latency per link: half of the round trip it stands for.
    let mut net = Network::new().latency(Latency::Constant(Duration::ZERO));
    net = net.link_both(NEARBY_USERS, front_end(0), half(cfg.user_rtt));
    for dc in 0..dcs {
        // Distant users cross the ocean to data center 0, and reach any other one nearby.
        net = net.link_both(DISTANT_USERS, front_end(dc), half(if dc == 0 { cfg.cross_dc_rtt } else { cfg.user_rtt }));
        net = net.link_both(front_end(dc), cache(dc), half(cfg.intra_dc_rtt));
        net = net.link_both(front_end(dc), DATABASE, half(if dc == 0 { cfg.intra_dc_rtt } else { cfg.cross_dc_rtt }));
    }
    let mut sim = Simulation::new(seed, nodes)?.with_network(net)?.with_trace_mode(TraceMode::DigestOnly);
    sim.run_until_quiet()?;
    for users in [NEARBY_USERS, DISTANT_USERS] {
        let TierNode::Users(u) = sim.node(users) else { unreachable!("nodes 0 and 1 are users") };
        for (r, &done) in reqs.iter_mut().zip(&u.done) {
            if r.remote == (users == DISTANT_USERS) {
                r.done = done;
            }
        }
    }
    Ok(reqs)
}
