//! The choices the checker makes, one enum variant per kind of nondeterminism.

use crate::engine::NodeId;

/// One step of an execution: the choice the checker made at that point. A counterexample is a
/// list of these, so it can be replayed, printed and drawn.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Step<M, T> {
    /// The message `msg` from `from` reached `to`, whose `on_message` ran.
    Deliver { from: NodeId, to: NodeId, msg: M },
    /// A copy of `msg` reached `to`; the original stays in flight (a duplicating network).
    Duplicate { from: NodeId, to: NodeId, msg: M },
    /// The network lost `msg`.
    Drop { from: NodeId, to: NodeId, msg: M },
    /// `node`'s timer carrying `timer` fired.
    Timer { node: NodeId, timer: T },
    /// `node` crashed (its `on_crash` ran, its timers are gone).
    Crash { node: NodeId },
    /// `node` restarted (its `on_recover` ran).
    Recover { node: NodeId },
    /// A partition opened between `side` and the other nodes: messages sent across it are lost.
    Partition { side: Vec<NodeId> },
    /// The partition healed.
    Heal,
}

impl<M: std::fmt::Debug, T: std::fmt::Debug> Step<M, T> {
    /// A one-line description, e.g. `n3 -> n0 deliver Put(3, 'A')`.
    pub fn describe(&self, name: impl Fn(NodeId) -> String) -> String {
        match self {
            Step::Deliver { from, to, msg } => format!("{} -> {} deliver {msg:?}", name(*from), name(*to)),
            Step::Duplicate { from, to, msg } => format!("{} -> {} deliver a copy of {msg:?}", name(*from), name(*to)),
            Step::Drop { from, to, msg } => format!("{} -> {} lose {msg:?}", name(*from), name(*to)),
            Step::Timer { node, timer } => format!("{} timer {timer:?}", name(*node)),
            Step::Crash { node } => format!("{} crash", name(*node)),
            Step::Recover { node } => format!("{} recover", name(*node)),
            Step::Partition { side } => {
                let side: Vec<String> = side.iter().map(|&n| name(n)).collect();
                format!("partition {{{}}} from the rest", side.join(", "))
            }
            Step::Heal => "heal the partition".to_string(),
        }
    }
}

/// A step as the explorer enumerates it: positions in the state, no clones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Choice {
    Deliver(usize),
    Duplicate(usize),
    Drop(usize),
    Timer(usize),
    Crash(NodeId),
    Recover(NodeId),
    Partition(u64),
    Heal,
}
