//! Model checking: every execution of a small system, not just the likely ones.
//!
//! A simulation follows one execution, the one its seed picks. The bugs that bite are in the
//! executions nobody thought of: a reply that overtakes an older one, a timer that fires just
//! before a message arrives. [`Checker`] runs the **same [`Node`] code** as the simulator, but at
//! every point it tries every choice the system could make, each a [`Step`]:
//!
//! * which message in flight arrives next (any of them; [`Links::Fifo`] keeps each link in order);
//! * which pending timer fires (time is abstract: any pending timer may fire at any moment);
//! * optionally: a message is lost ([`Checker::lossy`]), or arrives twice
//!   ([`Checker::duplicating`]); up to `k` nodes crash and recover ([`Checker::crashes`]); one
//!   partition opens and heals ([`Checker::partition`]).
//!
//! A global [`State`] is every node's state, the messages in flight as a multiset, the pending
//! timers, and the crashed nodes. The checker stores only each state's 64-bit fingerprint, so
//! **nodes, messages and timers must be `Hash + Eq + Clone`** (and `Send + Sync`, because it
//! explores on all cores): usually `#[derive(Clone, PartialEq, Eq, Hash)]` is all it takes.
//!
//! It searches breadth-first by default, so the first counterexample it finds is a shortest one,
//! and the answer (and the counterexample) is the same on every run and with any number of
//! threads. Properties:
//!
//! * [`Checker::always`]: an invariant of every reachable state (safety);
//! * [`Checker::sometimes`]: some reachable state satisfies it (a witness is returned);
//! * [`Checker::eventually`]: every execution that ends reaches such a state (bounded liveness);
//! * [`Checker::linearizable`]: the clients' history is linearizable for a sequential
//!   [`Spec`](linearizable::Spec) (a register, a key-value map, or your own).
//!
//! A handler's random draws are not explored: a node's stream is reset before every step.
//!
//! ```
//! use distsim::prelude::*;
//! use distsim::check::Checker;
//!
//! /// Node 0 sends "A" then "B" to node 1, which keeps what it got in arrival order.
//! #[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
//! struct Inbox(Vec<char>);
//!
//! impl Node for Inbox {
//!     type Msg = char;
//!     type Timer = ();
//!     fn on_start(&mut self, ctx: &mut Context<char>) {
//!         if ctx.id() == 0 {
//!             ctx.send(1, 'A');
//!             ctx.send(1, 'B');
//!         }
//!     }
//!     fn on_message(&mut self, _ctx: &mut Context<char>, _from: NodeId, m: char) {
//!         self.0.push(m);
//!     }
//! }
//!
//! // On an unordered network B can overtake A: found in 2 steps.
//! let result = Checker::new(vec![Inbox::default(), Inbox::default()])
//!     .always("in order", |s| s.node(1).0 != ['B', 'A'])
//!     .run()?;
//! let cex = result.violation.as_ref().expect("B overtakes A");
//! assert_eq!(cex.steps.len(), 2);
//! assert_eq!(result.stats.unique_states, 5); // start, A, B, AB, BA
//!
//! // Over FIFO links it cannot happen.
//! let fifo = Checker::new(vec![Inbox::default(), Inbox::default()])
//!     .fifo()
//!     .always("in order", |s| s.node(1).0 != ['B', 'A'])
//!     .run()?;
//! assert!(fifo.passed());
//! assert_eq!(fifo.stats.unique_states, 3);
//! # Ok::<(), distsim::Error>(())
//! ```
//!
//! In a notebook the result renders as a table of figures and, for a violation, the steps and a
//! space-time diagram; [`Counterexample::replay`] runs the steps again into an ordinary
//! [`Simulation`](crate::engine::Simulation) whose trace can be inspected and drawn. Long checks show their progress and stop on interrupt with
//! `Error::Interrupted`. A system that outgrows [`Checker::max_states`] or
//! [`Checker::max_depth`] stops with an error naming the bound, not by running out of memory.
//!
//! Interchangeable nodes (replicas running the same code) can be declared with
//! [`Checker::symmetric`]: states that differ only by a renaming of them count once. See
//! [`symmetry`] for when that is sound.
//!
//! Examples checked in the course: [`examples::two_generals`] and [`examples::abd`].

use crate::engine::{Node, NodeId};
use crate::error::{Error, Result};
use std::hash::Hash;
use std::sync::Arc;
use std::time::Instant;

pub mod consistency;
pub mod examples;
mod explore;
mod frontier;
mod hash;
mod history;
mod intern;
pub mod linearizable;
mod marks;
mod model;
mod options;
mod progress;
mod property;
mod replay;
mod result;
mod state;
mod step;
pub mod symmetry;
mod table;

