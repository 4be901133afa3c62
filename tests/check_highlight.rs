//! A model checker's counterexample draws with the events of the violation highlighted.

use distsim::check::examples::abd::{self, Abd, ClientOp};
use distsim::check::{Checker, Step};
use distsim::prelude::*;
use distsim::render::Render;

#[test]
fn a_new_old_inversion_rings_the_two_reads_that_make_it() {
    // ABD without write-back: c1 (node 4) reads 'A', then '\0' (see tests/check_abd.rs); c0's
    // write never gets its answer in the 11 steps, so it may take effect anywhere: the two reads
    // alone make the violation.
    let script = vec![vec![ClientOp::Put], vec![ClientOp::Get, ClientOp::Get]];
    let r = abd::checker(Abd::without_write_back(Abd::system(3, 2, script))).run().unwrap();
    let cex = r.violation.expect("a new-old inversion");
    let reads: Vec<usize> = (0..cex.steps.len())
        .filter(|&i| matches!(cex.steps[i], Step::Deliver { to: 4, msg: abd::Msg::GetOk(..), .. }))
        .collect();
    assert_eq!(reads.len(), 2);
    let steps: Vec<usize> = cex.marks.iter().map(|m| m.0).collect();
    assert_eq!(steps, reads, "the marks are the steps where the two reads were answered");
    assert!(cex.marks[0].1.contains("c1 Get(") && cex.marks[0].1.contains("GetOk("), "{:?}", cex.marks);
    let replay = cex.replay().unwrap();
    let diagram = cex.spacetime().unwrap();
    let expected: Vec<u64> = reads.iter().map(|&i| replay.step_events[i]).collect();
    assert_eq!(diagram.highlighted(), expected);
    for seq in expected {
        let e = &replay.trace().events[seq as usize];
        assert!(matches!(e.kind, EventKind::Deliver { to: 4, .. }), "{e:?}");
    }
    // The notebook output is the step table and the interactive diagram with both rings.
    let html = cex.mime_bundle();
    let html = html.get("text/html").unwrap();
    assert!(html.contains("class=\"distsim-st\"") && html.contains("class=\"dst-marks\""));
    assert!(html.matches("`linearizable`: c1 Get(").count() >= 2);
}

/// Node 0 sends "A" then "B" to node 1, which keeps what it got in arrival order.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
struct Inbox(Vec<char>);

impl Node for Inbox {
    type Msg = char;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<char>) {
        if ctx.id() == 0 {
            ctx.send(1, 'A');
            ctx.send(1, 'B');
        }
    }
    fn on_message(&mut self, _ctx: &mut Context<char>, _from: NodeId, m: char) {
        self.0.push(m);
    }
}

#[test]
fn an_invariant_counterexample_rings_the_step_that_broke_it() {
    let r = Checker::new(vec![Inbox::default(), Inbox::default()])
        .always("in order", |s| s.node(1).0 != ['B', 'A'])
        .run()
        .unwrap();
    let cex = r.violation.expect("B overtakes A");
    assert_eq!(cex.marks, vec![(1, "`in order` is false after this step".to_string())]);
    let replay = cex.replay().unwrap();
    let diagram = cex.spacetime().unwrap();
    assert_eq!(diagram.highlighted(), vec![replay.step_events[1]]);
    // The second delivery is A's, arriving after B's.
    let e = &replay.trace().events[replay.step_events[1] as usize];
    assert!(matches!(e.kind, EventKind::Deliver { to: 1, .. }));
    assert!(diagram.to_text().contains("<== `in order` is false after this step"));
}
