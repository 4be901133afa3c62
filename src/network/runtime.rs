//! The network as a running simulation uses it: validated settings, resolved per-link parameters,
//! link queues, active partitions and the network's random streams.
//!
//! **One stream per random effect and sender.** Latency, loss, reordering and duplication each draw
//! from their own streams, one per sending node: `Stream::named("network/latency", s)`,
//! `"network/loss"`, `"network/reorder"` and `"network/duplicate"` for sender `s`. Every message that
//! reaches the network takes exactly one draw from each effect that is switched on for its link,
//! whatever then happens to it (a partition, a loss, a full queue), so the `k`-th message node `s`
//! sends always meets the `k`-th draw of each of `s`'s streams. Hence, with the same seed:
//! switching on duplication leaves every original message's loss decision and latency unchanged
//! (the copy's decision and flight come from the duplicate stream); switching on loss leaves the
//! survivors' latencies unchanged; switching on reordering leaves every loss decision unchanged
//! (the held-back message's extra delay comes from the reorder stream); and more traffic from one
//! node does not reshuffle another node's draws.
//!
//! Why per sender and not per message id: a duplicate takes a message id, so keying draws by id
//! would shift every later message's draws the moment duplication is on. A sender's own count is
//! what stays put. Sequential draws from a sender's stream cost what one shared stream cost; seeking
//! a ChaCha stream per message would refill a 256-byte block for every message.

use super::link::LinkQueue;
use super::partition::ActivePartitions;
use super::{Latency, Network, Partition};
use crate::rng::{stream, SimRng, Stream};
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
    /// True when no knob needs more than one latency draw: the hot path of benchmarks.
    fast: bool,
    draws: EffectStreams,
}

/// The network's random streams, one per sender for each effect; an effect that is off on every
/// link (or a latency that is constant on every link) has none, so it costs neither memory nor time.
struct EffectStreams {
    latency: Vec<SimRng>,
    loss: Vec<SimRng>,
    reorder: Vec<SimRng>,
    duplicate: Vec<SimRng>,
}

impl EffectStreams {
    fn new(seed: u64, node_count: usize, links: &[&LinkParams]) -> Self {
        let per_sender = |name: &'static str, needed: bool| -> Vec<SimRng> {
            if !needed {
                return Vec::new();
            }
            (0..node_count).map(|s| stream(seed, Stream::named(name, s as u64))).collect()
        };
        let any = |f: fn(&LinkParams) -> bool| links.iter().any(|p| f(p));
        EffectStreams {
            latency: per_sender("network/latency", any(|p| !p.latency.is_constant())),
            loss: per_sender("network/loss", any(|p| p.loss > 0.0)),
            reorder: per_sender("network/reorder", any(|p| p.reorder > 0.0)),
            duplicate: per_sender("network/duplicate", any(|p| p.duplicate > 0.0)),
        }
    }
}

/// One latency draw for a message from `from`. A constant latency draws nothing, so its stream may
/// be absent.
#[inline(always)]
fn latency_of(l: &Latency, rngs: &mut [SimRng], from: usize) -> Duration {
    match l {
        Latency::Constant(d) => *d,
        _ => l.sample(&mut rngs[from]),
    }
}

/// Whether an event of probability `p` happens, drawn from `rngs[from]` only when `p > 0` (the
/// streams exist whenever some link has `p > 0`).
#[inline]
fn happens(p: f64, rngs: &mut [SimRng], from: usize) -> bool {
    p > 0.0 && rngs[from].random_bool(p)
}

impl NetRuntime {
    /// The network of the run seeded with `seed`; call only with a network already validated for
    /// `node_count` nodes.
    pub(crate) fn new(config: Network, seed: u64, node_count: usize) -> Self {
        let default = LinkParams {
            latency: config.latency.clone(),
            loss: config.loss,
            duplicate: config.duplicate,
            reorder: config.reorder,
            bandwidth: config.bandwidth_bytes_per_sec,
        };
        let overrides: BTreeMap<(u32, u32), LinkParams> = config
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
        let links: Vec<&LinkParams> = std::iter::once(&default).chain(overrides.values()).collect();
        let draws = EffectStreams::new(seed, node_count, &links);
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
            draws,
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
            let mut d = latency_of(&self.default.latency, &mut self.draws.latency, from);
            if stretch != 1.0 {
                d = Duration((d.0 as f64 * stretch) as u64);
            }
            return Route::Deliver { at: now + d, copy_at: None };
        }
        self.route_slow(now, from, to, bytes, stretch)
    }

    #[inline(never)]
    fn route_slow(&mut self, now: Time, from: usize, to: usize, bytes: u64, stretch: f64) -> Route {
        let key = (from as u32, to as u32);
        let p = self.overrides.get(&key).unwrap_or(&self.default);
        // Every draw first, whatever the message's fate (see the module doc): one per effect that
        // is on for this link, each from its own stream.
        let draws = &mut self.draws;
        let latency = latency_of(&p.latency, &mut draws.latency, from);
        let lost = happens(p.loss, &mut draws.loss, from);
        let held_back =
            happens(p.reorder, &mut draws.reorder, from).then(|| latency_of(&p.latency, &mut draws.reorder, from));
        let copy_latency = happens(p.duplicate, &mut draws.duplicate, from)
            .then(|| latency_of(&p.latency, &mut draws.duplicate, from));

        if self.partitions.blocks(from, to) {
            return Route::Drop(DropReason::Partition);
        }
        if lost {
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
        let flight = latency + floor + held_back.unwrap_or(Duration::ZERO);
        let copy_at = copy_latency.map(|d| departs + scale(d + floor));
        Route::Deliver { at: departs + scale(flight), copy_at }
    }
}
