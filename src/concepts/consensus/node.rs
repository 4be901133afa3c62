//! A small Raft node: terms, votes, a quorum, log matching and a commit index. It runs on the
//! engine and under the model checker alike (every type is `Clone + Eq + Hash`).

use crate::engine::{Context, Node, NodeId, TimerId};
use crate::time::Duration;

/// How many votes (or copies) a decision needs out of `n` nodes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quorum {
    /// More than half: `2 · votes > n`. Two majorities always share a node.
    Majority,
    /// The tempting mistake, at least half: `2 · votes >= n`. With an even `n`, two disjoint
    /// halves both qualify (with 3 nodes it is the same as a majority: 2 of 3).
    AtLeastHalf,
}

crate::choice_param!(Quorum { Majority => "majority", AtLeastHalf => "at_least_half" });

impl Quorum {
    /// Whether `votes` of `n` nodes are enough.
    pub fn reached(self, votes: usize, n: usize) -> bool {
        match self {
            Quorum::Majority => 2 * votes > n,
            Quorum::AtLeastHalf => 2 * votes >= n,
        }
    }
}

/// Raft's messages. A log is the list of its entries' terms (entry `i` was created by the
/// leader of term `log[i]`), which is all that log matching needs.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// A candidate asks for a vote; its log ends with an entry of `last_term` and has `len` entries.
    RequestVote { term: u64, last_term: u64, len: usize },
    /// A vote for the candidate of `term`.
    Vote { term: u64 },
    /// The leader's entries after position `prev` (whose term is `prev_term`), and its commit index.
    Append { term: u64, prev: usize, prev_term: u64, entries: Vec<u64>, commit: usize },
    /// A follower's answer: `ok` with its log matching the leader's up to `len`, or a mismatch.
    Appended { term: u64, ok: bool, len: usize },
}

/// Raft's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// No word from a leader: start an election.
    Election,
    /// The leader appends a command and sends its entries (the heartbeat).
    Heartbeat,
}

/// Where a node stands in its term.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Follows whoever leads this term.
    Follower,
    /// Asks for votes; `votes` has bit `i` set when node `i` voted for it.
    Candidate { votes: u64 },
    /// Leads: per node, the next entry to send and how much of the log it is known to hold.
    Leader { next: Vec<usize>, matched: Vec<usize> },
}

/// The settings every node of a cluster shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Settings {
    /// What counts as enough votes and copies.
    pub quorum: Quorum,
    /// Election timeout: exactly this, or, `randomized`, uniform in `[election, 2 election)`.
    pub election: Duration,
    /// Whether each timeout is drawn at random (Raft's cure for split votes).
    pub randomized: bool,
    /// The leader's heartbeat period (`None`: send only on election, as the model checker wants).
    pub heartbeat: Option<Duration>,
    /// A node starts no election beyond this term (a bound for the model checker).
    pub max_term: u64,
    /// A leader appends entries (a no-op on election, then one per heartbeat) up to this length.
    pub max_log: usize,
}

/// One Raft node.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Raft {
    /// The cluster's settings.
    pub settings: Settings,
    /// The current term.
    pub term: u64,
    /// Whom this node voted for in `term`.
    pub voted_for: Option<NodeId>,
    /// The terms of the log's entries.
    pub log: Vec<u64>,
    /// How many entries are committed (known to be on a quorum, never to be undone).
    pub commit: usize,
    /// Follower, candidate or leader.
    pub role: Role,
    timer: Option<TimerId>,
}

impl Raft {
    /// A follower in term 0 with an empty log.
    pub fn new(settings: Settings) -> Raft {
        Raft { settings, term: 0, voted_for: None, log: Vec::new(), commit: 0, role: Role::Follower, timer: None }
    }

    /// Whether this node leads its term.
    pub fn is_leader(&self) -> bool {
        matches!(self.role, Role::Leader { .. })
    }

    fn last_term(&self) -> u64 {
        self.log.last().copied().unwrap_or(0)
    }

    fn wait_for_leader(&mut self, ctx: &mut Context<Msg, Timer>) {
        let e = self.settings.election;
        let wait = if self.settings.randomized { ctx.random_duration(e..e * 2) } else { e };
        ctx.reset_timer(&mut self.timer, wait, Timer::Election);
    }

    fn send_append(&self, ctx: &mut Context<Msg, Timer>, to: NodeId) {
        let Role::Leader { next, .. } = &self.role else { return };
        let prev = next[to].min(self.log.len());
        let prev_term = if prev > 0 { self.log[prev - 1] } else { 0 };
        let entries = self.log[prev..].to_vec();
        ctx.send(to, Msg::Append { term: self.term, prev, prev_term, entries, commit: self.commit });
    }

    fn heartbeat(&mut self, ctx: &mut Context<Msg, Timer>) {
        if self.log.len() < self.settings.max_log {
            self.log.push(self.term); // a new command (on election: Raft's no-op entry)
        }
        let me = ctx.id();
        for to in (0..ctx.node_count()).filter(|&to| to != me) {
            self.send_append(ctx, to);
        }
        self.advance_commit(me, ctx.node_count());
        if let Some(every) = self.settings.heartbeat {
            ctx.reset_timer(&mut self.timer, every, Timer::Heartbeat);
        }
    }

