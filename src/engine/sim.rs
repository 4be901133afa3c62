//! `Simulation`: building a run, configuring it, and looking inside it.

use super::core::{Core, Engine};
use super::event::{Envelope, Ev, Status};
use super::invariant::Invariant;
use super::typed::{TamperRule, Typed};
use super::{Node, NodeId};
use crate::clock::{ClockConfig, ClockState, PhysicalClock};
use crate::error::{Error, Result};
use crate::faults::{Fault, FaultPlan};
use crate::metrics::Metrics;
use crate::network::runtime::NetRuntime;
use crate::network::Network;
use crate::time::Time;
use crate::trace::{Trace, TraceMode};

/// A deterministic simulation of a set of nodes of type `N`.
///
/// It owns everything (nodes, queue, network, trace), so it can live in a notebook variable and
/// be run a bit further in each cell. The same seed, nodes and configuration give the same run,
/// event for event, on every machine.
pub struct Simulation<N: Node> {
    pub(crate) seed: u64,
    pub(crate) nodes: Vec<N>,
    /// Everything that does not depend on the node type (see `core.rs`).
    pub(crate) core: Engine,
    pub(crate) typed: Typed<N::Msg, N::Timer>,
    /// Rules checked after every event (see [`Simulation::invariant`]); usually none.
    pub(crate) invariants: Vec<Invariant<N>>,
}

/// What one `run_*` call did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunSummary {
    /// Events processed in this call.
    pub events: u64,
    /// Messages delivered in this call.
    pub delivered: u64,
    /// Messages dropped in this call.
    pub dropped: u64,
    /// Virtual time at the end of the call.
    pub now: Time,
    /// Events still waiting in the queue.
    pub pending: usize,
}

impl<N: Node> Simulation<N> {
    /// A simulation of `nodes` (node `i` is `nodes[i]`) seeded with `seed`, on a reliable 1 ms
    /// network with perfect clocks and a full trace. Refuses an empty node list.
    pub fn new(seed: u64, nodes: Vec<N>) -> Result<Self> {
        let n = nodes.len();
        if n == 0 {
            return Err(Error::empty("nodes"));
        }
        if n > u32::MAX as usize {
            return Err(Error::invalid("nodes", n, format!("at most {} nodes", u32::MAX)));
        }
        Ok(Simulation {
            seed,
            nodes,
            core: Engine::new(Core::new(seed, n)),
            typed: Typed::new(),
            invariants: Vec::new(),
        })
    }

    /// Replaces the network model; refuses invalid settings, naming the field (`network.loss`, …).
    pub fn with_network(mut self, net: Network) -> Result<Self> {
        net.validate(self.core.n)?;
        let partitions = std::mem::take(&mut self.core.net.partitions);
        self.core.net = NetRuntime::new(net, self.seed, self.core.n);
        self.core.net.partitions = partitions;
        Ok(self)
    }

    /// Gives every node a physical clock drawn from `clocks` (the `Clocks` stream of the seed).
    pub fn with_clocks(mut self, clocks: ClockConfig) -> Result<Self> {
        clocks.validate()?;
        self.core.clocks = ClockState::draw(self.seed, self.core.n, &clocks);
        Ok(self)
    }

    /// Keeps every event (`Full`, the default) or only the digest (`DigestOnly`, for speed).
    pub fn with_trace_mode(mut self, mode: TraceMode) -> Self {
        self.core.set_trace_mode(mode);
        self
    }

    /// Names the nodes in traces and diagrams; needs exactly one name per node.
    pub fn with_node_names(mut self, names: Vec<String>) -> Result<Self> {
        if names.len() != self.core.n {
            return Err(Error::invalid(
                "node_names",
                format!("{} names", names.len()),
                format!("exactly one name per node ({})", self.core.n),
            ));
        }
        self.core.trace.node_names = names;
        Ok(self)
    }

    /// Sets node `node`'s physical clock explicitly.
    pub fn set_clock(&mut self, node: NodeId, clock: PhysicalClock) -> Result<()> {
        self.check_node("set_clock.node", node)?;
        self.core.clocks.clocks[node] = clock;
        Ok(())
    }

    /// Installs a hostile party that sees every message as it is sent and decides its fate:
    /// a `Box<dyn FnMut(&mut Packet<Msg>) -> Verdict<Msg>>` (see [`TamperRule`]).
    pub fn set_tamper(&mut self, rule: TamperRule<N::Msg>) {
        self.typed.tamper = Some(rule);
    }

    /// Removes the tamper rule.
    pub fn clear_tamper(&mut self) {
        self.typed.tamper = None;
    }

