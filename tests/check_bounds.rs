//! Bounds: a model that outgrows them stops with an error naming the bound; timers are explored.

use distsim::check::Checker;
use distsim::prelude::*;

/// Counts its own timer firings, forever (or up to `limit`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Ticker {
    count: u32,
    limit: u32,
}

impl Node for Ticker {
    type Msg = ();
    type Timer = &'static str;
    fn on_start(&mut self, ctx: &mut Context<(), &'static str>) {
        ctx.set_timer(millis(1), "tick");
    }
    fn on_timer(&mut self, ctx: &mut Context<(), &'static str>, _: &'static str) {
        self.count += 1;
        if self.count < self.limit {
            ctx.set_timer(millis(1), "tick");
        }
    }
}

#[test]
fn timers_fire_as_steps_and_a_finite_counter_has_limit_plus_one_states() {
    let r = Checker::new(vec![Ticker { count: 0, limit: 5 }]).always("≤ 5", |s| s.node(0).count <= 5).run().unwrap();
    assert!(r.passed());
    assert_eq!(r.stats.unique_states, 6); // counts 0..=5
    assert_eq!(r.stats.max_depth, 5);
    let r = Checker::new(vec![Ticker { count: 0, limit: 5 }]).always("< 3", |s| s.node(0).count < 3).run().unwrap();
    let cex = r.violation.unwrap();
    assert_eq!(cex.steps.len(), 3);
    assert_eq!(cex.steps[0], distsim::check::Step::Timer { node: 0, timer: "tick" });
}

#[test]
fn too_many_states_is_an_error_naming_max_states() {
    for dfs in [false, true] {
        let mut c = Checker::new(vec![Ticker { count: 0, limit: u32::MAX }]).max_states(100);
        if dfs {
            c = c.depth_first();
        }
        match c.run() {
            Err(Error::InvalidParameter { parameter, value, .. }) => {
                assert_eq!(parameter, "max_states");
                assert!(value.starts_with("101 unique states"), "{value}");
            }
            other => panic!("expected a max_states error, got {:?}", other.map(|r| r.stats)),
        }
    }
}

#[test]
fn too_deep_is_an_error_naming_max_depth() {
    for dfs in [false, true] {
        let mut c = Checker::new(vec![Ticker { count: 0, limit: u32::MAX }]).max_depth(10);
        if dfs {
            c = c.depth_first();
        }
        match c.run() {
            Err(Error::InvalidParameter { parameter, value, .. }) => {
                assert_eq!(parameter, "max_depth");
                assert!(value.contains("depth 11"), "{value}");
            }
            other => panic!("expected a max_depth error, got {:?}", other.map(|r| r.stats)),
        }
    }
}

#[test]
fn an_empty_system_is_refused() {
    assert_eq!(Checker::<Ticker>::new(vec![]).run().err(), Some(Error::empty("nodes")));
}

#[test]
fn eventually_fails_on_an_execution_that_ends_without_it_and_sometimes_gives_a_witness() {
    let r = Checker::new(vec![Ticker { count: 0, limit: 3 }])
        .eventually("reaches 4", |s| s.node(0).count >= 4)
        .run()
        .unwrap();
    assert_eq!(r.violation.unwrap().steps.len(), 3, "the execution ends at 3");
    let r = Checker::new(vec![Ticker { count: 0, limit: 3 }])
        .eventually("reaches 3", |s| s.node(0).count >= 3)
        .sometimes("reaches 2", |s| s.node(0).count == 2)
        .sometimes("reaches 9", |s| s.node(0).count == 9)
        .run()
        .unwrap();
    assert!(r.passed());
    assert_eq!(r.witnesses.len(), 1);
    assert_eq!(r.witnesses[0].steps.len(), 2);
    assert_eq!(r.unreached, ["reaches 9"]);
}
