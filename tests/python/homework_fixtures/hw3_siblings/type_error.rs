// Does not compile: a one-line type error in the replica. Only the tests that need the replica lose points;
// the merge part is graded as usual.
// expect: full test_merge
// expect: zero test_siblings
// expect: zero test_runs

// === edit of answer cell: store ===
<<<<<<< solution
                let mut values: Vec<u64> = self.siblings.iter().map(|s| s.value).collect();
                values.sort();
                ctx.send(from, Msg::GetOk { req, values, context: context_of(&self.siblings) });
=======
                let mut values: Vec<u64> = self.siblings.iter().map(|s| s.value).collect();
                values.sort(); let _n: u32 = values.len();
                ctx.send(from, Msg::GetOk { req, values, context: context_of(&self.siblings) });
>>>>>>> fixture
