//! The transition relation: from one global state, every state one [`Step`] away, computed by
//! running the nodes' own handlers in a capturing [`Harness`].

use super::hash::fingerprint;
use super::history::History;
use super::options::{Links, Options};
use super::state::{Envelope, PartitionState, PendingTimer, State};
use super::step::{Choice, Step};
use super::CheckState;
use crate::engine::{Context, Harness, Node, NodeId};
use crate::error::Result;
use std::sync::Arc;

/// Whether a message is a client call, and which kind (the linearizability recorder).
pub(crate) type Classify<M> = Arc<dyn Fn(&M) -> Option<CallKind> + Send + Sync>;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallKind {
    Invoke,
    Return,
}

/// What the explorer needs to know about the system: its initial nodes and the checker's options.
pub(crate) struct Model<N: Node> {
    pub(crate) initial: Vec<N>,
    pub(crate) options: Options,
    pub(crate) classify: Option<Classify<N::Msg>>,
}

/// What to do besides running the handler.
#[derive(Clone, Copy, Default)]
struct Apply {
    /// Remove this in-flight message (it was delivered).
    remove_env: Option<usize>,
    /// Remove this pending timer (it fired).
    remove_timer: Option<usize>,
    /// Keep the step even if it changed nothing (start, recovery).
    always: bool,
}

enum Event<M, T> {
    Start,
    Message(NodeId, M),
    Timer(T),
    Recover,
}

fn timer_key<T: std::hash::Hash>(t: &T) -> u64 {
    fingerprint(t)
}

