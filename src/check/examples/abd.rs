//! The ABD register (Attiya, Bar-Noy and Dolev, 1995): a linearizable read/write register on
//! replicas of which any minority may fail, as ordinary nodes.
//!
//! A client sends its request to one replica, which coordinates it in two phases. **Phase 1**
//! (query): ask the other replicas for their (sequence, value), and wait for a majority (itself
//! included). A write picks a sequence above the highest seen, `(counter + 1, coordinator id)`;
//! a read picks the highest value seen. **Phase 2** (record): send the chosen (sequence, value) to
//! the others and wait for a majority of acknowledgements, then answer the client. A read needs
//! phase 2 too, the *write-back*: without it, a read may return a value that only a minority
//! holds, and a later read by a quorum that misses it returns the older value again: a new-old
//! inversion, which linearizability forbids. [`Abd::without_write_back`] builds that broken
//! variant, and the checker finds the inversion.
//!
//! The protocol and the clients follow Stateright's `linearizable-register` example, so that the
//! two checkers explore the same system: replicas are nodes `0..replicas`, then the clients; a
//! client with id `i` sends its `k`-th request (id `(k + 1) × i`) to replica `(i + k) % replicas`,
//! writes `'A' + (i - replicas)` and then reads.
//!
//! **Interchangeable replicas.** As written (and as in Stateright), the replicas are not
//! interchangeable: a write's sequence number names the replica that coordinated it, and each
//! replica starts at `(0, its id)`, so renaming replicas changes which write wins a tie.
//! [`Abd::interchangeable`] builds the same protocol with the classic multi-writer tie-break
//! instead: a write's number names the *client* that wrote (unique, because a client has one
//! write at a time), and every replica starts at `(0, 0)`. The clients keep sending each request
//! to the same replica as before, but hold that replica's id as data until they send it (which a
//! renaming renames).
//! Then the replicas are interchangeable, and [`Checker::symmetric`] may count states that differ
//! only by a renaming of them once. With Stateright's workload that merges **nothing** (measured:
//! 544, 1,449 and 35,074 states with and without it for 2×2, 3×1 and 2×3): each request's
//! coordinator is fixed by its client, so a renaming of a reachable state names another
//! coordinator for some request and is never reachable. A reduction needs clients that may send
//! to any replica, which is a larger system than Stateright's.
//!
//! ```
//! use distsim::check::examples::abd::{self, Abd};
//! let checked = abd::checker(Abd::system(2, 2, abd::put_then_get(2, 2))).run()?;
//! assert!(checked.passed());
//! assert_eq!(checked.stats.unique_states, 544); // Stateright's count for this system
//! # Ok::<(), distsim::Error>(())
//! ```

use crate::check::linearizable::{Register, RegisterOp, RegisterRet};
use crate::check::{Call, Checker, Symmetric};
use crate::engine::{Context, Node, NodeId};
use std::sync::Arc;

/// A sequence number: (counter, tag). The tag breaks ties between writes with the same counter:
/// the id of the replica that coordinated the write, or with [`Tiebreak::Writer`] the id of the
/// client that wrote. Small integer types keep a node's state small: the checker copies it for
/// every step.
pub type Seq = (u32, u8);

/// What a write's sequence number names, to order writes with the same counter.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tiebreak {
    /// The replica that coordinated it (as in Stateright's example; replicas are then not
    /// interchangeable).
    Coordinator,
    /// The client that wrote it (replicas are interchangeable).
    Writer,
}

/// Most replicas a system may have (answers are kept inline, not in a heap-allocated map).
pub const MAX_REPLICAS: usize = 7;

/// The (sequence, value) answers a coordinator collected in phase 1: one slot per replica.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Answers {
    /// Bit `r`: replica `r` answered.
    pub from: u8,
    /// Replica `r`'s answer, if its bit is set.
    pub answers: [(Seq, char); MAX_REPLICAS],
}

impl Answers {
    fn one(r: NodeId, a: (Seq, char)) -> Self {
        let mut x = Answers::default();
        x.insert(r, a);
        x
    }
    fn insert(&mut self, r: NodeId, a: (Seq, char)) {
        self.from |= 1 << r;
        self.answers[r] = a;
    }
    fn len(&self) -> usize {
        self.from.count_ones() as usize
    }
    fn highest(&self) -> (Seq, char) {
        (0..MAX_REPLICAS)
            .filter(|r| self.from >> r & 1 == 1)
            .map(|r| self.answers[r])
            .max_by_key(|a| a.0)
            .expect("one answer")
    }
}

/// Every message of the protocol: client requests and answers, and the replicas' own.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    /// Client → replica: write this value (request id, value).
    Put(u64, char),
    /// Client → replica: read.
    Get(u64),
    /// Replica → client: the write is done.
    PutOk(u64),
    /// Replica → client: the value read.
    GetOk(u64, char),
    /// Phase 1: what do you hold?
    Query(u64),
    /// Phase 1 answer.
    AckQuery(u64, Seq, char),
    /// Phase 2: hold this (if newer).
    Record(u64, Seq, char),
    /// Phase 2 answer.
    AckRecord(u64),
}

