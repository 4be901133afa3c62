//! The breadth-first levels are kept compact (a few interned ids per state) and bounded in memory.
//! Depth-first search keeps whole states, so it is an independent check of the compact form: both
//! must find the same states.

use distsim::check::examples::abd::{self, Abd, ClientOp};
use distsim::check::{Checked, Checker};
use distsim::prelude::*;
use distsim::Error;

/// Node 0 pings node 1 on each of its two timer ticks; node 1 answers; node 0 counts the answers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Pinger {
    ticks: u8,
    pongs: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Ping {
    Ping(u8),
    Pong(u8),
}

impl Node for Pinger {
    type Msg = Ping;
    type Timer = u8;
    fn on_start(&mut self, ctx: &mut Context<Ping, u8>) {
        if ctx.id() == 0 {
            ctx.set_timer(millis(1), 0);
        }
    }
    fn on_timer(&mut self, ctx: &mut Context<Ping, u8>, tick: u8) {
        self.ticks += 1;
        ctx.send(1, Ping::Ping(tick));
        if tick < 1 {
            ctx.set_timer(millis(1), tick + 1);
        }
    }
    fn on_message(&mut self, ctx: &mut Context<Ping, u8>, from: NodeId, m: Ping) {
        match m {
            Ping::Ping(k) => ctx.send(from, Ping::Pong(k)),
            Ping::Pong(_) => self.pongs += 1,
        }
    }
}

fn pingers() -> Checker<Pinger> {
    // Timers, loss, a crash and a partition: every part of a state changes somewhere.
    Checker::new(vec![Pinger { ticks: 0, pongs: 0 }; 2]).lossy().crashes(1).partition()
}

fn on_threads<N: Node>(threads: usize, run: impl FnOnce() -> distsim::Result<Checked<N>> + Send) -> Checked<N>
where
    Checked<N>: Send,
{
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(run).unwrap()
}

#[test]
fn compact_levels_find_the_states_depth_first_search_finds_on_any_thread_count() {
    let dfs = pingers().depth_first().always("true", |_| true).run().unwrap();
    assert!(dfs.stats.unique_states > 100, "{}", dfs.stats.unique_states);
    for threads in [1, 4] {
        let bfs = on_threads(threads, || pingers().always("true", |_| true).run());
        let (a, b) = (&bfs.stats, &dfs.stats);
        assert_eq!((a.unique_states, a.states_explored), (b.unique_states, b.states_explored), "{threads} threads");
    }
    // ABD with 3 replicas and 1 client: Stateright's counts (tests/check_abd.rs), both ways.
    for threads in [1, 4] {
        let r = on_threads(threads, || abd::checker(Abd::system(3, 1, abd::put_then_get(3, 1))).run());
        assert_eq!((r.stats.unique_states, r.stats.states_explored), (1_449, 3_728));
    }
}

#[test]
fn the_same_counterexample_from_compact_levels_on_1_and_4_threads() {
    let check = |threads| {
        let nodes =
            Abd::without_write_back(Abd::system(3, 2, vec![vec![ClientOp::Put], vec![ClientOp::Get, ClientOp::Get]]));
        let r = on_threads(threads, || abd::checker(nodes).run());
        let cex = r.violation.expect("a new-old inversion");
        (cex.steps, cex.last, r.stats.unique_states, r.stats.states_explored)
    };
    let one = check(1);
    assert_eq!(one.0.len(), 11);
    assert_eq!(one, check(4));
    assert_eq!(one, check(4), "and on every run");
}

#[test]
fn a_search_that_would_outgrow_max_memory_stops_with_an_error_naming_it() {
    // Three counters of 0..=50 (132,651 states) need over a megabyte of fingerprints alone.
    let one = Checker::new(vec![Counter(0)]).always("true", |_| true).max_memory(1 << 20).run();
    assert_eq!(one.map(|r| r.stats.unique_states).ok(), Some(51), "a tiny system fits");
    let counters = |dfs: bool| {
        let c = Checker::new(vec![Counter(0); 3]).always("true", |_| true).max_memory(500_000);
        if dfs {
            c.depth_first()
        } else {
            c
        }
    };
    for dfs in [false, true] {
        match counters(dfs).run() {
            Err(Error::InvalidParameter { parameter, value, expected }) => {
                assert_eq!(parameter, "max_memory");
                assert!(value.contains("MB") && value.contains("unique states"), "{value}");
                assert!(expected.contains("500000"), "{expected}");
            }
            other => panic!("expected a max_memory error (dfs: {dfs}), got {:?}", other.map(|r| r.stats)),
        }
    }
    let r = Checker::new(vec![Counter(0); 3]).always("true", |_| true).run().unwrap();
    assert_eq!(r.stats.unique_states, 51 * 51 * 51);
    assert!(r.stats.peak_bytes_per_state > r.stats.bytes_per_state, "{:?}", r.stats);
}

/// Counts its own timer firings up to 50.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Counter(u32);

impl Node for Counter {
    type Msg = ();
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<(), ()>) {
        ctx.set_timer(millis(1), ());
    }
    fn on_timer(&mut self, ctx: &mut Context<(), ()>, _: ()) {
        self.0 += 1;
        if self.0 < 50 {
            ctx.set_timer(millis(1), ());
        }
    }
}
