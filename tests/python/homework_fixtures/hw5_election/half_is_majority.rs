// A plausible but wrong majority: "at least half" of the votes. For an odd group it is the same as a
// majority, so every visible test (groups of 3 and 5) passes; in a group of four, two candidates can each
// get two votes and both lead the same term.
// expect: loses test_rules in hidden
// expect: loses test_model_check in hidden

// === answer cell: rules ===
fn is_majority(votes: usize, n: usize) -> bool {
    2 * votes >= n
}

fn grant_vote(term: u64, voted_for: Option<NodeId>, candidate: NodeId, candidate_term: u64) -> bool {
    candidate_term == term && voted_for.map_or(true, |v| v == candidate)
}
