// A plausible but wrong vote rule: it grants any request of the current term, forgetting that the node
// already voted (for itself or another candidate) in that term.
// expect: loses test_rules in hidden
// expect: loses test_split in hidden
// expect: loses test_model_check in hidden

// === answer cell: rules ===
fn is_majority(votes: usize, n: usize) -> bool {
    2 * votes > n
}

fn grant_vote(term: u64, voted_for: Option<NodeId>, candidate: NodeId, candidate_term: u64) -> bool {
    candidate_term == term
}
