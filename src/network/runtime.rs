//! The network as a running simulation uses it: validated settings, resolved per-link parameters,
//! link queues, active partitions and the network's random streams.
//!
//! **Each random effect draws per message, from its own stream.** Latency, loss, reordering and
//! duplication each have a key drawn from their own named stream of the seed
//! (`Stream::named("network/latency", 0)`, `"network/loss"`, `"network/reorder"`,
//! `"network/duplicate"`). The draws for one message are a function of that key, the sender and the
//! message's number among the sender's messages (its `k`-th send), and of nothing else: a
//! counter-based generator ([`MessageDraws`]). (A network with nothing random, a constant latency
//! and no loss, reordering or duplication, draws nothing and numbers nothing.) Every message that reaches the network takes one
//! decision from each effect that is on for its link, whatever then happens to it. Hence, with the
//! same seed: switching on duplication leaves every original message's loss decision and latency
//! unchanged (the copy's decision and flight come from the duplicate key); switching on loss leaves
//! the survivors' latencies unchanged; switching on reordering leaves every loss decision unchanged;
//! and more traffic from one node does not change another node's draws.
//!
//! Why the sender's count and not the message id: a duplicate takes a message id, so keying draws by
//! id would shift every later message's draws the moment duplication is on. Why counter-based and
//! not one ChaCha stream per sender (tried first): a thousand senders' ChaCha buffers (320 bytes
//! each) missed the cache on every message and made the `fanout` benchmark 15% slower; a counter is
//! 8 bytes per sender and a draw is a few multiplications.

use super::link::LinkQueue;
use super::partition::ActivePartitions;
use super::{Latency, Network, Partition};
use crate::rng::{stream, Stream};
use crate::time::{Duration, Time};
use crate::trace::DropReason;
use rand::{Rng, RngCore};
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

/// The keys of the network's random effects and each sender's message count.
struct EffectStreams {
    latency: u64,
    loss: u64,
    reorder: u64,
    duplicate: u64,
    /// Messages each node has put on the network so far.
    sent: Vec<u64>,
}

impl EffectStreams {
    fn new(seed: u64, node_count: usize) -> Self {
        let key = |name| stream(seed, Stream::named(name, 0)).next_u64();
        EffectStreams {
            latency: key("network/latency"),
            loss: key("network/loss"),
            reorder: key("network/reorder"),
            duplicate: key("network/duplicate"),
            sent: vec![0; node_count],
        }
    }

    /// Numbers the next message of `from`: its draws are `MessageDraws::new(key, from, k)`.
    #[inline(always)]
    fn next_message(&mut self, from: usize) -> u64 {
        let k = self.sent[from];
        self.sent[from] = k + 1;
        k
    }
}

/// SplitMix64's output function (Steele, Lea and Flood, 2014): a bijection of `u64` whose outputs
/// for consecutive inputs pass BigCrush.
#[inline(always)]
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;
/// Another odd constant for the sender: the first 64 fractional bits of sqrt(2), made odd.
const SENDER_GAMMA: u64 = 0x6a09_e667_f3bc_c909;

/// The random numbers of one message for one effect: the first is a hash of the effect's key, the
/// sender and the message's number; each next one is SplitMix64's step from the one before.
/// Counter-based, so message `k`'s draws do not depend on how many draws other messages took.
/// Specified here in full, like ChaCha, so it is the same on every platform and `rand` release.
pub(crate) struct MessageDraws {
    next: u64,
}

impl MessageDraws {
    #[inline(always)]
    pub(crate) fn new(key: u64, sender: usize, k: u64) -> Self {
        // One mix of the three coordinates, each spread over all 64 bits by its own odd
        // multiplier: the starts of different messages are unrelated, so their sequences are too.
        MessageDraws { next: mix64(key ^ k.wrapping_mul(GOLDEN_GAMMA) ^ (sender as u64).wrapping_mul(SENDER_GAMMA)) }
    }
}

