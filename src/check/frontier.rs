//! A breadth-first level, compact: each state is a few ids (`u32`) into interned tables: the rest
//! (timers, crash and partition flags, history), one id per node state, the number of messages in
//! flight and one id per message. For 3 replicas and 2 clients that is about 50 bytes instead of
//! several hundred. (Interning each whole list of messages as one id, SPIN's second level, was
//! tried and rejected: with it the 3-replica, 2-client ABD check peaked at 98 accounted bytes per
//! unique state, 126 by resident memory, against 15 for fingerprints and paths; of all the parts,
//! only that table grows with the number of states, and it is kept to the end.)
//!
//! A state is encoded from its parent's ids: a part the step did not change (most nodes, most
//! messages, usually the rest) keeps its parent's id without a look-up. Decoding gives back the same
//! [`State`] (the same nodes, messages in the same order, the same timers and history), so the
//! search sees exactly what it saw when it kept whole states.

use super::history::History;
use super::intern::Interner;
use super::model::{position, Change};
use super::options::Links;
use super::state::{term, Envelope, PartitionState, PendingTimer, Shared, Slot, State};
use super::CheckState;
use crate::engine::{Node, NodeId};
use std::sync::Arc;

#[cfg(test)]
mod tests;

/// Everything in a state besides the nodes and the messages: rarely changed by a step.
struct Rest<N: Node> {
    timers: Vec<PendingTimer<N::Timer>>,
    crashed: u64,
    crashes: u8,
    partition: PartitionState,
    history: Arc<History<N::Msg>>,
}

impl<N: Node> Clone for Rest<N>
where
    N::Timer: Clone,
{
    fn clone(&self) -> Self {
        Rest {
            timers: self.timers.clone(),
            crashed: self.crashed,
            crashes: self.crashes,
            partition: self.partition,
            history: self.history.clone(),
        }
    }
}

impl<N: Node> PartialEq for Rest<N>
where
    N::Timer: Eq,
    N::Msg: Eq,
{
    fn eq(&self, o: &Self) -> bool {
        (self.crashed, self.crashes, self.partition) == (o.crashed, o.crashes, o.partition)
            && self.timers == o.timers
            && self.history == o.history
    }
}

impl<N: Node> Eq for Rest<N>
where
    N::Timer: Eq,
    N::Msg: Eq,
{
}

/// The interned tables of one search.
pub(crate) struct Codec<N: Node> {
    n: usize,
    rests: Interner<Rest<N>>,
    nodes: Interner<N>,
    messages: Interner<Envelope<N::Msg>>,
}

