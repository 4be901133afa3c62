// Does not compile: a one-line type error in the node. Only the tests that need the node lose points; the
// rules part is graded as usual.
// expect: full test_rules
// expect: zero test_elects
// expect: zero test_split
// expect: zero test_model_check

// === answer cell: node ===
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Raft {
    n: usize,
    term: u64,
    voted_for: Option<NodeId>,
    role: Role,
    votes: BTreeSet<NodeId>,
    election: Option<TimerId>,
    heartbeat: Option<TimerId>,
}

impl Raft {
    fn new(n: usize) -> Raft {
        Raft { n, term: 0, voted_for: None, role: Role::Follower, votes: BTreeSet::new(), election: None, heartbeat: None }
    }
}

impl Node for Raft {
    type Msg = Msg;
    type Timer = Timer;

    fn on_start(&mut self, ctx: &mut Context<Msg, Timer>) {
        ctx.reset_timer(&mut self.election, ctx.random_duration(ELECTION_TIMEOUT), Timer::Election);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg, Timer>, timer: Timer) {
        match timer {
            Timer::Election if self.role != Role::Leader => {
                self.term += 1u32;
                self.role = Role::Candidate;
                self.voted_for = Some(ctx.id());
                self.votes = BTreeSet::from([ctx.id()]);
                ctx.broadcast(Msg::RequestVote { term: self.term });
                ctx.reset_timer(&mut self.election, ctx.random_duration(ELECTION_TIMEOUT), Timer::Election);
            }
            Timer::Heartbeat if self.role == Role::Leader => {
                ctx.broadcast(Msg::Heartbeat { term: self.term });
                ctx.reset_timer(&mut self.heartbeat, HEARTBEAT_EVERY, Timer::Heartbeat);
            }
            _ => {}
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg, Timer>, from: NodeId, msg: Msg) {
        let term = match msg {
            Msg::RequestVote { term } | Msg::Vote { term, .. } | Msg::Heartbeat { term } => term,
        };
        if term > self.term {
            let was_leader = self.role == Role::Leader;
            (self.term, self.voted_for, self.role) = (term, None, Role::Follower);
            self.votes.clear();
            ctx.clear_timer(&mut self.heartbeat);
            if was_leader {
                ctx.reset_timer(&mut self.election, ctx.random_duration(ELECTION_TIMEOUT), Timer::Election);
            }
        }
        match msg {
            Msg::RequestVote { term } => {
                let granted = grant_vote(self.term, self.voted_for, from, term);
                if granted {
                    self.voted_for = Some(from);
                    ctx.reset_timer(&mut self.election, ctx.random_duration(ELECTION_TIMEOUT), Timer::Election);
                }
                ctx.send(from, Msg::Vote { term: self.term, granted });
            }
            Msg::Vote { term, granted } => {
                if self.role == Role::Candidate && term == self.term && granted {
                    self.votes.insert(from);
                    if is_majority(self.votes.len(), self.n) {
                        self.role = Role::Leader;
                        ctx.clear_timer(&mut self.election);
                        ctx.broadcast(Msg::Heartbeat { term: self.term });
                        ctx.reset_timer(&mut self.heartbeat, HEARTBEAT_EVERY, Timer::Heartbeat);
                    }
                }
            }
            Msg::Heartbeat { term } => {
                if term == self.term {
                    self.role = Role::Follower;
                    ctx.reset_timer(&mut self.election, ctx.random_duration(ELECTION_TIMEOUT), Timer::Election);
                }
            }
        }
    }

    fn on_crash(&mut self) {
        self.role = Role::Follower;
        self.votes.clear();
        (self.election, self.heartbeat) = (None, None);
    }

    fn on_recover(&mut self, ctx: &mut Context<Msg, Timer>) {
        ctx.reset_timer(&mut self.election, ctx.random_duration(ELECTION_TIMEOUT), Timer::Election);
    }
}
