// Does not compile: a one-line type error in the replica. Only the tests that need the replica lose points;
// the tags part is graded as usual.
// expect: full test_tags
// expect: zero test_healthy
// expect: zero test_faults
// expect: zero test_model_check

// === edit of answer cell: replica ===
<<<<<<< solution
                let Some(Phase::Store { client, write, value, acks }) = self.ops.get_mut(&req) else { return };
                acks.insert(from);
                if acks.len() == majority(n) {
=======
                let Some(Phase::Store { client, write, value, acks }) = self.ops.get_mut(&req) else { return };
                acks.insert(from as u64);
                if acks.len() == majority(n) {
>>>>>>> fixture
