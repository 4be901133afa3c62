//! The network between nodes: latency, loss, duplication, reordering, partitions, bandwidth and a
//! hostile party that may tamper with messages.
//!
//! Each of the "fallacies of distributed computing" is a knob here: the network is not reliable
//! ([`Network::loss`], [`Network::duplicate`]), latency is not zero ([`Latency`], [`SiteMatrix`]),
//! bandwidth is not infinite ([`Network::bandwidth`]), the network is not secure
//! ([`Verdict`] rules set with `Simulation::set_tamper`, and [`auth`] to defend against them),
//! and the topology changes ([`Partition`]).
//!
//! How a message travels, in order: the tamper rule (if any) sees it; an active partition may drop
//! it; random loss may drop it; with bandwidth set it waits its turn on the link (FIFO per directed
//! link) and is serialised at `bytes / bandwidth` (a full queue drops it); then it flies for one
//! latency draw (plus the light-in-fiber floor between sites); with probability `reorder` it is held
//! back by one more latency draw so later messages overtake it; with probability `duplicate` a second
//! copy flies with its own latency draw.
//!
//! **Random streams.** Each effect draws from its own streams, one per sender
//! (`Stream::named("network/latency", sender)`, and likewise `network/loss`, `network/reorder`,
//! `network/duplicate`), and every message takes one draw of each effect that is on for its link,
//! whatever becomes of it. So with the same seed, switching duplication on leaves every original
//! message's loss decision and latency as they were, switching loss on leaves the survivors'
//! latencies as they were, and switching reordering on leaves every loss decision as it was:
//! comparing two settings compares the knob, not fresh noise. (Only what the nodes do differently
//! in reply, say resending a lost message, sends other messages and so takes other draws.)

pub mod auth;
mod latency;
mod link;
mod partition;
pub(crate) mod runtime;
mod sites;

pub use latency::Latency;
pub use partition::Partition;
pub use sites::{Site, SiteMatrix, EARTH_RADIUS_KM, FIBER_KM_PER_SEC, LIGHT_KM_PER_SEC};

use crate::engine::NodeId;
use crate::error::{Error, Result};
use crate::validate;
use std::collections::BTreeMap;

/// Overrides for one directed link `from → to`; `None` keeps the network-wide setting.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinkConfig {
    /// This link's latency distribution.
    pub latency: Option<Latency>,
    /// This link's loss probability.
    pub loss: Option<f64>,
    /// This link's duplication probability.
    pub duplicate: Option<f64>,
    /// This link's reordering probability.
    pub reorder: Option<f64>,
    /// This link's bandwidth in bytes per second.
    pub bandwidth_bytes_per_sec: Option<f64>,
}

impl LinkConfig {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }
    /// Overrides the latency.
    pub fn latency(mut self, l: Latency) -> Self {
        self.latency = Some(l);
        self
    }
    /// Overrides the loss probability.
    pub fn loss(mut self, p: f64) -> Self {
        self.loss = Some(p);
        self
    }
    /// Overrides the duplication probability.
    pub fn duplicate(mut self, p: f64) -> Self {
        self.duplicate = Some(p);
        self
    }
    /// Overrides the reordering probability.
    pub fn reorder(mut self, p: f64) -> Self {
        self.reorder = Some(p);
        self
    }
    /// Overrides the bandwidth.
    pub fn bandwidth(mut self, bytes_per_sec: f64) -> Self {
        self.bandwidth_bytes_per_sec = Some(bytes_per_sec);
        self
    }
}

/// The network model of a simulation. Build it with the chained setters; the simulation validates
/// it in `with_network`, where bad values are refused with errors naming `network.<field>`.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    /// One-way latency of every message (unless a link overrides it).
    pub latency: Latency,
    /// Probability that a message is lost.
    pub loss: f64,
    /// Probability that the network delivers a second copy of a message.
    pub duplicate: f64,
    /// Probability that a message is held back by an extra latency draw, so later ones overtake it.
    pub reorder: f64,
    /// Link bandwidth in bytes per second; `None` means infinite (no queueing).
    pub bandwidth_bytes_per_sec: Option<f64>,
    /// Most messages waiting on one link; more are dropped with `DropReason::QueueFull`.
    pub queue_limit: Option<usize>,
    links: BTreeMap<(NodeId, NodeId), LinkConfig>,
    sites: Option<(SiteMatrix, Vec<usize>)>,
}

impl Default for Network {
    fn default() -> Self {
        Self::new()
    }
}

