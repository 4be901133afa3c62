//! The request-level simulation behind [`super::ArchitectureConfig::run`].
//!
//! Each request visits up to three *stations* in a fixed order: a front-end, a cache, the database.
//! A station is a pool of identical servers with one first-come-first-served queue and exponential
//! service times. Because every request visits stations in the same order, we can simulate stage by
//! stage: sort the requests by their arrival time at a station (ties by request number), then give
//! each the first server to come free. That is exact for FCFS and needs no event queue.

use super::cache::{KeyPicker, LruCache};
use super::{Architecture, ArchitectureConfig};
use crate::cancel::Checkpoint;
use crate::concepts::queueing::exponential;
use crate::error::Result;
use crate::rng::{stream, SimRng, Stream};
use rand::Rng;

/// What happened to one request.
#[derive(Clone, Debug, Default)]
pub(crate) struct Request {
    pub arrival: f64,
    pub dc: usize,
    pub remote: bool,
    pub write: bool,
    pub hit: bool,
    pub done: f64,
}

/// A station: its servers' next-free times and its own random stream.
struct Station {
    free_at: Vec<f64>,
    mean_s: f64,
    rng: SimRng,
}

impl Station {
    fn new(servers: usize, mean_ms: f64, rng: SimRng) -> Self {
        Station { free_at: vec![0.0; servers.max(1)], mean_s: mean_ms / 1e3, rng }
    }
    /// Serves `visits` (arrival time, request) in FCFS order; returns departure time per visit.
    fn serve(&mut self, mut visits: Vec<(f64, usize)>, out: &mut [f64], checkpoint: &mut Checkpoint) -> Result<()> {
        visits.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for (t, r) in visits {
            checkpoint.tick()?;
            let (k, &free) = self.free_at.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).expect("servers >= 1");
            let done = free.max(t) + exponential(&mut self.rng, 1.0 / self.mean_s);
            self.free_at[k] = done;
            out[r] = done;
        }
        Ok(())
    }
}

/// Simulates `arch`; returns the requests with their completion times (seconds).
pub(crate) fn simulate(cfg: &ArchitectureConfig, arch: Architecture, seed: u64) -> Result<Vec<Request>> {
    let mut load = stream(seed, Stream::Workload);
    let picker = KeyPicker::new(cfg.keys, cfg.zipf_exponent)?;
    let dcs = if arch == Architecture::MultiDataCenter { cfg.data_centers } else { 1 };
    let has_cache = matches!(arch, Architecture::ThreeTier | Architecture::MultiDataCenter);
    let mut caches: Vec<LruCache> = (0..dcs).map(|_| LruCache::new(cfg.cache_size, cfg.keys)).collect();
    let mut t = 0.0;
    let mut reqs: Vec<Request> = (0..cfg.requests)
        .map(|_| {
            t += exponential(&mut load, cfg.arrival_rate);
            let remote = load.random::<f64>() < cfg.remote_user_fraction;
            let write = load.random::<f64>() < cfg.write_fraction;
            let key = picker.pick(&mut load);
            // Remote users are served by one of the other data centers, when there are others.
            let dc = if remote && dcs > 1 { 1 + load.random_range(0..dcs - 1) } else { 0 };
            // Cache state follows arrival order; a write invalidates the key in every cache.
            let hit = has_cache && !write && caches[dc].access(key);
            if write {
                caches.iter_mut().for_each(|c| c.remove(key));
            }
            Request { arrival: t, dc, remote, write, hit, done: 0.0 }
        })
        .collect();
    let ms = 1e-3;
    let user_rtt = |r: &Request| if r.remote && dcs == 1 { cfg.cross_dc_rtt_ms } else { cfg.user_rtt_ms } * ms;
    let mut checkpoint = Checkpoint::every(8192);
    let n = reqs.len();
    let (fe_servers, fe_ms) = match arch {
        Architecture::SingleServer => (1, cfg.web_ms + cfg.db_ms),
        Architecture::WebAndDatabase => (1, cfg.web_ms),
        _ => (cfg.front_ends, cfg.web_ms),
    };
    // Stage 1: front-ends, one pool per data center.
    let mut after_fe = vec![0.0; n];
    for dc in 0..dcs {
        let visits = reqs
            .iter()
            .enumerate()
            .filter(|(_, r)| r.dc == dc)
            .map(|(i, r)| (r.arrival + user_rtt(r) / 2.0, i))
            .collect();
        Station::new(fe_servers, fe_ms, stream(seed, Stream::Custom(300 + dc as u64))).serve(
            visits,
            &mut after_fe,
            &mut checkpoint,
        )?;
    }
    // Stage 2: caches (reads only), one pool per data center.
    let mut after_cache = after_fe.clone();
    if has_cache {
        for dc in 0..dcs {
            let visits = reqs
                .iter()
                .enumerate()
                .filter(|(_, r)| r.dc == dc && !r.write)
                .map(|(i, _)| (after_fe[i] + cfg.intra_dc_rtt_ms * ms / 2.0, i))
                .collect();
            Station::new(cfg.cache_servers, cfg.cache_ms, stream(seed, Stream::Custom(400 + dc as u64))).serve(
                visits,
                &mut after_cache,
                &mut checkpoint,
            )?;
            for (i, r) in reqs.iter().enumerate() {
                if r.dc == dc && !r.write {
                    after_cache[i] += cfg.intra_dc_rtt_ms * ms / 2.0;
                }
            }
        }
    }
    // Stage 3: the database, in data center 0; other data centers reach it across the continent.
    let to_db = |r: &Request| if r.dc == 0 { cfg.intra_dc_rtt_ms } else { cfg.cross_dc_rtt_ms } * ms / 2.0;
    let mut after_db = after_cache.clone();
    if arch != Architecture::SingleServer {
        let visits =
            reqs.iter().enumerate().filter(|(_, r)| !r.hit).map(|(i, r)| (after_cache[i] + to_db(r), i)).collect();
        Station::new(1, cfg.db_ms, stream(seed, Stream::Custom(500))).serve(visits, &mut after_db, &mut checkpoint)?;
    }
    for (i, r) in reqs.iter_mut().enumerate() {
        let back = if r.hit || arch == Architecture::SingleServer { 0.0 } else { to_db(r) };
        r.done = after_db[i] + back + user_rtt(r) / 2.0;
    }
    Ok(reqs)
}