    /// Commits up to the longest prefix a quorum holds whose last entry is of this term (an
    /// older term's entry is committed only under a newer one: Raft's figure-8 rule).
    fn advance_commit(&mut self, me: NodeId, n: usize) {
        let Role::Leader { matched, .. } = &self.role else { return };
        let held = |len: usize| (0..n).filter(|&i| i == me || matched[i] >= len).count();
        if let Some(len) = (self.commit + 1..=self.log.len())
            .rev()
            .find(|&len| self.log[len - 1] == self.term && self.settings.quorum.reached(held(len), n))
        {
            self.commit = len;
        }
    }

    fn count_votes(&mut self, ctx: &mut Context<Msg, Timer>) {
        let Role::Candidate { votes } = self.role else { return };
        let n = ctx.node_count();
        if self.settings.quorum.reached(votes.count_ones() as usize, n) {
            ctx.log(format!("leader of term {}", self.term));
            self.role = Role::Leader { next: vec![self.log.len(); n], matched: vec![0; n] };
            ctx.clear_timer(&mut self.timer);
            self.heartbeat(ctx);
        }
    }
}

impl Node for Raft {
    type Msg = Msg;
    type Timer = Timer;

    fn on_start(&mut self, ctx: &mut Context<Msg, Timer>) {
        self.wait_for_leader(ctx);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg, Timer>, timer: Timer) {
        match timer {
            Timer::Election if !self.is_leader() && self.term < self.settings.max_term => {
                self.term += 1;
                self.voted_for = Some(ctx.id());
                self.role = Role::Candidate { votes: 1 << ctx.id() };
                let (last_term, len) = (self.last_term(), self.log.len());
                ctx.broadcast(Msg::RequestVote { term: self.term, last_term, len });
                self.wait_for_leader(ctx); // a split vote: try again with a new term
                self.count_votes(ctx); // a cluster of one
            }
            Timer::Heartbeat if self.is_leader() => self.heartbeat(ctx),
            _ => {}
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg, Timer>, from: NodeId, msg: Msg) {
        let term = match msg {
            Msg::RequestVote { term, .. }
            | Msg::Vote { term }
            | Msg::Append { term, .. }
            | Msg::Appended { term, .. } => term,
        };
        if term > self.term {
            // A newer term: whatever this node was, it now follows (and has not voted).
            if self.is_leader() {
                ctx.log(format!("steps down: term {term} is newer"));
                self.wait_for_leader(ctx);
            }
            (self.term, self.voted_for, self.role) = (term, None, Role::Follower);
        }
        match msg {
            Msg::RequestVote { term, last_term, len } if term == self.term => {
                // Vote once per term, and only for a log at least as up to date as ours.
                let up_to_date = (last_term, len) >= (self.last_term(), self.log.len());
                if self.voted_for.unwrap_or(from) == from && up_to_date {
                    self.voted_for = Some(from);
                    ctx.send(from, Msg::Vote { term });
                    self.wait_for_leader(ctx);
                }
            }
            Msg::Vote { term } if term == self.term => {
                if let Role::Candidate { votes } = &mut self.role {
                    *votes |= 1 << from;
                }
                self.count_votes(ctx);
            }
            Msg::Append { term, .. } if term < self.term => {
                ctx.send(from, Msg::Appended { term: self.term, ok: false, len: 0 });
            }
            Msg::Append { term, prev, prev_term, entries, commit } => {
                self.role = Role::Follower; // a candidate of this term gives way to its leader
                self.wait_for_leader(ctx);
                // Log matching: accept only if our log has the leader's entry at `prev`.
                let ok = prev <= self.log.len() && (prev == 0 || self.log[prev - 1] == prev_term);
                if ok {
                    for (i, &t) in entries.iter().enumerate() {
                        match self.log.get(prev + i) {
                            Some(&mine) if mine == t => {}
                            Some(_) => {
                                self.log.truncate(prev + i); // a conflict: drop it and all after it
                                self.log.push(t);
                            }
                            None => self.log.push(t),
                        }
                    }
                    self.commit = self.commit.max(commit.min(prev + entries.len()));
                }
                ctx.send(from, Msg::Appended { term, ok, len: if ok { prev + entries.len() } else { prev } });
            }
            Msg::Appended { term, ok, len } if term == self.term => {
                let Role::Leader { next, matched } = &mut self.role else { return };
                if ok {
                    matched[from] = matched[from].max(len);
                    next[from] = next[from].max(len);
                    self.advance_commit(ctx.id(), ctx.node_count());
                } else {
                    next[from] = next[from].min(len.saturating_sub(1)); // back up one entry and retry
                    self.send_append(ctx, from);
                }
            }
            _ => {} // an older term's message, or a vote for a race already decided
        }
    }
}
