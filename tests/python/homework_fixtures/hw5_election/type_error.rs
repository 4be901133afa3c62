// Does not compile: a one-line type error in the node. Only the tests that need the node lose points; the
// rules part is graded as usual.
// expect: full test_rules
// expect: zero test_elects
// expect: zero test_split
// expect: zero test_model_check

// === edit of answer cell: node ===
<<<<<<< solution
            Timer::Election if self.role != Role::Leader => {
                self.term += 1;
                self.role = Role::Candidate;
=======
            Timer::Election if self.role != Role::Leader => {
                self.term += 1u32;
                self.role = Role::Candidate;
>>>>>>> fixture
