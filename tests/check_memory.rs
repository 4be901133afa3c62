//! The memory a check keeps per unique state is reported, and is what the design says.

use distsim::check::Checker;
use distsim::prelude::*;

/// Counts its own timer firings up to `limit`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Ticker {
    count: u32,
    limit: u32,
}

impl Node for Ticker {
    type Msg = ();
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<(), ()>) {
        ctx.set_timer(millis(1), ());
    }
    fn on_timer(&mut self, ctx: &mut Context<(), ()>, _: ()) {
        self.count += 1;
        if self.count < self.limit {
            ctx.set_timer(millis(1), ());
        }
    }
}

#[test]
fn bytes_per_state_are_a_fingerprint_and_a_path_record_at_most_16() {
    // Three independent counters of 0..=50: 51³ = 132,651 states.
    let nodes = vec![Ticker { count: 0, limit: 50 }; 3];
    let r = Checker::new(nodes).always("true", |_| true).run().unwrap();
    assert_eq!(r.stats.unique_states, 51 * 51 * 51);
    // 8 bytes of fingerprint in a table 69–90% full, plus 4 bytes of path record (step number
    // and child count): between 12 and about 16 bytes per state.
    let b = r.stats.bytes_per_state;
    assert!((12.0..=16.0).contains(&b), "{b} bytes per state");
    let text = r.stats_table().mime_bundle().0.get("text/plain").cloned().unwrap_or_default();
    assert!(text.contains("bytes per state"), "the table reports it: {text}");
}