pub use history::{Call, History, Recorded};
pub use options::{Links, Search};
pub use property::Expectation;
pub use replay::Replay;
pub use result::{Checked, Counterexample, Stats};
pub use state::{Envelope, Nodes, NodesIter, PartitionState, PendingTimer, State};
pub use step::Step;
pub use symmetry::Symmetric;

use model::{CallKind, Model};
use options::Options;
use property::Property;

/// What the checker needs of a node's state, its messages and its timers: `Hash + Eq + Clone` to
/// fingerprint and compare global states, `Send + Sync` to explore them on all cores. Every type
/// with those traits has it; `#[derive(Clone, PartialEq, Eq, Hash)]` usually suffices.
#[diagnostic::on_unimplemented(
    message = "the model checker needs `{Self}` to be `Hash + Eq + Clone + Send + Sync`",
    label = "a node, message or timer type of the checked system",
    note = "add `#[derive(Clone, PartialEq, Eq, Hash)]` to `{Self}` (and to the types it holds)"
)]
pub trait CheckState: Hash + Eq + Clone + Send + Sync + 'static {}
impl<T: Hash + Eq + Clone + Send + Sync + 'static> CheckState for T {}

/// A model check of a system of nodes: configure with the builder methods, then [`Checker::run`].
#[must_use = "a checker does nothing until `.run()`"]
pub struct Checker<N: Node> {
    model: Model<N>,
    properties: Vec<Property<N>>,
    names: Vec<String>,
    /// The search `run` calls. A function chosen by the builder rather than a `match` in `run`,
    /// so that a notebook cell compiles only the search it asks for.
    search: SearchFn<N>,
}

type SearchFn<N> = fn(&Model<N>, &[Property<N>], &progress::Meter) -> Result<explore::Explored>;

