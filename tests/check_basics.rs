//! The model checker on tiny protocols with answers worked out by hand.

use distsim::check::examples::{abd, two_generals};
use distsim::check::{Checker, Step};
use distsim::prelude::*;

/// Node 0 sends `count` numbered messages to node 1 at start; node 1 records them in arrival order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
struct Inbox(Vec<u8>);

impl Node for Inbox {
    type Msg = u8;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<u8>) {
        send_three_to_node_1(ctx);
    }
    fn on_message(&mut self, _ctx: &mut Context<u8>, _from: NodeId, m: u8) {
        self.0.push(m);
    }
}

/// Node 0's start in both tiny protocols: messages 0, 1 and 2 to node 1.
fn send_three_to_node_1(ctx: &mut Context<u8>) {
    if ctx.id() == 0 {
        for m in 0..3 {
            ctx.send(1, m);
        }
    }
}

fn inbox() -> Vec<Inbox> {
    vec![Inbox::default(), Inbox::default()]
}

#[test]
fn a_correct_protocol_has_no_violation_and_the_state_count_worked_out_by_hand() {
    // Unordered: a state is the sequence node 1 received so far, a prefix of some permutation of
    // {0, 1, 2}: 1 (empty) + 3 + 3·2 + 3·2·1 = 16 states; 15 deliveries reach a new state each.
    let r = Checker::new(inbox()).always("no loss", |s| s.node(1).0.len() + s.in_flight().len() == 3).run().unwrap();
    assert!(r.passed());
    assert_eq!(r.stats.unique_states, 16);
    assert_eq!(r.stats.max_depth, 3);
    assert_eq!(r.stats.states_explored, 16);
    // FIFO: only the prefixes of 0,1,2: 4 states.
    let r =
        Checker::new(inbox()).fifo().always("in order", |s| s.node(1).0.windows(2).all(|w| w[0] < w[1])).run().unwrap();
    assert!(r.passed());
    assert_eq!(r.stats.unique_states, 4);
    // Lossy: any subset of the 3 messages may be lost, in any order: for each k received, the
    // received sequence (3!/(3-k)! choices) times the subsets of the rest that are lost (2^(3-k)):
    // k=0: 8, k=1: 3·4 = 12, k=2: 6·2 = 12, k=3: 6 → 38 states.
    let r = Checker::new(inbox()).lossy().always("true", |_| true).run().unwrap();
    assert_eq!(r.stats.unique_states, 38);
}

#[test]
fn a_buggy_protocol_gives_a_shortest_counterexample_of_known_length() {
    // "Node 1 gets message 2 last" fails first when 2 arrives before another: 1 step (deliver 2).
    let r = Checker::new(inbox())
        .always("2 arrives last", |s| s.node(1).0.first() != Some(&2) || s.node(1).0.len() == 3)
        .run()
        .unwrap();
    let cex = r.violation.expect("message 2 may overtake");
    assert_eq!(cex.steps, vec![Step::Deliver { from: 0, to: 1, msg: 2 }]);
    assert_eq!(cex.last[1].0, vec![2]);
}

#[test]
fn the_figures_name_the_search_that_ran_and_the_verdict() {
    let two_last =
        |c: Checker<Inbox>| c.always("2 arrives last", |s| s.node(1).0.first() != Some(&2) || s.node(1).0.len() == 3);
    let bfs = two_last(Checker::new(inbox())).run().unwrap();
    let dfs = two_last(Checker::new(inbox())).depth_first().run().unwrap();
    assert_eq!((bfs.stats.search, dfs.stats.search), ("breadth-first", "depth-first"));
    assert_eq!(dfs.stats.threads, 1);
    // Breadth-first stops at depth 1 (the start, then its 3 successors). Depth-first first walks
    // every execution that delivers 0 or 1 first (5 states each), then finds the violation: the
    // start, 2 x 5 and the violating state.
    assert_eq!((bfs.stats.unique_states, dfs.stats.unique_states), (4, 12));
    let text = |r: &distsim::check::Checked<Inbox>| r.stats_table().mime_bundle().0["text/plain"].clone();
    assert!(
        text(&bfs).contains("model check (breadth-first): `2 arrives last` violated in 1 step\n"),
        "{}",
        text(&bfs)
    );
    assert!(text(&dfs).contains("model check (depth-first): `2 arrives last` violated in 1 step\n"), "{}", text(&dfs));
    let passed = Checker::new(inbox()).always("true", |_| true).run().unwrap();
    assert!(text(&passed).contains("model check (breadth-first): no violation in 16 states"), "{}", text(&passed));
}

#[test]
fn the_same_counterexample_on_1_and_4_threads_and_in_every_run() {
    let check = |threads| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| {
            let nodes = abd::Abd::without_write_back(abd::Abd::system(
                3,
                2,
                vec![vec![abd::ClientOp::Put], vec![abd::ClientOp::Get, abd::ClientOp::Get]],
            ));
            abd::checker(nodes).run().unwrap()
        })
    };
    let one = check(1);
    let four = check(4);
    let (a, b) = (one.violation.unwrap(), four.violation.unwrap());
    assert_eq!(a.steps, b.steps);
    assert_eq!(one.stats.unique_states, four.stats.unique_states);
    assert_eq!(check(4).violation.unwrap().steps, b.steps);
}

