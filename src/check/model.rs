//! The transition relation: from one global state, every state one [`Step`] away, computed by
//! running the nodes' own handlers in a capturing [`Harness`].

use super::hash::fingerprint;
use super::history::History;
use super::options::{Links, Options};
use super::state::{finish, term, Envelope, PartitionState, PendingTimer, Shared, Slot, State};
use super::step::{Choice, Step};
use super::symmetry::Symmetry;
use super::CheckState;
use crate::engine::{Context, Harness, Node, NodeId};
use crate::error::{Error, Result};
use std::ops::ControlFlow;
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
    pub(crate) symmetry: Option<Symmetry<N>>,
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

impl Apply {
    fn always() -> Self {
        Apply { always: true, ..Apply::default() }
    }
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
            nodes: self.initial.iter().map(|n| Slot::new(n.clone())).collect(),
            in_flight: Vec::new(),
            timers: Vec::new(),
            crashed: 0,
            crashes: 0,
            partition: PartitionState::Never,
            history: Shared::Owned(Arc::new(History::default())),
            sum: 0,
        };
        s.sum = s.sum_from_scratch();
        for node in 0..n {
            if let Some(Next::State(next)) = self.run(h, &s, node, Event::Start, Apply::always(), Want::State)? {
                s = next;
            }
        }
        Ok(s)
    }

    /// Calls `visit` with every step the system could take from `s`, in a fixed order, until it
    /// returns `Break`: messages in network order (each: lose, deliver, deliver a copy), timers,
    /// crashes, recoveries, the partition. A step's position in this order is its number in a
    /// path. (Plain loops rather than a chain of iterators: the chain's `next` took 6% of a
    /// check's instructions.)
    fn each_choice<B>(&self, s: &State<N>, mut visit: impl FnMut(Choice) -> ControlFlow<B>) -> ControlFlow<B> {
        let o = &self.options;
        let n = s.nodes.len();
        for (i, e) in s.in_flight.iter().enumerate() {
            // Over FIFO links, a message queued behind an older one on the same link waits.
            let queued =
                o.links == Links::Fifo && i > 0 && (s.in_flight[i - 1].from, s.in_flight[i - 1].to) == (e.from, e.to);
            let up = !queued && !s.is_crashed(e.to);
            let steps = [
                (!queued && o.loss).then_some(Choice::Drop(i)),
                up.then_some(Choice::Deliver(i)),
                (up && o.duplication).then_some(Choice::Duplicate(i)),
            ];
            for choice in steps.into_iter().flatten() {
                visit(choice)?;
            }
        }
        for i in 0..s.timers.len() {
            visit(Choice::Timer(i))?;
        }
        if (s.crashes as usize) < o.max_crashes {
            for i in (0..n).filter(|&i| !s.is_crashed(i)) {
                visit(Choice::Crash(i))?;
            }
        }
        for i in (0..n).filter(|&i| s.is_crashed(i)) {
            visit(Choice::Recover(i))?;
        }
        match (o.partition, s.partition) {
            // Each split once: the side that holds the last node is "the rest".
            (true, PartitionState::Never) => {
                for side in 1..(1u64 << (n - 1)) {
                    visit(Choice::Partition(side))?;
                }
            }
            (true, PartitionState::Open(_)) => visit(Choice::Heal)?,
            _ => {}
        }
        ControlFlow::Continue(())
    }

    /// The step numbered `step` from `s`.
    fn choice(&self, s: &State<N>, step: u16) -> Option<Choice> {
        let mut k = 0;
        let found = self.each_choice(s, |choice| {
            if k == step {
                return ControlFlow::Break(choice);
            }
            k += 1;
            ControlFlow::Continue(())
        });
        found.break_value()
    }

    /// Calls `visit(step, fingerprint)` for every enabled step from `s` (a step that changes
    /// nothing is not enabled, unless `keep_no_op_steps`), without building the successors: the
    /// explorer builds only the states it has not seen ([`Model::successor`]).
    pub(crate) fn successor_fingerprints(
        &self,
        h: &mut Harness<N::Msg, N::Timer>,
        s: &State<N>,
        mut visit: impl FnMut(u16, u64),
    ) -> Result<()> {
        let symmetric = self.symmetry.is_some();
        let mut k = 0usize;
        let flow = self.each_choice(s, |choice| {
            let Ok(step) = u16::try_from(k) else { return ControlFlow::Break(too_many_steps(k)) };
            k += 1;
            // Under symmetry the successor is built, to fingerprint its renamings.
            let want = if symmetric { Want::State } else { Want::Sum };
            match self.take(h, s, choice, want) {
                Ok(Some(Next::Sum(sum))) => visit(step, finish(sum)),
                Ok(Some(Next::State(next))) => visit(step, self.fingerprint(&next)),
                Ok(Some(Next::Change(_))) => unreachable!("asked for a sum or a state"),
                Ok(None) => {}
                Err(e) => return ControlFlow::Break(e),
            }
            ControlFlow::Continue(())
        });
        match flow {
            ControlFlow::Break(e) => Err(e),
            ControlFlow::Continue(()) => Ok(()),
        }
    }

    /// The fingerprint the visited set stores for `s`: its own, or under symmetry the smallest
    /// of all its renamings'.
    pub(crate) fn fingerprint(&self, s: &State<N>) -> u64 {
        match &self.symmetry {
            None => s.fingerprint(),
            Some(sym) => sym.perms.iter().map(|p| finish((sym.permuted_sum)(s, p))).min().unwrap_or(s.fingerprint()),
        }
    }

    /// The state that step number `step` leads to from `s`, and the step.
    pub(crate) fn successor(
        &self,
        h: &mut Harness<N::Msg, N::Timer>,
        s: &State<N>,
        step: u16,
    ) -> Result<(Choice, State<N>)> {
        let choice = self.choice(s, step).expect("a recorded step is enabled again");
        match self.take(h, s, choice, Want::State)? {
            Some(Next::State(next)) => Ok((choice, next)),
            _ => panic!("a recorded step is enabled again"),
        }
    }

    /// What step number `step` from `s` changes, where a handler took it
    /// ([`super::frontier::Codec::encode_change`] writes the successor's ids from that, without
    /// building it); the successor itself for the other steps.
    pub(crate) fn successor_change(
        &self,
        h: &mut Harness<N::Msg, N::Timer>,
        s: &State<N>,
        step: u16,
    ) -> Result<Next<N>> {
        let choice = self.choice(s, step).expect("a recorded step is enabled again");
        Ok(self.take(h, s, choice, Want::Change)?.expect("a recorded step is enabled again"))
    }

    /// Takes one step, as much of it as `want` asks for. `None`: the step changes nothing and is
    /// skipped.
    fn take(
        &self,
        h: &mut Harness<N::Msg, N::Timer>,
        s: &State<N>,
        choice: Choice,
        want: Want,
    ) -> Result<Option<Next<N>>> {
        let o = &self.options;
        let changed =
            |next: State<N>| Ok(Some(if want == Want::Sum { Next::Sum(next.sum) } else { Next::State(next) }));
        match choice {
            Choice::Drop(i) => {
                if want == Want::Sum {
                    return Ok(Some(Next::Sum(s.sum.wrapping_sub(term::message(s.in_flight[i].key)))));
                }
                let mut next = s.clone();
                next.in_flight.remove(i);
                next.sum = next.sum.wrapping_sub(term::message(s.in_flight[i].key));
                changed(next)
            }
            Choice::Deliver(i) => {
                let e = &s.in_flight[i];
                let apply = Apply { remove_env: Some(i), ..Apply::default() };
                self.run(h, s, e.to, Event::Message(e.from, e.msg.clone()), apply, want)
            }
            Choice::Duplicate(i) => {
                let e = &s.in_flight[i];
                self.run(h, s, e.to, Event::Message(e.from, e.msg.clone()), Apply::default(), want)
            }
            Choice::Timer(i) => {
                // The timer is no longer pending, unless the handler sets the same value again.
                let t = &s.timers[i];
                let apply = Apply { remove_timer: Some(i), ..Apply::default() };
                self.run(h, s, t.node, Event::Timer(t.value.clone()), apply, want)
            }
            Choice::Crash(node) => changed(self.crash(s, node)),
            Choice::Recover(node) => match self.run(h, s, node, Event::Recover, Apply::always(), Want::State)? {
                Some(Next::State(mut next)) => {
                    next.crashed &= !(1 << node);
                    next.sum = next.sum_from_scratch();
                    changed(next)
                }
                _ => unreachable!("a recovery is always a step"),
            },
            Choice::Partition(side) => {
                debug_assert!(o.partition);
                let mut next = s.clone();
                next.partition = PartitionState::Open(side);
                next.sum = next.sum_from_scratch();
                changed(next)
            }
            Choice::Heal => {
                let mut next = s.clone();
                next.partition = PartitionState::Healed;
                next.sum = next.sum_from_scratch();
                changed(next)
            }
        }
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

    fn crash(&self, s: &State<N>, node: NodeId) -> State<N> {
        let mut next = s.clone();
        let mut crashed = s.nodes[node].node().clone();
        crashed.on_crash();
        next.nodes[node] = Slot::new(crashed);
        next.timers.retain(|t| t.node != node);
        next.crashed |= 1 << node;
        next.crashes += 1;
        next.sum = next.sum_from_scratch();
        next
    }

    /// Runs one handler of `node` on a copy of `s` and applies its effects, as far as `want`
    /// asks. `None`: the step changed nothing (no effect, node state equal), and `skip_no_op` is
    /// on.
    fn run(
        &self,
        h: &mut Harness<N::Msg, N::Timer>,
        s: &State<N>,
        node: NodeId,
        event: Event<N::Msg, N::Timer>,
        apply: Apply,
        want: Want,
    ) -> Result<Option<Next<N>>> {
        // A response delivered to a client ends its operation in the history.
        let returned = match (&event, &self.classify) {
            (Event::Message(_, msg), Some(classify)) if classify(msg) == Some(CallKind::Return) => Some(msg.clone()),
            _ => None,
        };
        let mut copy = s.nodes[node].node().clone();
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
            && hash == s.nodes[node].hash
            && copy == *s.nodes[node].node()
        {
            return Ok(None);
        }
        let mut sum = s.sum.wrapping_sub(term::node(node, s.nodes[node].hash)).wrapping_add(term::node(node, hash));
        if let Some(i) = apply.remove_env {
            sum = sum.wrapping_sub(term::message(s.in_flight[i].key));
        }
        // Sends lost in an open partition.
        let crosses = |to: NodeId| match s.partition {
            PartitionState::Open(side) => (side >> node & 1) != (side >> to & 1),
            _ => false,
        };
        let sent = || effects.sends.iter().filter(|(to, _)| !crosses(*to));
        // The client history: the response ends an operation, then each request sent starts one.
        let mut history = None;
        let history_fp = match &self.classify {
            None => None,
            Some(classify) => {
                let invoked = sent().map(|(_, msg)| msg).filter(|msg| classify(msg) == Some(CallKind::Invoke));
                if want == Want::Sum {
                    Some(s.history.fingerprint_after(node, returned.as_ref(), invoked))
                } else {
                    if let Some(msg) = returned {
                        Arc::make_mut(history.get_or_insert_with(|| s.history.arc().clone())).ret(node, msg);
                    }
                    for msg in invoked {
                        Arc::make_mut(history.get_or_insert_with(|| s.history.arc().clone())).invoke(node, msg.clone());
                    }
                    history.as_ref().map(|h| h.fingerprint())
                }
            }
        };
        if let Some(fp) = history_fp {
            sum = sum.wrapping_sub(term::history(s.history.fingerprint())).wrapping_add(term::history(fp));
        }
        let mut envelopes = Vec::with_capacity(if want == Want::Sum { 0 } else { effects.sends.len() });
        for (to, msg) in sent() {
            let env = Envelope::new(node, *to, msg.clone());
            sum = sum.wrapping_add(term::message(env.key));
            if want != Want::Sum {
                envelopes.push(env);
            }
        }
        let timers_change = apply.remove_timer.is_some() || !effects.cancelled.is_empty() || !effects.set.is_empty();
        let timers = timers_change.then(|| {
            let mut timers = s.timers.clone();
            if let Some(i) = apply.remove_timer {
                timers.remove(i);
            }
            for id in &effects.cancelled {
                timers.retain(|t| !(t.node == node && t.id == *id));
            }
            for (id, value) in &effects.set {
                match timers.binary_search_by_key(&(node, id.seq()), |t| (t.node, t.id.seq())) {
                    Ok(at) => timers[at].value = value.clone(),
                    Err(at) => timers.insert(at, PendingTimer { node, value: value.clone(), id: *id }),
                }
            }
            timers
        });
        if let Some(timers) = &timers {
            sum = sum.wrapping_sub(term::timers(&s.timers)).wrapping_add(term::timers(timers));
        }
        if want == Want::Sum {
            return Ok(Some(Next::Sum(sum)));
        }
        let change = Change { node, copy, hash, remove_env: apply.remove_env, envelopes, timers, history, sum };
        Ok(Some(if want == Want::Change {
            Next::Change(change)
        } else {
            Next::State(change.apply(s, self.options.links))
        }))
    }
}

