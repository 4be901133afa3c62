//! A two-node workhorse for several experiments: node 0 sends numbered messages to node 1 at a
//! steady pace, and node 1 notes when each arrives.

use crate::engine::{Context, Node, NodeId, Simulation};
use crate::faults::Fault;
use crate::network::Network;
use crate::time::{Duration, Time};
use crate::trace::TraceMode;
use crate::Result;

/// Either end of the stream.
pub(super) struct Streamer {
    count: u64,
    interval: Duration,
    bytes: u64,
    next: u64,
    /// Node 1: `(sequence number, arrival time)` in arrival order.
    arrivals: Vec<(u64, Time)>,
}

/// The sender's only timer: time to send the next packet.
#[derive(Debug, Clone)]
pub(super) struct SendNext;

impl Node for Streamer {
    type Msg = u64;
    type Timer = SendNext;

    fn on_start(&mut self, ctx: &mut Context<u64, SendNext>) {
        if ctx.id() == 0 && self.count > 0 {
            ctx.set_timer(Duration::ZERO, SendNext);
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<u64, SendNext>, _: SendNext) {
        ctx.send_sized(1, self.next, self.bytes);
        self.next += 1;
        if self.next < self.count {
            ctx.set_timer(self.interval, SendNext);
        }
    }

    fn on_message(&mut self, ctx: &mut Context<u64, SendNext>, _from: NodeId, seq: u64) {
        self.arrivals.push((seq, ctx.now()));
    }
}

/// What a stream run saw.
pub(super) struct StreamRun {
    /// When message `i` was sent: `i × interval`.
    pub interval: Duration,
    /// `(sequence number, arrival time)` in arrival order (duplicates included).
    pub arrivals: Vec<(u64, Time)>,
}

impl StreamRun {
    /// Distinct messages that arrived.
    pub fn distinct(&self) -> u64 {
        let mut seen: Vec<u64> = self.arrivals.iter().map(|a| a.0).collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len() as u64
    }

    /// Delay of each arrival (arrival − send time), in ms.
    pub fn delays_ms(&self) -> Vec<f64> {
        self.arrivals
            .iter()
            .map(|&(seq, at)| (at - Time::from_nanos(self.interval.as_nanos() * seq)).as_millis_f64())
            .collect()
    }
}

/// Streams `count` messages of `bytes` bytes, one every `interval`, over `net`, with `faults`.
pub(super) fn stream(
    seed: u64,
    net: Network,
    count: u64,
    interval: Duration,
    bytes: u64,
    faults: &[(Time, Fault)],
) -> Result<StreamRun> {
    let node = || Streamer { count, interval, bytes, next: 0, arrivals: Vec::new() };
    let mut sim =
        Simulation::new(seed, vec![node(), node()])?.with_network(net)?.with_trace_mode(TraceMode::DigestOnly);
    for (at, f) in faults {
        sim.schedule(*at, f.clone())?;
    }
    sim.run_until_quiet()?;
    let arrivals = std::mem::take(&mut sim.node_mut(1).arrivals);
    Ok(StreamRun { interval, arrivals })
}