impl<N> Checker<N>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    /// A check of `nodes` (node `i` is `nodes[i]`), starting where every node's `on_start` has
    /// run. The node type, its `Msg` and its `Timer` must be `Hash + Eq + Clone + Send + Sync`.
    pub fn new(nodes: Vec<N>) -> Self {
        let names = (0..nodes.len()).map(|i| format!("n{i}")).collect();
        Checker {
            model: Model { initial: nodes, options: Options::default(), classify: None, symmetry: None },
            properties: Vec::new(),
            names,
            search: explore::breadth_first::<N>,
        }
    }

    /// Names the nodes in step tables and diagrams.
    pub fn node_names(mut self, names: Vec<String>) -> Self {
        self.names = names;
        self
    }

    /// Delivers messages of one link (sender, receiver) in the order they were sent.
    pub fn fifo(mut self) -> Self {
        self.model.options.links = Links::Fifo;
        self
    }

    /// Any message in flight may also be lost ([`Step::Drop`]).
    pub fn lossy(mut self) -> Self {
        self.model.options.loss = true;
        self
    }

    /// Any message in flight may also be delivered while staying in flight ([`Step::Duplicate`]).
    pub fn duplicating(mut self) -> Self {
        self.model.options.duplication = true;
        self
    }

    /// Up to `k` crashes in an execution ([`Step::Crash`]); a crashed node may recover
    /// ([`Step::Recover`]). Messages to a crashed node wait (or are lost, on a lossy network).
    pub fn crashes(mut self, k: usize) -> Self {
        self.model.options.max_crashes = k;
        self
    }

    /// One partition may open (any split of the nodes) and later heal; messages sent across it
    /// while it is open are lost.
    pub fn partition(mut self) -> Self {
        self.model.options.partition = true;
        self
    }

    /// Searches depth-first (one thread) instead of breadth-first.
    pub fn depth_first(mut self) -> Self {
        self.search = explore::depth_first::<N>;
        self
    }

    /// Stops with an error if a new state lies deeper than `depth` steps (default 1,000).
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.model.options.max_depth = depth;
        self
    }

    /// Stops with an error once more than `states` unique states are found (default 100 million,
    /// about 1.5 GB of fingerprints and path records).
    pub fn max_states(mut self, states: usize) -> Self {
        self.model.options.max_states = states;
        self
    }

    /// Stops with an error once the search would hold more than `bytes` of its own data
    /// (default 4 GiB): the fingerprints, the path records, and for breadth-first search the
    /// level being explored and the next one (compact: a few ids per state) and the distinct node
    /// states, messages and timers they name. The process needs somewhat more than this (the
    /// allocator, the nodes' own heap data), so set it below the memory you have.
    pub fn max_memory(mut self, bytes: usize) -> Self {
        self.model.options.max_memory = bytes;
        self
    }

    /// Whether a delivery or timer that changes nothing (same node state, no effect) counts as a
    /// step. By default it does not, as in Stateright: the message stays in flight, unread.
    pub fn keep_no_op_steps(mut self, keep: bool) -> Self {
        self.model.options.skip_no_op = !keep;
        self
    }

    fn push(mut self, name: &str, expectation: Expectation, f: property::Predicate<N>, history_only: bool) -> Self {
        self.properties.push(Property { name: name.into(), expectation, holds: f, history_only, explain: None });
        self
    }

    /// `holds` must be true in every reachable state.
    pub fn always(self, name: &str, holds: impl Fn(&State<N>) -> bool + Send + Sync + 'static) -> Self {
        self.push(name, Expectation::Always, Arc::new(holds), false)
    }

    /// `holds` must be true in some reachable state (the result carries a witness).
    pub fn sometimes(self, name: &str, holds: impl Fn(&State<N>) -> bool + Send + Sync + 'static) -> Self {
        self.push(name, Expectation::Sometimes, Arc::new(holds), false)
    }

    /// Every execution that ends (no step enabled) must pass through a state where `holds` is
    /// true. Like Stateright's, this is checked along the first path found to each state.
    pub fn eventually(self, name: &str, holds: impl Fn(&State<N>) -> bool + Send + Sync + 'static) -> Self {
        self.push(name, Expectation::Eventually, Arc::new(holds), false)
    }

    /// The clients' history must be linearizable for the sequential object `spec`. `call` says
    /// which messages are client calls: a request a client sends is [`Call::Invoke`], a response
    /// delivered to it is [`Call::Return`]; other messages are `None`. The history becomes part of
    /// the state (as in Stateright), so executions that clients could tell apart stay apart.
    pub fn linearizable<S>(
        mut self,
        spec: S,
        call: impl Fn(&N::Msg) -> Option<Call<S::Op, S::Ret>> + Send + Sync + 'static,
    ) -> Self
    where
        S: linearizable::Spec + Send + Sync + 'static,
    {
        let call = Arc::new(call);
        let classify = call.clone();
        self.model.classify = Some(Arc::new(move |m: &N::Msg| match classify(m) {
            Some(Call::Invoke(_)) => Some(CallKind::Invoke),
            Some(Call::Return(_)) => Some(CallKind::Return),
            None => None,
        }));
        // The calls of a state's history, with each one's index in `history().ops()`.
        let ops_of = move |s: &State<N>| -> (Vec<linearizable::Op<S::Op, S::Ret>>, Vec<usize>) {
            s.history()
                .ops()
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    let Some(Call::Invoke(op)) = call(&r.invoke) else { return None };
                    let ret = match r.ret.as_ref().map(|m| call(m)) {
                        Some(Some(Call::Return(ret))) => Some(ret),
                        _ => None,
                    };
                    Some((linearizable::Op { client: r.client, after: r.after.clone(), op, ret }, i))
                })
                .unzip()
        };
        let ops_of = Arc::new(ops_of);
        let spec = Arc::new(spec);
        let (spec_for_explain, ops_of2) = (spec.clone(), ops_of.clone());
        let holds = move |s: &State<N>| linearizable::linearize(&*spec, &ops_of(s).0).is_some();
        // The operations a violation needs: treat each completed call in turn as if its answer
        // never came (it may then take effect anywhere after its call, or not at all: a weaker
        // history), and keep it so whenever the rest is still not linearizable. The calls left
        // answered are the ones the violation is made of (for a new-old inversion, the two reads).
        let explain = move |s: &State<N>| {
            let (mut ops, index) = ops_of2(s);
            for i in (0..ops.len()).rev() {
                if ops[i].ret.is_some() {
                    let answer = ops[i].ret.take();
                    if linearizable::linearize(&*spec_for_explain, &ops).is_some() {
                        ops[i].ret = answer;
                    }
                }
            }
            (0..ops.len()).filter(|&i| ops[i].ret.is_some()).map(|i| index[i]).collect()
        };
        self = self.push("linearizable", Expectation::Always, Arc::new(holds), true);
        if let Some(p) = self.properties.last_mut() {
            p.explain = Some(Arc::new(explain));
        }
        self
    }

    /// Treats the nodes `nodes` (e.g. `0..3`, the replicas) as interchangeable: a state and every
    /// renaming of those nodes count as one state, so up to `k!` times fewer states are explored
    /// for `k` nodes. The node, message and timer types rename the ids they hold with
    /// [`Symmetric`]; the reduction is sound only if the protocol and the properties treat those
    /// nodes alike (see [`symmetry`]). At most 7 nodes.
    pub fn symmetric(mut self, nodes: std::ops::Range<NodeId>) -> Self
    where
        N: Symmetric,
        N::Msg: Symmetric,
        N::Timer: Symmetric,
    {
        self.model.symmetry =
            Some(symmetry::Symmetry { nodes, perms: Vec::new(), permuted_sum: symmetry::permuted_sum::<N> });
        self
    }

    /// Explores, on the current rayon pool (all cores unless you `install` a smaller one).
    ///
    /// Errors: `InvalidParameter` naming `max_states` or `max_depth` when the system outgrows a
    /// bound, `nodes` for an empty or too large system, `Interrupted` when the cell is
    /// interrupted, and whatever a handler caused (a send to an unknown node).
    pub fn run(mut self) -> Result<Checked<N>> {
        let symmetric = self.model.symmetry.as_ref().map(|sym| sym.nodes.clone());
        let perms = validate(self.model.initial.len(), self.properties.len(), self.names.len(), symmetric)?;
        if let Some(sym) = &mut self.model.symmetry {
            sym.perms = perms;
        }
        let start = Instant::now();
        let meter = progress::Meter::new();
        let explored = (self.search)(&self.model, &self.properties, &meter)?;
        let search = match explored.search {
            Search::BreadthFirst => "breadth-first",
            Search::DepthFirst => "depth-first",
        };
        let secs = start.elapsed().as_secs_f64();
        let mut h = self.model.harness();
        let mut build = |found: &explore::Found| -> Result<Counterexample<N>> {
            let mut s = self.model.initial_state(&mut h)?;
            let mut steps = Vec::with_capacity(found.path.len());
            // Per step: each client's (calls made, calls answered) after it, to find the step
            // where a history operation began or ended.
            let mut progress: Vec<Vec<(usize, usize, usize)>> = Vec::with_capacity(found.path.len());
            for &k in &found.path {
                let (choice, next) = self.model.successor(&mut h, &s, k)?;
                steps.push(self.model.describe(&s, choice));
                s = next;
                progress.push(marks::client_progress(s.history()));
            }
            let p = &self.properties[found.property];
            let marks = marks::marks(p, &s, &progress, &self.names);
            Ok(Counterexample {
                property: p.name.clone(),
                expectation: p.expectation,
                steps,
                last: s.nodes().to_vec(),
                initial: self.model.initial.clone(),
                names: self.names.clone(),
                marks,
            })
        };
        let violation = explored.violation.as_ref().map(&mut build).transpose()?;
        let witnesses = explored.witnesses.iter().map(&mut build).collect::<Result<Vec<_>>>()?;
        let unreached = self
            .properties
            .iter()
            .filter(|p| p.expectation == Expectation::Sometimes && !witnesses.iter().any(|w| w.property == p.name))
            .map(|p| p.name.clone())
            .collect();
        let stats = Stats {
            search,
            threads: explored.threads,
            states_explored: explored.explored,
            unique_states: explored.unique,
            max_depth: explored.max_depth,
            secs,
            bytes_per_state: explored.bytes as f64 / explored.unique.max(1) as f64,
            peak_bytes_per_state: explored.peak_bytes as f64 / explored.unique.max(1) as f64,
        };
        Ok(Checked { stats, violation, witnesses, unreached })
    }
}

/// Checks a checker's sizes before it runs: `n` nodes, `properties`, `names` and the `symmetric`
/// range; returns the renamings of that range (empty without one).
fn validate(
    n: usize,
    properties: usize,
    names: usize,
    symmetric: Option<std::ops::Range<NodeId>>,
) -> Result<Vec<Vec<NodeId>>> {
    if n == 0 {
        return Err(Error::empty("nodes"));
    }
    if n > 64 {
        return Err(Error::invalid("nodes", n, "at most 64 nodes (a check explores small systems)"));
    }
    if properties > 64 {
        return Err(Error::invalid("properties", properties, "at most 64 properties"));
    }
    if names != n {
        return Err(Error::invalid("node_names", names, format!("one name per node ({n})")));
    }
    let Some(r) = symmetric else { return Ok(Vec::new()) };
    if r.start >= r.end || r.end > n || r.len() > 7 {
        return Err(Error::invalid("symmetric", format!("{r:?}"), format!("a range of 1 to 7 node ids within 0..{n}")));
    }
    Ok(symmetry::permutations(&r, n))
}