impl RngCore for MessageDraws {
    #[inline(always)]
    fn next_u64(&mut self) -> u64 {
        // Most messages take one number per effect: inlined, the unused step below is optimised
        // away, so a draw costs one mix.
        let out = self.next;
        self.next = mix64(out.wrapping_add(GOLDEN_GAMMA));
        out
    }
    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn fill_bytes(&mut self, dst: &mut [u8]) {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}

/// One latency draw; a constant latency draws nothing.
#[inline(always)]
fn latency_of(l: &Latency, key: u64, from: usize, k: u64) -> Duration {
    match l {
        Latency::Constant(d) => *d,
        _ => l.sample_from(&mut MessageDraws::new(key, from, k)),
    }
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
        let draws = EffectStreams::new(seed, node_count);
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
            let mut d = match &self.default.latency {
                // Nothing random in this network: no draws, so no message numbers either.
                Latency::Constant(d) => *d,
                l => {
                    let k = self.draws.next_message(from);
                    l.sample_from(&mut MessageDraws::new(self.draws.latency, from, k))
                }
            };
            if stretch != 1.0 {
                d = Duration::from_nanos((d.as_nanos() as f64 * stretch) as u64);
            }
            return Route::Deliver { at: now + d, copy_at: None };
        }
        self.route_slow(now, from, to, bytes, stretch)
    }

    #[inline(never)]
    fn route_slow(&mut self, now: Time, from: usize, to: usize, bytes: u64, stretch: f64) -> Route {
        let key = (from as u32, to as u32);
        let p = self.overrides.get(&key).unwrap_or(&self.default);
        // Every decision first, whatever the message's fate (see the module doc), each from its
        // effect's own key.
        let d = &mut self.draws;
        let k = d.next_message(from);
        let latency = latency_of(&p.latency, d.latency, from, k);
        let happens = |prob: f64, key: u64| -> Option<MessageDraws> {
            let mut draws = MessageDraws::new(key, from, k);
            (prob > 0.0 && draws.random_bool(prob)).then_some(draws)
        };
        let lost = happens(p.loss, d.loss).is_some();
        let held_back = happens(p.reorder, d.reorder).map(|mut r| p.latency.sample_from(&mut r));
        let copy_latency = happens(p.duplicate, d.duplicate).map(|mut r| p.latency.sample_from(&mut r));

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
        let scale =
            |d: Duration| if stretch == 1.0 { d } else { Duration::from_nanos((d.as_nanos() as f64 * stretch) as u64) };
        let flight = latency + floor + held_back.unwrap_or(Duration::ZERO);
        let copy_at = copy_latency.map(|d| departs + scale(d + floor));
        Route::Deliver { at: departs + scale(flight), copy_at }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_draws_are_pinned() {
        // Literal values: a change to the derivation would silently change every seeded result.
        let mut d = MessageDraws::new(7, 3, 11);
        assert_eq!([d.next_u64(), d.next_u64()], [0x332b_f67c_a010_c494, 0x9ffb_3316_2fde_f765]);
        // The step is SplitMix64's: seeded with 0, its published first output is 0xe220a8397b1dcdaf.
        let mut splitmix = MessageDraws { next: 0 };
        splitmix.next_u64();
        assert_eq!(splitmix.next_u64(), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn message_draws_look_uniform_and_independent_across_messages() {
        // Over 3 senders x 20,000 messages: first draws uniform (mean 1/2, each of 16 bins near
        // 1/16), neighbouring messages uncorrelated, and a Bernoulli(0.1) fires 10% of the time.
        let n = 60_000.0;
        let firsts: Vec<f64> = (0..3)
            .flat_map(|s| (0..20_000).map(move |k| MessageDraws::new(42, s, k).next_u64() as f64 / 2f64.powi(64)))
            .collect();
        let mean = firsts.iter().sum::<f64>() / n;
        assert!((mean - 0.5).abs() < 0.005, "{mean}");
        let mut bins = [0u32; 16];
        firsts.iter().for_each(|x| bins[(x * 16.0) as usize] += 1);
        assert!(bins.iter().all(|&b| (b as f64 - n / 16.0).abs() < 0.06 * n / 16.0), "{bins:?}");
        let lag1 = firsts.windows(2).map(|w| (w[0] - 0.5) * (w[1] - 0.5)).sum::<f64>() / (n - 1.0) * 12.0;
        assert!(lag1.abs() < 0.02, "correlation {lag1}");
        let fired = (0..20_000).filter(|&k| MessageDraws::new(5, 0, k).random_bool(0.1)).count();
        assert!((1_900..=2_100).contains(&fired), "{fired}");
    }
}
