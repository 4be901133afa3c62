//! The network as a running simulation uses it: validated settings, resolved per-link parameters,
//! link queues, active partitions and the network's random stream.

use super::link::LinkQueue;
use super::partition::ActivePartitions;
use super::{Latency, Network, Partition};
use crate::rng::SimRng;
use crate::time::{Duration, Time};
use crate::trace::DropReason;
use rand::Rng;
use std::collections::BTreeMap;

/// Everything that decides one link's behaviour.
#[derive(Clone, Debug)]
struct LinkParams {
    latency: Latency,
    loss: f64,
    duplicate: f64,
    reorder: f64,
    bandwidth: Option<f64>,
}

/// What the network does with one message.
pub(crate) enum Route {
    Drop(DropReason),
    Deliver { at: Time, copy_at: Option<Time> },
}

pub(crate) struct NetRuntime {
    pub(crate) config: Network,
    default: LinkParams,
    overrides: BTreeMap<(u32, u32), LinkParams>,
    /// Site of each node and one-way floors between sites (row-major), if placed on sites.
    placement: Vec<u32>,
    floors: Vec<Duration>,
    site_count: usize,
    queues: BTreeMap<(u32, u32), LinkQueue>,
    pub(crate) partitions: ActivePartitions,
    /// True when no knob needs more than one constant latency: the hot path of benchmarks.
    fast: bool,
    pub(crate) rng: SimRng,
}

impl NetRuntime {
    /// Call only with a network already validated for this node count.
    pub(crate) fn new(config: Network, rng: SimRng) -> Self {
        let default = LinkParams {
            latency: config.latency.clone(),
            loss: config.loss,
            duplicate: config.duplicate,
            reorder: config.reorder,
            bandwidth: config.bandwidth_bytes_per_sec,
        };
        let overrides = config
            .links
            .iter()
            .map(|(&(f, t), c)| {
                let p = LinkParams {
                    latency: c.latency.clone().unwrap_or_else(|| default.latency.clone()),
                    loss: c.loss.unwrap_or(default.loss),
                    duplicate: c.duplicate.unwrap_or(default.duplicate),
                    reorder: c.reorder.unwrap_or(default.reorder),
                    bandwidth: c.bandwidth_bytes_per_sec.or(default.bandwidth),
                };
                ((f as u32, t as u32), p)
            })
            .collect();
        let (placement, floors, site_count) = match &config.sites {
            Some((m, placement)) => {
                let k = m.len();
                let floors = (0..k * k).map(|i| m.one_way_floor(i / k, i % k)).collect();
                (placement.iter().map(|&s| s as u32).collect(), floors, k)
            }
            None => (Vec::new(), Vec::new(), 0),
        };
        let fast = default.loss == 0.0
            && default.duplicate == 0.0
            && default.reorder == 0.0
            && default.bandwidth.is_none()
            && config.links.is_empty()
            && config.sites.is_none();
        NetRuntime {
            config,
            default,
            overrides,
            placement,
            floors,
            site_count,
            queues: BTreeMap::new(),
            partitions: ActivePartitions::default(),
            fast,
            rng,
        }
    }

    pub(crate) fn add_partition(&mut self, p: &Partition, node_count: usize) {
        self.partitions.add(p, node_count);
    }

    /// Decides the fate of a message of `bytes` bytes sent at `now`; `stretch` (>= 1) scales the
    /// flight time of messages sent by a slow node.
    ///
    /// The common case (one latency distribution, no loss, no partition) is inlined into the
    /// engine's send; everything else is in `route_slow`, out of line.
    #[inline(always)]
    pub(crate) fn route(&mut self, now: Time, from: usize, to: usize, bytes: u64, stretch: f64) -> Route {
        if self.fast && self.partitions.is_empty() {
            let mut d = self.default.latency.sample(&mut self.rng);
            if stretch != 1.0 {
                d = Duration((d.0 as f64 * stretch) as u64);
            }
            return Route::Deliver { at: now + d, copy_at: None };
        }
        self.route_slow(now, from, to, bytes, stretch)
    }

    #[inline(never)]
    fn route_slow(&mut self, now: Time, from: usize, to: usize, bytes: u64, stretch: f64) -> Route {
        if self.partitions.blocks(from, to) {
            return Route::Drop(DropReason::Partition);
        }
        let key = (from as u32, to as u32);
        let p = self.overrides.get(&key).unwrap_or(&self.default);
        let rng = &mut self.rng;
        if p.loss > 0.0 && rng.random_bool(p.loss) {
            return Route::Drop(DropReason::Loss);
        }
        let departs = match p.bandwidth {
            None => now,
            Some(bw) => match self.queues.entry(key).or_default().enqueue(now, bytes, bw, self.config.queue_limit) {
                Some(t) => t,
                None => return Route::Drop(DropReason::QueueFull),
            },
        };
        let floor = if self.site_count > 0 {
            let (a, b) = (self.placement[from] as usize, self.placement[to] as usize);
            self.floors[a * self.site_count + b]
        } else {
            Duration::ZERO
        };
        let scale = |d: Duration| if stretch == 1.0 { d } else { Duration((d.0 as f64 * stretch) as u64) };
        let mut flight = p.latency.sample(rng) + floor;
        if p.reorder > 0.0 && rng.random_bool(p.reorder) {
            flight = flight + p.latency.sample(rng);
        }
        let copy_at = if p.duplicate > 0.0 && rng.random_bool(p.duplicate) {
            Some(departs + scale(p.latency.sample(rng) + floor))
        } else {
            None
        };
        Route::Deliver { at: departs + scale(flight), copy_at }
    }
}