/// How much of a step [`Model::run`] works out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    /// The successor's fingerprint only.
    Sum,
    /// What the handler changed ([`Change`]).
    Change,
    /// The successor.
    State,
}

/// What a handler's step changes in a state: one node's state, the messages (at most one
/// delivered, any number sent), maybe the timers and the history.
pub(crate) struct Change<N: Node> {
    pub(crate) node: NodeId,
    /// The node's state after the handler, and its hash.
    pub(crate) copy: N,
    pub(crate) hash: u64,
    /// The message delivered, by position in the parent's `in_flight`.
    pub(crate) remove_env: Option<usize>,
    /// The messages sent, in the order they were sent.
    pub(crate) envelopes: Vec<Envelope<N::Msg>>,
    /// The pending timers, if they changed.
    pub(crate) timers: Option<Vec<PendingTimer<N::Timer>>>,
    /// The history, if it changed.
    pub(crate) history: Option<Arc<History<N::Msg>>>,
    /// The successor's sum of terms.
    pub(crate) sum: u64,
}

impl<N> Change<N>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    /// The successor of `s` (which this step was taken from).
    fn apply(self, s: &State<N>, links: Links) -> State<N> {
        let mut next = State {
            nodes: s.nodes.iter().map(Slot::share).collect(),
            in_flight: Vec::with_capacity(s.in_flight.len() + self.envelopes.len()),
            timers: self.timers.unwrap_or_else(|| s.timers.clone()),
            crashed: s.crashed,
            crashes: s.crashes,
            partition: s.partition,
            history: self.history.map_or_else(|| s.history.share(), Shared::Owned),
            sum: self.sum,
        };
        next.nodes[self.node] = Slot { node: Shared::Owned(Arc::new(self.copy)), hash: self.hash };
        match self.remove_env {
            Some(i) => next.in_flight.extend(s.in_flight[..i].iter().chain(&s.in_flight[i + 1..]).cloned()),
            None => next.in_flight.extend_from_slice(&s.in_flight),
        }
        for env in self.envelopes {
            let at = position(links, &next.in_flight, &env, |e| (e.key, e.from, e.to));
            next.in_flight.insert(at, env);
        }
        debug_assert_eq!(next.sum, next.sum_from_scratch(), "a step's fingerprint update");
        next
    }
}

/// Where a message just sent goes in a list of messages in flight kept as [`State::in_flight`]
/// is: by key on an unordered network, behind the older messages of its link over FIFO links.
/// `of` gives an entry's (key, sender, receiver).
pub(crate) fn position<E, M>(
    links: Links,
    list: &[E],
    env: &Envelope<M>,
    of: impl Fn(&E) -> (u64, NodeId, NodeId),
) -> usize {
    match links {
        Links::Unordered => list.partition_point(|e| of(e).0 < env.key),
        Links::Fifo => list.partition_point(|e| {
            let (_, from, to) = of(e);
            (from, to) <= (env.from, env.to)
        }),
    }
}

/// What a step leads to: the successor's sum of terms (its fingerprint before finishing), what the
/// handler changed, or the successor itself.
pub(crate) enum Next<N: Node> {
    Sum(u64),
    Change(Change<N>),
    State(State<N>),
}

fn too_many_steps(n: usize) -> Error {
    Error::invalid("steps from one state", n, "at most 65535 enabled steps from any one state")
}