/// What a client does next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ClientOp {
    /// Write the client's value (`'A' + client index` first, then `'Z' - client index`).
    Put,
    /// Read.
    Get,
}

/// A request a replica coordinates.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// Collecting (sequence, value) answers, sorted by replica.
    Query { request: u64, client: NodeId, write: Option<char>, answers: Answers },
    /// Collecting acknowledgements (a bit per replica).
    Record { request: u64, client: NodeId, read: Option<char>, acks: u64 },
}

/// A node of the system: a replica or a client.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Abd {
    /// A replica.
    Replica { replicas: usize, write_back: bool, tiebreak: Tiebreak, seq: Seq, val: char, phase: Option<Phase> },
    /// A client running `script`: `targets[0]` is the replica its next request goes to, and so on.
    /// It forgets a target once it is used, so that a client that has sent its last request holds
    /// no replica id (otherwise no two states would ever be renamings of each other).
    Client { replicas: usize, script: Arc<[ClientOp]>, targets: Arc<[NodeId]>, awaiting: Option<u64>, done: u64 },
}

/// Stateright's client: one put, then one get, for every one of `clients` clients.
pub fn put_then_get(_replicas: usize, clients: usize) -> Vec<Vec<ClientOp>> {
    vec![vec![ClientOp::Put, ClientOp::Get]; clients]
}

fn majority(n: usize) -> usize {
    n / 2 + 1
}

impl Abd {
    /// `replicas` replicas (with write-back) followed by one client per script.
    ///
    /// Panics if `replicas` is 0 or more than [`MAX_REPLICAS`].
    pub fn system(replicas: usize, _clients: usize, scripts: Vec<Vec<ClientOp>>) -> Vec<Abd> {
        assert!((1..=MAX_REPLICAS).contains(&replicas), "1 to {MAX_REPLICAS} replicas");
        let replica = Abd::Replica {
            replicas,
            write_back: true,
            tiebreak: Tiebreak::Coordinator,
            seq: (0, 0),
            val: '\0',
            phase: None,
        };
        let mut nodes = vec![replica; replicas];
        for (i, n) in nodes.iter_mut().enumerate() {
            if let Abd::Replica { seq, .. } = n {
                *seq = (0, i as u8);
            }
        }
        nodes.extend(scripts.into_iter().enumerate().map(|(c, script)| Abd::Client {
            replicas,
            targets: (0..script.len()).map(|k| (replicas + c + k) % replicas).collect(),
            script: script.into(),
            awaiting: None,
            done: 0,
        }));
        nodes
    }

    /// The same system with interchangeable replicas: writes tagged by their client and every
    /// replica starting at `(0, 0)` (see the module docs). Check it with
    /// `.symmetric(0..replicas)`.
    pub fn interchangeable(mut nodes: Vec<Abd>) -> Vec<Abd> {
        for n in &mut nodes {
            if let Abd::Replica { tiebreak, seq, .. } = n {
                (*tiebreak, *seq) = (Tiebreak::Writer, (0, 0));
            }
        }
        nodes
    }

    /// The same system with replicas that skip the read's write-back (broken).
    pub fn without_write_back(mut nodes: Vec<Abd>) -> Vec<Abd> {
        for n in &mut nodes {
            if let Abd::Replica { write_back, .. } = n {
                *write_back = false;
            }
        }
        nodes
    }

    /// The client's next request, if its script has one.
    fn request(&mut self, ctx: &mut Context<Msg>) {
        let id = ctx.id();
        if let Abd::Client { replicas, script, targets, awaiting, done } = self {
            let Some(&op) = script.get(*done as usize) else { return };
            let request = (*done + 1) * id as u64;
            let to = targets[0];
            *targets = targets[1..].into();
            let index = (id - *replicas) as u8;
            let msg = match op {
                ClientOp::Put if *done == 0 => Msg::Put(request, (b'A' + index) as char),
                ClientOp::Put => Msg::Put(request, (b'Z' - index) as char),
                ClientOp::Get => Msg::Get(request),
            };
            ctx.send(to, msg);
            *awaiting = Some(request);
        }
    }
}