    pub(crate) fn check_node(&self, parameter: &str, node: NodeId) -> Result<()> {
        self.core.check_node(parameter, node)
    }

    fn check_not_past(&self, parameter: &str, at: Time) -> Result<()> {
        if at < self.core.now {
            Err(Error::invalid(parameter, at, format!("a time at or after now ({})", self.core.now)))
        } else {
            Ok(())
        }
    }

    /// Schedules `fault` at time `at` (not in the past); refuses unknown nodes and bad factors.
    pub fn schedule(&mut self, at: Time, fault: Fault) -> Result<()> {
        self.check_not_past("schedule.at", at)?;
        fault.validate(self.core.n)?;
        self.core.faults.push(fault);
        let index = (self.core.faults.len() - 1) as u32;
        self.core.queue.push(at, Ev::Fault(index));
        Ok(())
    }

    /// Schedules every fault of `plan`, after checking all of them (all or nothing).
    pub fn apply_plan(&mut self, plan: &FaultPlan) -> Result<()> {
        plan.validate(self.core.n)?;
        for (i, (at, _)) in plan.entries().iter().enumerate() {
            self.check_not_past(&format!("plan[{i}].at"), *at)?;
        }
        for (at, fault) in plan.entries() {
            self.schedule(*at, fault.clone())?;
        }
        Ok(())
    }

    /// Delivers `msg` to `to` at time `at` as if `from` had sent it, bypassing the network (a
    /// client request, a forged message). Refuses unknown nodes, past times, and a `to` that is
    /// crashed now.
    pub fn inject(&mut self, at: Time, from: NodeId, to: NodeId, msg: N::Msg) -> Result<()> {
        self.check_node("inject.from", from)?;
        self.check_node("inject.to", to)?;
        self.check_not_past("inject.at", at)?;
        if self.core.states[to].status == Status::Down {
            return Err(Error::NodeCrashed { parameter: "inject.to".into(), node: to });
        }
        let id = self.core.next_msg;
        self.core.next_msg += 1;
        let payload = self.typed.messages.insert(msg);
        let env = Envelope { from: from as u32, to: to as u32, id, sent_at: at, lamport: 0, payload };
        self.core.queue.push(at, Ev::Inject(env));
        Ok(())
    }

    /// The seed of this run.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Current virtual time.
    pub fn now(&self) -> Time {
        self.core.now
    }
    /// How many nodes.
    pub fn node_count(&self) -> usize {
        self.core.n
    }
    /// Node `id`. Panics if `id >= node_count()`, like slice indexing; see [`Simulation::nodes`].
    pub fn node(&self, id: NodeId) -> &N {
        &self.nodes[id]
    }
    /// Node `id`, mutably (to adjust state between runs). Panics if out of range.
    pub fn node_mut(&mut self, id: NodeId) -> &mut N {
        &mut self.nodes[id]
    }
    /// Every node, in id order.
    pub fn nodes(&self) -> &[N] {
        &self.nodes
    }
    /// Whether node `id` is not crashed (a paused node counts as up). False for unknown ids.
    pub fn is_up(&self, id: NodeId) -> bool {
        self.core.states.get(id).is_some_and(|s| s.status != Status::Down)
    }
    /// Whether node `id` is paused.
    pub fn is_paused(&self, id: NodeId) -> bool {
        self.core.states.get(id).is_some_and(|s| s.status == Status::Paused)
    }
    /// Node `id`'s physical clock reading now.
    pub fn clock_of(&self, id: NodeId) -> Result<Time> {
        self.check_node("clock_of.node", id)?;
        Ok(self.core.clocks.read(id, self.core.now))
    }
    /// Node `id`'s clock (offset, drift, last sync) as it stands now.
    pub fn physical_clock(&self, id: NodeId) -> Result<PhysicalClock> {
        self.check_node("physical_clock.node", id)?;
        Ok(self.core.clocks.effective(id, self.core.now))
    }
    /// When the next event is due, if any.
    pub fn next_event_time(&self) -> Option<Time> {
        self.core.queue.peek_time()
    }
    /// Events waiting in the queue.
    pub fn pending_events(&self) -> usize {
        self.core.queue.len()
    }
    /// The trace so far.
    pub fn trace(&self) -> &Trace {
        &self.core.trace
    }
    /// The metrics so far: engine counters (`sent`, `delivered`, `dropped`, `duplicated`,
    /// `timers`, `crashes`), histogram `delivery_latency`, and whatever nodes recorded.
    pub fn metrics(&self) -> &Metrics {
        &self.core.metrics
    }
    /// The network model in use.
    pub fn network(&self) -> &Network {
        &self.core.net.config
    }
}
