//! Replaying a counterexample: the same node code, step by step, into an ordinary [`Simulation`].

use super::step::Step;
use super::CheckState;
use crate::engine::{simulation_at, Context, Harness, Node, NodeId, Simulation, TimerId};
use crate::error::{Error, Result};
use crate::time::{millis, Time};
use crate::trace::{DropReason, EventKind, Trace, TraceEvent};

/// A replayed execution: an ordinary [`Simulation`] standing where the last step left it (its
/// nodes, its trace of every send, delivery, loss, timer, crash, log and partition, one step per
/// millisecond of virtual time), so it is inspected and drawn like any simulation
/// (`replay.trace()`, `replay.nodes()`, [`SpaceTime`](crate::trace::spacetime::SpaceTime)).
/// Nothing is scheduled in it: the messages still in flight at the end are in [`Replay::in_flight`].
pub struct Replay<N: Node> {
    simulation: Simulation<N>,
    /// For each step, the `seq` of the first trace event it recorded (the delivery, timer,
    /// crash ...): what a highlight of that step marks.
    pub step_events: Vec<u64>,
    /// The messages in flight after the last step: (sender, receiver, message).
    pub in_flight: Vec<(NodeId, NodeId, N::Msg)>,
}

impl<N: Node> std::ops::Deref for Replay<N> {
    type Target = Simulation<N>;
    fn deref(&self) -> &Simulation<N> {
        &self.simulation
    }
}

impl<N: Node> Replay<N> {
    /// The simulation itself.
    pub fn into_simulation(self) -> Simulation<N> {
        self.simulation
    }
}

struct Replayer<N: Node> {
    nodes: Vec<N>,
    in_flight: Vec<(NodeId, NodeId, N::Msg, u64)>,
    timers: Vec<(NodeId, TimerId, N::Timer)>,
    side: Option<u64>,
    down: Vec<NodeId>,
    trace: Trace,
    next_msg: u64,
    now: Time,
}

impl<N> Replayer<N>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    fn event(&mut self, kind: EventKind) {
        let seq = self.trace.events.len() as u64;
        self.trace.digest = kind.fold_into(self.trace.digest);
        self.trace.event_count += 1;
        self.trace.events.push(TraceEvent { time: self.now, seq, kind, lamport: None });
    }

    fn handler(
        &mut self,
        h: &mut Harness<N::Msg, N::Timer>,
        node: NodeId,
        f: impl FnOnce(&mut N, &mut Context<N::Msg, N::Timer>),
    ) -> Result<()> {
        let n = &mut self.nodes[node];
        let effects = h.run(node, |ctx| f(n, ctx))?;
        let (sends, set, cancelled, logs) =
            (effects.sends.clone(), effects.set.clone(), effects.cancelled.clone(), effects.logs.clone());
        for id in cancelled {
            self.timers.retain(|t| !(t.0 == node && t.1 == id));
        }
        for (id, value) in set {
            self.timers.retain(|t| !(t.0 == node && t.1 == id));
            self.timers.push((node, id, value));
        }
        for text in logs {
            self.event(EventKind::Log { node, text });
        }
        for (to, msg) in sends {
            let id = self.next_msg;
            self.next_msg += 1;
            self.event(EventKind::Send { from: node, to, msg: id, label: format!("{msg:?}") });
            if self.side.is_some_and(|s| (s >> node & 1) != (s >> to & 1)) {
                self.event(EventKind::Drop { from: node, to, msg: id, reason: DropReason::Partition });
            } else {
                self.in_flight.push((node, to, msg, id));
            }
        }
        Ok(())
    }

    fn take(&mut self, from: NodeId, to: NodeId, msg: &N::Msg, remove: bool) -> Result<u64> {
        let at = self.in_flight.iter().position(|e| e.0 == from && e.1 == to && e.2 == *msg);
        let at = at.ok_or_else(|| Error::invalid("replay.step", format!("{msg:?}"), "a message that is in flight"))?;
        let id = self.in_flight[at].3;
        if remove {
            self.in_flight.remove(at);
        }
        Ok(id)
    }

    fn apply(&mut self, h: &mut Harness<N::Msg, N::Timer>, step: &Step<N::Msg, N::Timer>) -> Result<()> {
        match step.clone() {
            Step::Deliver { from, to, msg } => {
                let id = self.take(from, to, &msg, true)?;
                self.event(EventKind::Deliver { from, to, msg: id });
                self.handler(h, to, |n, ctx| n.on_message(ctx, from, msg))
            }
            Step::Duplicate { from, to, msg } => {
                let id = self.take(from, to, &msg, false)?;
                let copy = self.next_msg;
                self.next_msg += 1;
                self.event(EventKind::Duplicate { from, to, msg: id, copy });
                self.event(EventKind::Deliver { from, to, msg: copy });
                self.handler(h, to, |n, ctx| n.on_message(ctx, from, msg))
            }
            Step::Drop { from, to, msg } => {
                let id = self.take(from, to, &msg, true)?;
                self.event(EventKind::Drop { from, to, msg: id, reason: DropReason::Loss });
                Ok(())
            }
            Step::Timer { node, timer } => {
                let at = self.timers.iter().position(|t| t.0 == node && t.2 == timer);
                let at = at.ok_or_else(|| Error::invalid("replay.step", format!("{timer:?}"), "a pending timer"))?;
                let (_, id, value) = self.timers.remove(at);
                self.event(EventKind::Timer { node, timer: id.seq(), label: format!("{value:?}") });
                self.handler(h, node, |n, ctx| n.on_timer(ctx, value))
            }
            Step::Crash { node } => {
                self.nodes[node].on_crash();
                self.timers.retain(|t| t.0 != node);
                self.down.push(node);
                self.event(EventKind::Crash { node });
                Ok(())
            }
            Step::Recover { node } => {
                self.down.retain(|&d| d != node);
                self.event(EventKind::Recover { node });
                self.handler(h, node, |n, ctx| n.on_recover(ctx))
            }
            Step::Partition { side } => {
                self.side = Some(side.iter().fold(0, |m, &n| m | 1 << n));
                let names: Vec<String> = side.iter().map(|&n| self.trace.node_name(n)).collect();
                self.event(EventKind::Partition { description: names.join(","), healed: false });
                Ok(())
            }
            Step::Heal => {
                self.side = None;
                self.event(EventKind::Partition { description: "all".into(), healed: true });
                Ok(())
            }
        }
    }
}

/// Runs `steps` from `initial` (after every node's `on_start`, in id order).
pub(crate) fn replay<N>(
    initial: &[N],
    names: &[String],
    h: &mut Harness<N::Msg, N::Timer>,
    steps: &[Step<N::Msg, N::Timer>],
) -> Result<Replay<N>>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    let mut r = Replayer {
        nodes: initial.to_vec(),
        in_flight: Vec::new(),
        timers: Vec::new(),
        side: None,
        down: Vec::new(),
        trace: Trace::new(names.to_vec()),
        next_msg: 0,
        now: Time::ZERO,
    };
    for node in 0..initial.len() {
        r.handler(h, node, |n, ctx| n.on_start(ctx))?;
    }
    let mut step_events = Vec::with_capacity(steps.len());
    for step in steps {
        r.now = r.now + millis(1);
        step_events.push(r.trace.events.len() as u64);
        r.apply(h, step)?;
    }
    let in_flight = r.in_flight.into_iter().map(|(from, to, msg, _)| (from, to, msg)).collect();
    let simulation = simulation_at(r.nodes, r.trace, r.now, &r.down, r.next_msg)?;
    Ok(Replay { simulation, in_flight, step_events })
}
