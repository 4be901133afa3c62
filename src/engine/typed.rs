//! What a run holds of the node's own types: the messages in flight, the pending timers' values,
//! the tamper rule, and the model checker's capture buffer. Beside the non-generic [`Core`], this
//! is the part a notebook cell compiles for its node type, so it stays small: a send here is a
//! thin shell around two calls into the core (see `core.rs` for why).

use super::capture::Captured;
use super::core::Core;
use super::messages::MessageSlab;
use super::timers::TimerSlab;
use super::NodeId;
use crate::error::Error;
use crate::network::{Packet, Verdict};
use crate::trace::DropReason;

/// A tamper rule: sees every message at send time and may rewrite, replace or drop it.
pub type TamperRule<M> = Box<dyn FnMut(&mut Packet<M>) -> Verdict<M>>;

pub(crate) struct Typed<M, T> {
    pub(crate) messages: MessageSlab<M>,
    /// The values of pending timers; a timer's queue entry holds its slot.
    pub(crate) timers: TimerSlab<T>,
    pub(crate) tamper: Option<TamperRule<M>>,
    /// `Some` only under the model checker: handlers' effects go into this buffer instead of the
    /// queue (see `capture.rs`). Boxed so that the simulator grows by one pointer, and tested with
    /// one predictable branch on each send, timer and log.
    pub(crate) capture: Option<Box<Captured<M, T>>>,
}

impl<M: Clone + std::fmt::Debug, T> Typed<M, T> {
    pub(crate) fn new() -> Self {
        Typed { messages: MessageSlab::new(), timers: TimerSlab::new(), tamper: None, capture: None }
    }

    /// The whole path of a message from `from`'s handler into the event queue.
    #[inline]
    pub(crate) fn send(&mut self, core: &mut Core, from: NodeId, to: NodeId, msg: M, bytes: u64) {
        if to >= core.n {
            core.fail(Error::unknown_node("send.to", to, core.n));
            return;
        }
        if let Some(captured) = self.capture.as_mut() {
            captured.sends.push((to, msg));
            return;
        }
        // The label (debug text) costs an allocation, so only full traces pay for it.
        let label = core.full.then(|| format!("{msg:?}"));
        let (id, stamp) = core.send_begins(from, to, label);
        let (mut from_claimed, mut to, mut msg) = (from, to, msg);
        if self.tamper.is_some() {
            match self.tampered(core, Packet { from, to, msg, id }) {
                Some(packet) => (from_claimed, to, msg) = (packet.from, packet.to, packet.msg),
                None => return,
            }
        }
        let payload = self.messages.insert(msg);
        let messages = &mut self.messages;
        let mut copy = || {
            let copy = messages.get(&payload).clone();
            messages.insert(copy)
        };
        if !core.send_routes((from, from_claimed, to), id, stamp, payload, bytes, &mut copy) {
            self.messages.take(payload);
        }
    }

    /// A hostile party may rewrite the packet: forge the sender, redirect it, change or drop it.
    /// `None` if it dropped the packet or named an unknown node (then the run ends with an error).
    #[cold]
    fn tampered(&mut self, core: &mut Core, mut packet: Packet<M>) -> Option<Packet<M>> {
        let rule = self.tamper.as_mut()?;
        let (from, addressed_to) = (packet.from, packet.to);
        match rule(&mut packet) {
            Verdict::Pass => {}
            Verdict::Replace(m) => packet.msg = m,
            Verdict::Drop => {
                core.drop_msg(from, addressed_to, packet.id, DropReason::Rejected);
                return None;
            }
        }
        for (parameter, node) in [("tamper.packet.to", packet.to), ("tamper.packet.from", packet.from)] {
            if node >= core.n {
                core.fail(Error::unknown_node(parameter, node, core.n));
                return None;
            }
        }
        Some(packet)
    }
}