#[test]
fn replay_gives_the_counterexample_s_execution() {
    let r = two_generals::checker(4).run().unwrap();
    let cex = r.violation.unwrap();
    let replay = cex.replay().unwrap();
    assert_eq!(replay.nodes(), cex.last, "the replayed nodes end where the checker's path ended");
    let delivered: Vec<u64> = replay
        .trace()
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Deliver { msg, .. } => Some(msg),
            _ => None,
        })
        .collect();
    assert_eq!(delivered, [0, 1, 2]);
    assert_eq!(replay.trace().count(|k| matches!(k, EventKind::Drop { msg: 3, .. })), 1);
    assert_eq!(cex.replay().unwrap().trace().digest, replay.trace().digest, "replay is deterministic");
    let svg = cex.spacetime().unwrap().to_svg();
    assert!(svg.contains("<svg"));
}

#[test]
fn replay_is_an_ordinary_simulation_whose_trace_follows_the_counterexample() {
    let cex = two_generals::checker(3).run().unwrap().violation.unwrap();
    let sim: Simulation<_> = cex.replay().unwrap().into_simulation();
    // One millisecond of virtual time per step, every step in the trace in order.
    assert_eq!(sim.now(), Time::ZERO + millis(cex.steps.len() as u64));
    let kinds: Vec<&str> = sim
        .trace()
        .events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Deliver { .. } => Some("deliver"),
            EventKind::Drop { .. } => Some("lose"),
            _ => None,
        })
        .collect();
    let steps: Vec<&str> = cex
        .steps
        .iter()
        .map(|s| match s {
            Step::Deliver { .. } => "deliver",
            Step::Drop { .. } => "lose",
            other => panic!("unexpected step {other:?}"),
        })
        .collect();
    assert_eq!(kinds, steps);
    assert_eq!(sim.nodes(), &cex.last[..]);
    assert_eq!(sim.trace().node_names, ["A", "B"].map(String::from));
    assert_eq!(sim.pending_events(), 0, "nothing is scheduled after the last step");
}

#[test]
fn for_every_chain_depth_one_general_attacks_alone_in_some_execution() {
    for depth in 1..=8u8 {
        let r = two_generals::checker(depth).run().unwrap();
        let cex = r.violation.unwrap_or_else(|| panic!("depth {depth}: no lone attack found"));
        // The shortest such execution: every message but the last arrives, then the last is lost.
        assert_eq!(cex.steps.len(), depth as usize, "depth {depth}");
        assert!(matches!(cex.steps.last(), Some(Step::Drop { msg, .. }) if *msg == depth));
        let (a, b) = (cex.last[0].attacks(0), cex.last[1].attacks(1));
        assert_ne!(a, b, "depth {depth}: exactly one attacks");
    }
}

/// Node 0 sends 0, 1 and 2 to node 1. Node 1 records each message with a draw from its own random
/// stream, except message 1, on which it reseeds that stream instead and records no draw.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
struct Drawer(Vec<(u8, Option<u32>)>);

impl Node for Drawer {
    type Msg = u8;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<u8>) {
        send_three_to_node_1(ctx);
    }
    fn on_message(&mut self, ctx: &mut Context<u8>, _from: NodeId, m: u8) {
        use rand::SeedableRng;
        if m == 1 {
            *ctx.rng() = rand_chacha::ChaCha8Rng::seed_from_u64(99);
            self.0.push((m, None));
        } else {
            self.0.push((m, Some(ctx.rng().random())));
        }
    }
}

#[test]
fn a_handler_draws_the_same_numbers_whatever_ran_before_it() {
    // The checker explores orders of events, not random draws: each handler call starts from the
    // node's stream as it was at the start, even after a call that drew or reseeded it. Then both
    // draws are the stream's first number, and the states are Inbox's 16; a draw that depended on
    // what ran before (on this thread) would make more states, and differ between runs.
    let draws_agree = |s: &distsim::check::State<Drawer>| {
        let draws: Vec<u32> = s.node(1).0.iter().filter_map(|&(_, d)| d).collect();
        draws.windows(2).all(|w| w[0] == w[1])
    };
    for threads in [1, 4] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let r =
            pool.install(|| Checker::new(vec![Drawer::default(); 2]).always("one draw", draws_agree).run()).unwrap();
        assert!(r.passed(), "{threads} threads");
        assert_eq!(r.stats.unique_states, 16, "{threads} threads");
    }
    let r = Checker::new(vec![Drawer::default(); 2]).always("one draw", draws_agree).depth_first().run().unwrap();
    assert_eq!((r.passed(), r.stats.unique_states), (true, 16));
}