impl<N> Codec<N>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    pub(crate) fn new(n: usize) -> Self {
        Codec { n, rests: Interner::new(), nodes: Interner::new(), messages: Interner::new() }
    }

    /// How many ids the state that starts `ids` takes.
    #[inline]
    pub(crate) fn len(&self, ids: &[u32]) -> usize {
        self.n + 2 + ids[self.n + 1] as usize
    }

    /// The states of `ids` (encoded one after another), in order.
    pub(crate) fn states<'a>(&'a self, mut ids: &'a [u32]) -> impl Iterator<Item = &'a [u32]> + 'a {
        std::iter::from_fn(move || {
            if ids.is_empty() {
                return None;
            }
            let (one, rest) = ids.split_at(self.len(ids));
            ids = rest;
            Some(one)
        })
    }

    /// Appends the ids of `s` to `out`. `parent`: the ids and state it was reached from, whose
    /// unchanged parts it shares.
    pub(crate) fn encode(&self, s: &State<N>, parent: Option<(&[u32], &State<N>)>, out: &mut Vec<u32>) {
        let n = self.n;
        let same_rest = parent.is_some_and(|(_, p)| {
            p.crashed == s.crashed
                && p.crashes == s.crashes
                && p.partition == s.partition
                && Arc::ptr_eq(p.history.arc(), s.history.arc())
                && p.timers == s.timers
        });
        out.push(match parent {
            Some((ids, _)) if same_rest => ids[0],
            _ => self.intern_rest(s, &s.timers, s.history.arc()),
        });
        for (i, slot) in s.nodes.iter().enumerate() {
            out.push(match parent {
                Some((ids, p)) if Arc::ptr_eq(p.nodes[i].node.arc(), slot.node.arc()) => ids[1 + i],
                _ => self.nodes.intern_arc(slot.node.arc(), slot.hash),
            });
        }
        // The messages: those still in flight from the parent keep its ids.
        let parent_list = parent.map(|(ids, p)| (&ids[n + 2..], p));
        out.push(s.in_flight.len() as u32);
        let mut from = 0;
        for e in &s.in_flight {
            let known = parent_list.and_then(|(ids, p)| {
                let j = (from..p.in_flight.len()).chain(0..from).find(|&j| {
                    let f = &p.in_flight[j];
                    f.key == e.key && f == e
                })?;
                from = j + 1;
                Some(ids[j])
            });
            out.push(known.unwrap_or_else(|| self.intern_message(e)));
        }
    }

    /// Appends the ids of the state that `change` leads to from `parent` (whose ids are
    /// `parent_ids`), without building that state: the same ids as [`Codec::encode`] of the
    /// successor. Building it copied every message in flight and every part it shares with its
    /// parent, only to drop them: building and encoding took 38% of the instructions of a bounded
    /// ABD search (callgrind), taking the step and this 28%. `list` is scratch space, kept by the
    /// caller so that a search does not allocate it for every state.
    pub(crate) fn encode_change(
        &self,
        (parent_ids, parent): (&[u32], &State<N>),
        change: &Change<N>,
        links: Links,
        list: &mut Vec<(u64, NodeId, NodeId, u32)>,
        out: &mut Vec<u32>,
    ) {
        let n = self.n;
        out.push(match (&change.timers, &change.history) {
            (None, None) => parent_ids[0],
            (timers, history) => self.intern_rest(
                parent,
                timers.as_deref().unwrap_or(&parent.timers),
                history.as_ref().unwrap_or(parent.history.arc()),
            ),
        });
        for (i, &id) in parent_ids[1..=n].iter().enumerate() {
            out.push(if i == change.node { self.nodes.intern(&change.copy, change.hash, 0) } else { id });
        }
        // The parent's messages but the one delivered, with the new ones put where `State`
        // keeps them: (key, sender, receiver, id) each, to find those places.
        list.clear();
        list.extend(
            parent
                .in_flight
                .iter()
                .zip(&parent_ids[n + 2..])
                .enumerate()
                .filter(|&(j, _)| Some(j) != change.remove_env)
                .map(|(_, (e, &id))| (e.key, e.from, e.to, id)),
        );
        for e in &change.envelopes {
            let at = position(links, list, e, |&(key, from, to, _)| (key, from, to));
            list.insert(at, (e.key, e.from, e.to, self.intern_message(e)));
        }
        out.push(list.len() as u32);
        out.extend(list.iter().map(|m| m.3));
    }

    /// The id of message `e`. It is interned under its term of the state's sum (a well-mixed
    /// function of its fingerprint, so as good a hash), which decoding then reads back instead of
    /// mixing it again.
    fn intern_message(&self, e: &Envelope<N::Msg>) -> u32 {
        self.messages.intern(e, term::message(e.key), 0)
    }

    /// The id of the rest of a state like `s` but with `timers` and `history`. Its hash is the
    /// rest's terms of the state's sum: decoding starts its sum from it.
    fn intern_rest(&self, s: &State<N>, timers: &[PendingTimer<N::Timer>], history: &Arc<History<N::Msg>>) -> u32 {
        let rest = Rest {
            timers: timers.to_vec(),
            crashed: s.crashed,
            crashes: s.crashes,
            partition: s.partition,
            history: history.clone(),
        };
        let hash = term::rest(timers, s.crashed, s.crashes, s.partition, history.fingerprint());
        let heap = std::mem::size_of_val(timers);
        self.rests.intern(&rest, hash, heap)
    }

    /// The state whose ids are `ids`, decoded into `slot` (reusing the lists of the state it
    /// holds, if any: a search decodes every state of a level, and allocating those lists each
    /// time cost 2%). Its nodes and history borrow the interned values without counting them (see
    /// [`Shared`]).
    ///
    /// # Safety
    /// The state, and every successor built from it, must be dropped before this codec. (Its
    /// public `clone` is a counted copy, which may live on.)
    pub(crate) unsafe fn decode_into<'s>(&self, ids: &[u32], slot: &'s mut Option<State<N>>) -> &'s State<N> {
        let n = self.n;
        let (rest, rest_terms) = self.rests.get(ids[0]);
        let s = slot.get_or_insert_with(|| State {
            nodes: Vec::with_capacity(n),
            in_flight: Vec::new(),
            timers: Vec::new(),
            crashed: 0,
            crashes: 0,
            partition: PartitionState::Never,
            history: Shared::Owned(rest.history.clone()),
            sum: 0,
        });
        // The sum of terms comes from what the tables hold: the rest's hash is its terms, a
        // message's its term. (Recomputing it from scratch took 5% of a check.)
        let mut sum = *rest_terms;
        s.nodes.clear();
        for (i, &id) in ids[1..=n].iter().enumerate() {
            let (node, hash) = self.nodes.get(id);
            sum = sum.wrapping_add(term::node(i, *hash));
            // SAFETY: the interner keeps `node` at its address as long as the codec lives, and
            // the caller drops the state before the codec.
            s.nodes.push(Slot { node: unsafe { Shared::interned(node) }, hash: *hash });
        }
        s.in_flight.clear();
        for &id in &ids[n + 2..] {
            let (envelope, message_term) = self.messages.get(id);
            sum = sum.wrapping_add(*message_term);
            s.in_flight.push((**envelope).clone());
        }
        s.timers.clone_from(&rest.timers);
        (s.crashed, s.crashes, s.partition) = (rest.crashed, rest.crashes, rest.partition);
        // SAFETY: as for the nodes: `rest` is interned, so its history stays where it is.
        s.history = unsafe { Shared::interned(&rest.history) };
        s.sum = sum;
        debug_assert_eq!(s.sum, s.sum_from_scratch(), "the sum of a decoded state");
        s
    }

    /// Bytes the tables hold.
    pub(crate) fn bytes(&self) -> usize {
        self.rests.bytes() + self.nodes.bytes() + self.messages.bytes()
    }
}
