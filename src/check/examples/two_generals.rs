//! The Two Generals as nodes, checked: for every depth of the acknowledgement chain, some
//! execution ends with one general attacking alone.
//!
//! General A (node 0) sends the plan, B acknowledges, A acknowledges the acknowledgement, and so
//! on until `depth` messages; every message may be lost. Each general attacks only if every
//! message addressed to it arrived. The checker, on a lossy network, finds the execution that
//! [`crate::concepts::two_generals`] explains: all messages but the last arrive.
//!
//! ```
//! use distsim::check::examples::two_generals::{checker, General};
//! let checked = checker(3).run()?;
//! let alone = checked.violation.expect("someone attacks alone");
//! assert_eq!(alone.steps.len(), 3); // two deliveries, then the last message is lost
//! # Ok::<(), distsim::Error>(())
//! ```

use crate::check::Checker;
use crate::engine::{Context, Node, NodeId};

/// One general: how long the chain is and how far it got.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct General {
    /// Messages in the chain.
    pub depth: u8,
    /// The number (1-based) of the last message this general received (0: none).
    pub received: u8,
}

impl General {
    /// Whether this general (node `id`) attacks: it got the last message addressed to it.
    pub fn attacks(&self, id: NodeId) -> bool {
        // A receives the even messages, B the odd ones.
        let last_to_me = (1..=self.depth).rev().find(|m| (m % 2 == 1) == (id == 1)).unwrap_or(0);
        self.received >= last_to_me
    }
}

impl Node for General {
    type Msg = u8;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<u8>) {
        if ctx.id() == 0 {
            ctx.send(1, 1);
        }
    }
    fn on_message(&mut self, ctx: &mut Context<u8>, from: NodeId, m: u8) {
        self.received = m;
        if m < self.depth {
            ctx.send(from, m + 1);
        }
    }
}

/// A check of a `depth`-message chain on a lossy network, with the property that once nothing is
/// in flight the generals agree.
pub fn checker(depth: u8) -> Checker<General> {
    let g = General { depth, received: 0 };
    Checker::new(vec![g.clone(), g])
        .node_names(vec!["A".into(), "B".into()])
        .lossy()
        .always("no general attacks alone", |s| {
            !s.in_flight().is_empty() || s.node(0).attacks(0) == s.node(1).attacks(1)
        })
}
