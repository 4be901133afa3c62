// A plausible but wrong order of clocks: the clock with the larger sum of entries is newer, equal sums are
// concurrent (vector clocks read like Lamport clocks). Clocks with equal sums, as in every visible example,
// are handled right; [2,0,0] wrongly replaces the concurrent [0,1,0].
// expect: loses test_merge in hidden
// expect: loses test_runs in hidden

// === answer cell: merge ===
fn merge_sibling(siblings: &mut Vec<Sibling>, incoming: Sibling) {
    let sum = |c: &VectorClock| c.entries().iter().sum::<u64>();
    if siblings.iter().any(|s| s.clock == incoming.clock || sum(&s.clock) > sum(&incoming.clock)) {
        return;
    }
    siblings.retain(|s| sum(&s.clock) >= sum(&incoming.clock));
    siblings.push(incoming);
}

fn context_of(siblings: &[Sibling]) -> VectorClock {
    let mut context = VectorClock::default();
    for s in siblings {
        context.merge(&s.clock);
    }
    context
}
