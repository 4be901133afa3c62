//! The client and server nodes of the delivery model.

use super::Semantics;
use crate::engine::{Context, Node, NodeId, TimerId};
use crate::time::{Duration, Time};

/// Messages between client (node 0) and server (node 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    /// "Apply request `id`" (the same id on every retry: that is what makes dedup possible).
    Request {
        /// The request id, `0..requests`.
        id: u64,
    },
    /// "I have applied request `id`".
    Ack {
        /// The request id.
        id: u64,
    },
}

/// The client's timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientTimer {
    /// Time to send request `id` for the first time.
    SendNew(u64),
    /// Request `id`'s latest attempt has waited `timeout` without an ack.
    Timeout(u64),
}

/// What the client knows about one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestState {
    /// Attempts sent so far.
    pub attempts: u32,
    /// When the first attempt left.
    pub first_sent: Option<Time>,
    /// When the first ack arrived.
    pub acked_at: Option<Time>,
    timer: Option<TimerId>,
}

/// Sends requests at a fixed interval and retries unacknowledged ones.
#[derive(Debug, Clone)]
pub struct Client {
    semantics: Semantics,
    retries: u32,
    timeout: Duration,
    interval: Duration,
    /// One entry per request id.
    pub requests: Vec<RequestState>,
}

impl Client {
    pub(super) fn new(
        semantics: Semantics,
        requests: u64,
        retries: u32,
        timeout: Duration,
        interval: Duration,
    ) -> Self {
        Client { semantics, retries, timeout, interval, requests: vec![RequestState::default(); requests as usize] }
    }

    fn attempt(&mut self, ctx: &mut Context<Msg, ClientTimer>, id: u64) {
        let r = &mut self.requests[id as usize];
        r.attempts += 1;
        r.first_sent.get_or_insert(ctx.now());
        ctx.send(1, Msg::Request { id });
        if self.semantics != Semantics::AtMostOnce {
            r.timer = Some(ctx.set_timer(self.timeout, ClientTimer::Timeout(id)));
        }
    }
}

/// Applies requests; with `dedup`, applies each id only once.
#[derive(Debug, Clone)]
pub struct Server {
    dedup: bool,
    /// Copies of each request that arrived.
    pub receptions: Vec<u32>,
    /// Times each request was applied (more than 1 = a duplicate effect).
    pub effects: Vec<u32>,
}

impl Server {
    pub(super) fn new(dedup: bool, requests: u64) -> Self {
        Server { dedup, receptions: vec![0; requests as usize], effects: vec![0; requests as usize] }
    }
}

/// Either end of the conversation (one node type, so both fit in one simulation).
#[derive(Debug, Clone)]
pub enum DeliveryNode {
    /// Node 0.
    Client(Client),
    /// Node 1.
    Server(Server),
}

impl Node for DeliveryNode {
    type Msg = Msg;
    type Timer = ClientTimer;

    fn on_start(&mut self, ctx: &mut Context<Msg, ClientTimer>) {
        if let DeliveryNode::Client(c) = self {
            // Request i leaves at i × interval; the timers fire in id order (FIFO at equal times).
            for id in 0..c.requests.len() as u64 {
                ctx.set_timer(c.interval * id, ClientTimer::SendNew(id));
            }
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg, ClientTimer>, from: NodeId, msg: Msg) {
        match (self, msg) {
            (DeliveryNode::Server(s), Msg::Request { id }) => {
                let i = id as usize;
                s.receptions[i] += 1;
                if !(s.dedup && s.effects[i] > 0) {
                    s.effects[i] += 1;
                }
                ctx.send(from, Msg::Ack { id }); // ack every copy: the earlier ack may have been lost
            }
            (DeliveryNode::Client(c), Msg::Ack { id }) => {
                let r = &mut c.requests[id as usize];
                if r.acked_at.is_none() {
                    r.acked_at = Some(ctx.now());
                    if let Some(t) = r.timer.take() {
                        ctx.cancel_timer(t);
                    }
                }
            }
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg, ClientTimer>, timer: ClientTimer) {
        let DeliveryNode::Client(c) = self else { return };
        match timer {
            ClientTimer::SendNew(id) => c.attempt(ctx, id),
            ClientTimer::Timeout(id) => {
                let r = &mut c.requests[id as usize];
                r.timer = None;
                if r.acked_at.is_none() && r.attempts <= c.retries {
                    c.attempt(ctx, id);
                }
            }
        }
    }
}
