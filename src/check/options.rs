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
    /// When a breadth-first chunk looks its successors up in the visited set (tests pin it).
    pub(crate) lookup: Lookup,
}

/// Whether a breadth-first chunk looks each successor up in the visited set before handing it to
/// the deduplication pass, which inserts it anyway (and so finds the same states either way).
///
/// The look-up only drops states seen at an *earlier* level, and costs a cache miss per
/// successor. In many protocols no step ever leads back to an earlier level (ABD: every step
/// consumes a message or extends the history), so it finds nothing: in the 3-replica, 2-client ABD
/// check it found none of 195 M successors and took a tenth of the search. What it saves, where it
/// finds something, is memory: 14 bytes per dropped successor until the level is deduplicated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// Every chunk looks up if, in the previous level, at least 1 in 8 of the successors that
    /// were looked up had been seen before; otherwise only every 16th chunk does, to keep
    /// measuring (the default).
    Sampled,
    // Only the tests choose these, to show that the look-up changes no result.
    #[cfg_attr(not(test), allow(dead_code))]
    Always,
    #[cfg_attr(not(test), allow(dead_code))]
    Never,
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
            lookup: Lookup::Sampled,
        }
    }
}