impl<N> Model<N>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    pub(crate) fn harness(&self) -> Harness<N::Msg, N::Timer> {
        Harness::new(self.initial.len(), timer_key::<N::Timer>)
    }

    /// The state after every node's `on_start` ran, in id order.
    pub(crate) fn initial_state(&self, h: &mut Harness<N::Msg, N::Timer>) -> Result<State<N>> {
        let n = self.initial.len();
        let mut s = State {
            nodes: self.initial.clone(),
            node_hashes: self.initial.iter().map(fingerprint).collect(),
            in_flight: Vec::new(),
            timers: Vec::new(),
            crashed: 0,
            crashes: 0,
            partition: PartitionState::Never,
            history: Arc::new(History::default()),
        };
        for node in 0..n {
            if let Some(next) = self.run(h, &s, node, Event::Start, Apply { always: true, ..Apply::default() })? {
                s = next;
            }
        }
        Ok(s)
    }

    /// Calls `visit(choice, next)` for every enabled step from `s`, in a fixed order: messages in
    /// network order (each: lose, deliver, deliver a copy), timers, crashes, recoveries, the partition.
    pub(crate) fn successors(
        &self,
        h: &mut Harness<N::Msg, N::Timer>,
        s: &State<N>,
        mut visit: impl FnMut(Choice, State<N>) -> Result<()>,
    ) -> Result<()> {
        let o = &self.options;
        for (i, e) in s.in_flight.iter().enumerate() {
            if o.links == Links::Fifo && i > 0 && (s.in_flight[i - 1].from, s.in_flight[i - 1].to) == (e.from, e.to) {
                continue; // queued behind an older message on the same link
            }
            if o.loss {
                visit(Choice::Drop(i), self.without_message(s, i))?;
            }
            if s.is_crashed(e.to) {
                continue;
            }
            let deliver = Event::Message(e.from, e.msg.clone());
            if let Some(next) = self.run(h, s, e.to, deliver, Apply { remove_env: Some(i), ..Apply::default() })? {
                visit(Choice::Deliver(i), next)?;
            }
            if o.duplication {
                if let Some(next) = self.run(h, s, e.to, Event::Message(e.from, e.msg.clone()), Apply::default())? {
                    visit(Choice::Duplicate(i), next)?;
                }
            }
        }
        for (i, t) in s.timers.iter().enumerate() {
            // The timer is no longer pending, unless the handler sets the same value again.
            let apply = Apply { remove_timer: Some(i), ..Apply::default() };
            if let Some(next) = self.run(h, s, t.node, Event::Timer(t.value.clone()), apply)? {
                visit(Choice::Timer(i), next)?;
            }
        }
        if (s.crashes as usize) < o.max_crashes {
            for node in (0..s.nodes.len()).filter(|&n| !s.is_crashed(n)) {
                visit(Choice::Crash(node), self.crash(s, node))?;
            }
        }
        for node in (0..s.nodes.len()).filter(|&n| s.is_crashed(n)) {
            if let Some(mut next) = self.run(h, s, node, Event::Recover, Apply { always: true, ..Apply::default() })? {
                next.crashed &= !(1 << node);
                visit(Choice::Recover(node), next)?;
            }
        }
        if o.partition {
            match s.partition {
                PartitionState::Never => {
                    let n = s.nodes.len();
                    // Each split once: the side that holds the last node is "the rest".
                    for side in 1..(1u64 << (n - 1)) {
                        let mut next = s.clone();
                        next.partition = PartitionState::Open(side);
                        visit(Choice::Partition(side), next)?;
                    }
                }
                PartitionState::Open(_) => {
                    let mut next = s.clone();
                    next.partition = PartitionState::Healed;
                    visit(Choice::Heal, next)?;
                }
                PartitionState::Healed => {}
            }
        }
        Ok(())
    }

    /// The step `choice` from `s` as a value (for counterexamples).
    pub(crate) fn describe(&self, s: &State<N>, choice: Choice) -> Step<N::Msg, N::Timer> {
        let env = |i: usize| s.in_flight[i].clone();
        match choice {
            Choice::Deliver(i) => {
                let Envelope { from, to, msg, .. } = env(i);
                Step::Deliver { from, to, msg }
            }
            Choice::Duplicate(i) => {
                let Envelope { from, to, msg, .. } = env(i);
                Step::Duplicate { from, to, msg }
            }
            Choice::Drop(i) => {
                let Envelope { from, to, msg, .. } = env(i);
                Step::Drop { from, to, msg }
            }
            Choice::Timer(i) => Step::Timer { node: s.timers[i].node, timer: s.timers[i].value.clone() },
            Choice::Crash(node) => Step::Crash { node },
            Choice::Recover(node) => Step::Recover { node },
            Choice::Partition(side) => Step::Partition { side: (0..64).filter(|b| side >> b & 1 == 1).collect() },
            Choice::Heal => Step::Heal,
        }
    }

    fn without_message(&self, s: &State<N>, i: usize) -> State<N> {
        let mut next = s.clone();
        next.in_flight.remove(i);
        next
    }

    fn crash(&self, s: &State<N>, node: NodeId) -> State<N> {
        let mut next = s.clone();
        next.nodes[node].on_crash();
        next.node_hashes[node] = fingerprint(&next.nodes[node]);
        next.timers.retain(|t| t.node != node);
        next.crashed |= 1 << node;
        next.crashes += 1;
        next
    }

    /// Runs one handler of `node` on a copy of `s` and applies its effects. `None`: the step
    /// changed nothing (no effect, node state equal), and `skip_no_op` is on.
    fn run(
        &self,
        h: &mut Harness<N::Msg, N::Timer>,
        s: &State<N>,
        node: NodeId,
        event: Event<N::Msg, N::Timer>,
        apply: Apply,
    ) -> Result<Option<State<N>>> {
        // A response delivered to a client ends its operation in the history.
        let returned = match (&event, &self.classify) {
            (Event::Message(_, msg), Some(classify)) if classify(msg) == Some(CallKind::Return) => Some(msg.clone()),
            _ => None,
        };
        let mut copy = s.nodes[node].clone();
        let effects = h.run(node, |ctx: &mut Context<N::Msg, N::Timer>| match event {
            Event::Start => copy.on_start(ctx),
            Event::Message(from, msg) => copy.on_message(ctx, from, msg),
            Event::Timer(t) => copy.on_timer(ctx, t),
            Event::Recover => copy.on_recover(ctx),
        })?;
        let hash = fingerprint(&copy);
        if !apply.always
            && self.options.skip_no_op
            && effects.is_empty()
            && hash == s.node_hashes[node]
            && copy == s.nodes[node]
        {
            return Ok(None);
        }
        let mut next = State {
            nodes: s.nodes.clone(),
            node_hashes: s.node_hashes.clone(),
            in_flight: s.in_flight.clone(),
            timers: s.timers.clone(),
            crashed: s.crashed,
            crashes: s.crashes,
            partition: s.partition,
            history: s.history.clone(),
        };
        next.nodes[node] = copy;
        next.node_hashes[node] = hash;
        if let Some(i) = apply.remove_env {
            next.in_flight.remove(i);
        }
        if let Some(i) = apply.remove_timer {
            next.timers.remove(i);
        }
        if let Some(msg) = returned {
            Arc::make_mut(&mut next.history).ret(node, msg);
        }
        for id in &effects.cancelled {
            next.timers.retain(|t| !(t.node == node && t.id == *id));
        }
        for (id, value) in &effects.set {
            match next.timers.binary_search_by_key(&(node, id.seq()), |t| (t.node, t.id.seq())) {
                Ok(at) => next.timers[at].value = value.clone(),
                Err(at) => next.timers.insert(at, PendingTimer { node, value: value.clone(), id: *id }),
            }
        }
        for (to, msg) in &effects.sends {
            if let PartitionState::Open(side) = next.partition {
                if (side >> node & 1) != (side >> *to & 1) {
                    continue; // lost in the partition
                }
            }
            if let Some(classify) = &self.classify {
                if classify(msg) == Some(CallKind::Invoke) {
                    Arc::make_mut(&mut next.history).invoke(node, msg.clone());
                }
            }
            let env = Envelope::new(node, *to, msg.clone());
            let at = match self.options.links {
                Links::Unordered => next.in_flight.partition_point(|e| e.key < env.key),
                Links::Fifo => next.in_flight.partition_point(|e| (e.from, e.to) <= (node, *to)),
            };
            next.in_flight.insert(at, env);
        }
        Ok(Some(next))
    }
}
