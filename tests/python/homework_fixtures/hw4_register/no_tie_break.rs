// A plausible but wrong tag order: only the counter counts, so two writes that picked the same counter are
// not ordered, and each replica keeps whichever arrived first.
// expect: loses test_tags in hidden
// expect: loses test_faults in hidden

// === answer cell: tags ===
fn is_newer(a: Tag, b: Tag) -> bool {
    a.counter > b.counter
}

fn next_tag(highest: Tag, me: NodeId) -> Tag {
    Tag { counter: highest.counter + 1, writer: me as u8 }
}
