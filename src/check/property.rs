//! Properties: what must hold in every state, what must be reachable, what must eventually happen.

use super::state::State;
use crate::engine::Node;
use std::sync::Arc;

/// The kind of a property.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expectation {
    /// Holds in every reachable state (safety); a counterexample is a path to a state where it fails.
    Always,
    /// Holds in some reachable state; the witness is a path to one.
    Sometimes,
    /// Every execution reaches a state where it holds, checked on executions that end (no step is
    /// enabled) within the explored space; a counterexample is an ending path that never met it.
    Eventually,
}

pub(crate) type Predicate<N> = Arc<dyn Fn(&State<N>) -> bool + Send + Sync>;

/// For a violated property, the client-history operations (indices into
/// `state.history().ops()`) that make the violation, to highlight in the counterexample.
pub(crate) type Explain<N> = Arc<dyn Fn(&State<N>) -> Vec<usize> + Send + Sync>;

pub(crate) struct Property<N: Node> {
    pub(crate) name: String,
    pub(crate) expectation: Expectation,
    pub(crate) holds: Predicate<N>,
    /// Depends only on the client history: a state whose history equals its parent's has the
    /// parent's verdict, so the (costly) check is skipped.
    pub(crate) history_only: bool,
    /// Which history operations a violation consists of (`None`: the last step is the culprit).
    pub(crate) explain: Option<Explain<N>>,
}