impl Node for Abd {
    type Msg = Msg;
    type Timer = ();

    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        self.request(ctx);
    }

    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        let me = ctx.id();
        match self {
            Abd::Client { awaiting, done, .. } => match msg {
                Msg::PutOk(r) | Msg::GetOk(r, _) if *awaiting == Some(r) => {
                    *done += 1;
                    *awaiting = None;
                    self.request(ctx);
                }
                _ => {}
            },
            Abd::Replica { replicas, write_back, tiebreak, seq, val, phase } => {
                let n = *replicas;
                let others =
                    |ctx: &mut Context<Msg>, m: Msg| (0..n).filter(|&r| r != me).for_each(|r| ctx.send(r, m.clone()));
                match msg {
                    Msg::Put(request, v) if phase.is_none() => {
                        others(ctx, Msg::Query(request));
                        *phase = Some(Phase::Query {
                            request,
                            client: from,
                            write: Some(v),
                            answers: Answers::one(me, (*seq, *val)),
                        });
                    }
                    Msg::Get(request) if phase.is_none() => {
                        others(ctx, Msg::Query(request));
                        *phase = Some(Phase::Query {
                            request,
                            client: from,
                            write: None,
                            answers: Answers::one(me, (*seq, *val)),
                        });
                    }
                    Msg::Query(request) => ctx.send(from, Msg::AckQuery(request, *seq, *val)),
                    Msg::AckQuery(r, s, v) => {
                        let Some(Phase::Query { request, client, write, answers }) = phase else { return };
                        if *request != r {
                            return;
                        }
                        answers.insert(from, (s, v));
                        if answers.len() < majority(n) {
                            return;
                        }
                        let (high, high_val) = answers.highest();
                        let (request, client) = (*request, *client);
                        let (chosen, value, read) = match write {
                            Some(w) => {
                                let tag = match tiebreak {
                                    Tiebreak::Coordinator => me,
                                    Tiebreak::Writer => client,
                                };
                                ((high.0 + 1, tag as u8), *w, None)
                            }
                            None => (high, high_val, Some(high_val)),
                        };
                        if read.is_some() && !*write_back {
                            ctx.send(client, Msg::GetOk(request, high_val));
                            *phase = None;
                            return;
                        }
                        others(ctx, Msg::Record(request, chosen, value));
                        if chosen > *seq {
                            (*seq, *val) = (chosen, value);
                        }
                        *phase = Some(Phase::Record { request, client, read, acks: 1 << me });
                    }
                    Msg::Record(request, s, v) => {
                        ctx.send(from, Msg::AckRecord(request));
                        if s > *seq {
                            (*seq, *val) = (s, v);
                        }
                    }
                    Msg::AckRecord(r) => {
                        let Some(Phase::Record { request, client, read, acks }) = phase else { return };
                        if *request != r || *acks >> from & 1 == 1 {
                            return;
                        }
                        *acks |= 1 << from;
                        if acks.count_ones() as usize == majority(n) {
                            let answer = match read {
                                Some(v) => Msg::GetOk(*request, *v),
                                None => Msg::PutOk(*request),
                            };
                            ctx.send(*client, answer);
                            *phase = None;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Which messages are client calls, for the linearizability property.
pub fn calls(m: &Msg) -> Option<Call<RegisterOp<char>, RegisterRet<char>>> {
    match m {
        Msg::Put(_, v) => Some(Call::Invoke(RegisterOp::Write(*v))),
        Msg::Get(_) => Some(Call::Invoke(RegisterOp::Read)),
        Msg::PutOk(_) => Some(Call::Return(RegisterRet::WriteOk)),
        Msg::GetOk(_, v) => Some(Call::Return(RegisterRet::ReadOk(*v))),
        _ => None,
    }
}

/// A checker of `nodes` for linearizability of a register that starts at `'\0'`, with replicas
/// named `r0, r1, …` and clients `c0, c1, …`.
pub fn checker(nodes: Vec<Abd>) -> Checker<Abd> {
    let names = nodes
        .iter()
        .scan((0, 0), |(r, c), n| {
            Some(match n {
                Abd::Replica { .. } => (format!("r{r}"), *r += 1).0,
                Abd::Client { .. } => (format!("c{c}"), *c += 1).0,
            })
        })
        .collect();
    Checker::new(nodes).node_names(names).linearizable(Register('\0'), calls)
}

/// Renames replicas, for [`Abd::interchangeable`] systems only: there a sequence number's tag
/// names a client (or is the initial 0), which a renaming of replicas leaves alone, and no message
/// holds a replica id. (In the default system tags name replicas and the replicas are not
/// interchangeable at all.)
impl Symmetric for Abd {
    fn permute(&self, perm: &[NodeId]) -> Self {
        let mut out = self.clone();
        match &mut out {
            Abd::Replica { phase: Some(Phase::Query { client, answers, .. }), .. } => {
                let old = *answers;
                *answers = Answers::default();
                for r in (0..MAX_REPLICAS).filter(|r| old.from >> r & 1 == 1) {
                    answers.insert(perm[r], old.answers[r]);
                }
                *client = perm[*client];
            }
            Abd::Replica { phase: Some(Phase::Record { client, acks, .. }), .. } => {
                *acks = (0..64).filter(|r| *acks >> r & 1 == 1).fold(0, |m, r| m | 1 << perm[r]);
                *client = perm[*client];
            }
            Abd::Replica { phase: None, .. } => {}
            Abd::Client { targets, .. } => *targets = targets.iter().map(|&r| perm[r]).collect(),
        }
        out
    }
}

/// No message holds a replica id (request ids are made from client ids).
impl Symmetric for Msg {
    fn permute(&self, _perm: &[NodeId]) -> Self {
        self.clone()
    }
}
