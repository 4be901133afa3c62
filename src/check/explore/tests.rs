//! The visited-set look-up before deduplication ([`Lookup`]) changes what a search costs, never
//! what it finds.

use super::Explored;
use crate::check::examples::abd::{self, Abd};
use crate::check::options::Lookup;
use crate::check::progress::Meter;
use crate::check::Checker;
use crate::prelude::*;

/// Four nodes in a ring pass three numbered tokens on; each counts the tokens it got, modulo 3.
/// Counters wrap around and tokens come back to the same links, so most steps lead back to states
/// of earlier levels: the case the look-up is for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
struct Ring(u8);

impl Node for Ring {
    type Msg = u8;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<u8>) {
        if ctx.id() < 3 {
            ctx.send((ctx.id() + 1) % 4, ctx.id() as u8);
        }
    }
    fn on_message(&mut self, ctx: &mut Context<u8>, _from: NodeId, token: u8) {
        self.0 = (self.0 + 1) % 3;
        ctx.send((ctx.id() + 1) % 4, token);
    }
}

fn explore<N>(checker: Checker<N>, lookup: Lookup) -> Explored
where
    N: Node + crate::check::CheckState,
    N::Msg: crate::check::CheckState,
    N::Timer: crate::check::CheckState,
{
    let mut checker = checker;
    checker.model.options.lookup = lookup;
    (checker.search)(&checker.model, &checker.properties, &Meter::new()).unwrap()
}

fn same_search(a: &Explored, b: &Explored) {
    assert_eq!((a.explored, a.unique, a.max_depth), (b.explored, b.unique, b.max_depth));
    let path = |e: &Explored| e.violation.as_ref().map(|f| (f.property, f.path.clone()));
    assert_eq!(path(a), path(b));
    let witnesses = |e: &Explored| e.witnesses.iter().map(|f| (f.property, f.path.clone())).collect::<Vec<_>>();
    assert_eq!(witnesses(a), witnesses(b));
}

#[test]
fn looking_up_or_not_finds_the_same_states_and_witnesses_where_steps_lead_back() {
    let ring = || {
        Checker::new(vec![Ring::default(); 4])
            .sometimes("every counter at 2", |s| s.nodes().iter().all(|n| n.0 == 2))
            .sometimes("node 3 holds all tokens", |s| s.in_flight().iter().all(|e| e.from == 3))
    };
    let always = explore(ring(), Lookup::Always);
    let never = explore(ring(), Lookup::Never);
    let sampled = explore(ring(), Lookup::Sampled);
    assert_eq!(always.witnesses.len(), 2);
    assert!(always.known > 0, "steps lead back to earlier levels");
    assert_eq!((never.looked_up, never.known), (0, 0));
    assert!(sampled.known > 0);
    same_search(&always, &never);
    same_search(&always, &sampled);
}

#[test]
fn a_sampled_level_looks_up_in_every_chunk_once_one_in_eight_successors_was_seen_before() {
    let chunks = |previous| (0..32).filter(|&ci| super::looks_up(Lookup::Sampled, ci, previous)).collect::<Vec<_>>();
    assert_eq!(chunks((0, 1000)), [0, 16]);
    assert_eq!(chunks((124, 1000)), [0, 16]);
    assert_eq!(chunks((125, 1000)).len(), 32);
    assert_eq!(chunks((0, 0)).len(), 32, "nothing measured yet: look up");
    assert!((0..32).all(|ci| super::looks_up(Lookup::Always, ci, (0, 1000))));
    assert!((0..32).all(|ci| !super::looks_up(Lookup::Never, ci, (1000, 1000))));
}

#[test]
fn where_no_step_leads_back_only_sampled_chunks_look_up() {
    // ABD: every step consumes a message or extends the history, so no state recurs at a later
    // level. With 2 replicas and 3 clients the widest levels are a few chunks wide, and only the
    // first chunk of each level looks up.
    let system = || abd::checker(Abd::system(2, 3, abd::put_then_get(2, 3)));
    let always = explore(system(), Lookup::Always);
    let sampled = explore(system(), Lookup::Sampled);
    let dfs = abd::checker(Abd::system(2, 3, abd::put_then_get(2, 3))).depth_first().run().unwrap();
    assert_eq!(always.unique, dfs.stats.unique_states);
    assert_eq!(always.known, 0);
    assert_eq!(always.looked_up, always.explored - 1, "every successor looked up (the initial state is not one)");
    assert!(sampled.looked_up < always.looked_up * 2 / 3, "{} of {} looked up", sampled.looked_up, always.looked_up);
    same_search(&always, &sampled);
}