impl Network {
    /// A reliable network with a constant 1 ms one-way latency.
    pub fn new() -> Self {
        Network {
            latency: Latency::default(),
            loss: 0.0,
            duplicate: 0.0,
            reorder: 0.0,
            bandwidth_bytes_per_sec: None,
            queue_limit: None,
            links: BTreeMap::new(),
            sites: None,
        }
    }
    /// Sets the latency distribution.
    pub fn latency(mut self, l: Latency) -> Self {
        self.latency = l;
        self
    }
    /// Sets the loss probability.
    pub fn loss(mut self, p: f64) -> Self {
        self.loss = p;
        self
    }
    /// Sets the duplication probability.
    pub fn duplicate(mut self, p: f64) -> Self {
        self.duplicate = p;
        self
    }
    /// Sets the reordering probability.
    pub fn reorder(mut self, p: f64) -> Self {
        self.reorder = p;
        self
    }
    /// Gives every link this bandwidth, so large or many messages queue.
    pub fn bandwidth(mut self, bytes_per_sec: f64) -> Self {
        self.bandwidth_bytes_per_sec = Some(bytes_per_sec);
        self
    }
    /// Caps how many messages may wait on one link.
    pub fn queue_limit(mut self, messages: usize) -> Self {
        self.queue_limit = Some(messages);
        self
    }
    /// Overrides settings on the directed link `from → to`.
    pub fn link(mut self, from: NodeId, to: NodeId, cfg: LinkConfig) -> Self {
        self.links.insert((from, to), cfg);
        self
    }
    /// Overrides settings on both directions between `a` and `b`.
    pub fn link_both(self, a: NodeId, b: NodeId, cfg: LinkConfig) -> Self {
        self.link(a, b, cfg.clone()).link(b, a, cfg)
    }
    /// Places node `i` at site `placement[i]`: every message between different sites takes at
    /// least the one-way light-in-fiber floor, plus a draw of [`Network::latency`] (the local part).
    pub fn from_sites(sites: &SiteMatrix, placement: Vec<usize>) -> Self {
        let mut net = Network::new();
        net.sites = Some((sites.clone(), placement));
        net
    }
    /// The per-link overrides.
    pub fn links(&self) -> &BTreeMap<(NodeId, NodeId), LinkConfig> {
        &self.links
    }

    /// Checks every setting for a simulation of `node_count` nodes.
    pub fn validate(&self, node_count: usize) -> Result<()> {
        self.latency.validate("network.latency")?;
        validate::probability("network.loss", self.loss)?;
        validate::probability("network.duplicate", self.duplicate)?;
        validate::probability("network.reorder", self.reorder)?;
        if let Some(bw) = self.bandwidth_bytes_per_sec {
            validate::positive("network.bandwidth_bytes_per_sec", bw)?;
        }
        if let Some(q) = self.queue_limit {
            validate::at_least("network.queue_limit", q, 1)?;
        }
        for (&(from, to), cfg) in &self.links {
            if from >= node_count {
                return Err(Error::unknown_node("network.link.from", from, node_count));
            }
            if to >= node_count {
                return Err(Error::unknown_node("network.link.to", to, node_count));
            }
            let name = |f: &str| format!("network.link({from},{to}).{f}");
            if let Some(l) = &cfg.latency {
                l.validate(&name("latency"))?;
            }
            for (field, p) in [("loss", cfg.loss), ("duplicate", cfg.duplicate), ("reorder", cfg.reorder)] {
                if let Some(p) = p {
                    validate::probability(&name(field), p)?;
                }
            }
            if let Some(bw) = cfg.bandwidth_bytes_per_sec {
                validate::positive(&name("bandwidth_bytes_per_sec"), bw)?;
            }
        }
        if let Some((matrix, placement)) = &self.sites {
            if placement.len() != node_count {
                return Err(Error::invalid(
                    "network.placement",
                    format!("{} entries", placement.len()),
                    format!("one site index per node ({node_count} entries)"),
                ));
            }
            if let Some((i, &s)) = placement.iter().enumerate().find(|(_, &s)| s >= matrix.len()) {
                return Err(Error::invalid(
                    format!("network.placement[{i}]"),
                    s,
                    format!("a site index in 0..{}", matrix.len()),
                ));
            }
        }
        Ok(())
    }
}

/// A message in flight, as a hostile network (or node) sees it. A tamper rule may rewrite any
/// field, including `from` (forging the sender) and `msg`.
#[derive(Clone, Debug, PartialEq)]
pub struct Packet<M> {
    /// Claimed sender.
    pub from: NodeId,
    /// Receiver.
    pub to: NodeId,
    /// The payload.
    pub msg: M,
    /// The message id in the trace.
    pub id: u64,
}

/// What a tamper rule does with a packet.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict<M> {
    /// Let it through (with any in-place edits the rule made).
    Pass,
    /// Swallow it (traced as a drop with `DropReason::Rejected`).
    Drop,
    /// Deliver this payload instead.
    Replace(M),
}
