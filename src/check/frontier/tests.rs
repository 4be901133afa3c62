//! A successor written from what its step changed ([`Codec::encode_change`]) has the same ids as
//! the successor built and encoded whole ([`Codec::encode`]), in every state and every step of
//! small systems that exercise each part of a state. The shortcuts agree too: a step's
//! fingerprint worked out without building its successor, and the sum a decoded state reads from
//! the tables, equal those computed from the whole successor.

use super::Codec;
use crate::check::examples::abd::{self, Abd};
use crate::check::model::Next;
use crate::check::state::finish;
use crate::check::{CheckState, Checker};
use crate::prelude::*;
use std::collections::HashSet;

/// Node 0 asks node 1 until it answers, with a timer per attempt (at most three); node 1 answers
/// every request. Timers are set, fire, are set again and are cancelled.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
struct Retry {
    attempts: u8,
    answered: bool,
    timer: Option<TimerId>,
}

impl Node for Retry {
    type Msg = u8;
    type Timer = u8;
    fn on_start(&mut self, ctx: &mut Context<u8, u8>) {
        if ctx.id() == 0 {
            self.ask(ctx);
        }
    }
    fn on_message(&mut self, ctx: &mut Context<u8, u8>, from: NodeId, m: u8) {
        if ctx.id() == 1 {
            ctx.send(from, m);
        } else if !self.answered {
            self.answered = true;
            if let Some(id) = self.timer.take() {
                ctx.cancel_timer(id);
            }
        }
    }
    fn on_timer(&mut self, ctx: &mut Context<u8, u8>, _attempt: u8) {
        self.timer = None;
        if !self.answered && self.attempts < 3 {
            self.ask(ctx);
        }
    }
}

impl Retry {
    fn ask(&mut self, ctx: &mut Context<u8, u8>) {
        self.attempts += 1;
        ctx.send(1, self.attempts);
        self.timer = Some(ctx.set_timer(millis(10), self.attempts));
    }
}

/// Walks the states of `checker`'s system breadth-first (the first 3,000: duplication makes some
/// systems unbounded) and compares the two encodings of every step; returns how many steps were
/// written from their change.
fn agree<N>(checker: Checker<N>) -> usize
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    let model = &checker.model;
    let codec = Codec::new(model.initial.len());
    let mut h = model.harness();
    let first = model.initial_state(&mut h).unwrap();
    let mut seen = HashSet::from([first.fingerprint()]);
    let (mut level, mut changes, mut list) = (vec![first], 0, Vec::new());
    while !level.is_empty() {
        let mut next = Vec::new();
        for s in &level {
            let mut ids = Vec::new();
            codec.encode(s, None, &mut ids);
            let mut steps = Vec::new();
            model.successor_fingerprints(&mut h, s, |step, fp| steps.push((step, fp))).unwrap();
            for (step, fp) in steps {
                let (_, child) = model.successor(&mut h, s, step).unwrap();
                // The fingerprint the search dedupes by, worked out without building the child.
                assert_eq!(fp, finish(child.sum_from_scratch()), "step {step}'s fingerprint");
                let mut whole = Vec::new();
                codec.encode(&child, Some((&ids, s)), &mut whole);
                let mut slot = None;
                // SAFETY: `slot` is dropped at the end of this iteration, before the codec.
                let decoded = unsafe { codec.decode_into(&whole, &mut slot) };
                assert_eq!(decoded.sum, child.sum_from_scratch(), "the sum of step {step}'s child, decoded");
                if let Next::Change(change) = model.successor_change(&mut h, s, step).unwrap() {
                    let mut written = Vec::new();
                    codec.encode_change((&ids, s), &change, model.options.links, &mut list, &mut written);
                    assert_eq!(written, whole, "step {step} from a state of {} messages", s.in_flight.len());
                    changes += 1;
                }
                if seen.len() < 3_000 && seen.insert(child.fingerprint()) {
                    next.push(child);
                }
            }
        }
        level = next;
    }
    changes
}

#[test]
fn timers_set_fire_and_cancelled_over_a_lossy_duplicating_network() {
    let nodes = vec![Retry::default(), Retry::default()];
    assert!(agree(Checker::new(nodes.clone()).lossy().duplicating()) > 100);
    assert!(agree(Checker::new(nodes).fifo().duplicating().crashes(1)) > 100);
}

#[test]
fn abd_with_its_client_history_on_unordered_and_fifo_links() {
    let system = || Abd::system(2, 2, abd::put_then_get(2, 2));
    assert!(agree(abd::checker(system())) > 500);
    assert!(agree(abd::checker(system()).fifo()) > 500);
    assert!(agree(abd::checker(system()).partition()) > 500);
}
