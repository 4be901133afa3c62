//! What the checker explores and how far.

/// How the network orders messages between two nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Links {
    /// Any message in flight may arrive next (the default, as on a real network).
    Unordered,
    /// Messages on one link (sender, receiver) arrive in the order they were sent, as over TCP.
    Fifo,
}

/// The order in which states are explored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Search {
    /// Level by level, on all cores: the first counterexample found is a shortest one (default).
    BreadthFirst,
    /// Deepest first, on one thread: less memory for the frontier, counterexamples may be long.
    DepthFirst,
}

#[derive(Clone, Debug)]
pub(crate) struct Options {
    pub(crate) links: Links,
    pub(crate) loss: bool,
    pub(crate) duplication: bool,
    pub(crate) max_crashes: usize,
    pub(crate) partition: bool,
    pub(crate) max_depth: usize,
    pub(crate) max_states: usize,
    pub(crate) max_memory: usize,
    pub(crate) skip_no_op: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            links: Links::Unordered,
            loss: false,
            duplication: false,
            max_crashes: 0,
            partition: false,
            max_depth: 1_000,
            max_states: 100_000_000,
            max_memory: 4 << 30,
            skip_no_op: true,
        }
    }
}
