//! The client history a check records, for linearizability: which operations clients invoked and
//! what came back, with just enough real-time order to decide which operation preceded which.

use super::hash::fingerprint;
use crate::engine::NodeId;

/// How a message takes part in the client history (see [`Checker::linearizable`](super::Checker::linearizable)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call<Op, Ret> {
    /// A client sends this request: an operation starts (recorded when the message is sent).
    Invoke(Op),
    /// A client receives this response: its pending operation ends (recorded on delivery).
    Return(Ret),
}

/// One operation of the history, as the messages that started and ended it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Recorded<M> {
    /// The client (node) that invoked it.
    pub client: NodeId,
    /// The request message.
    pub invoke: M,
    /// The response message, once it arrived.
    pub ret: Option<M>,
    /// For every client, how many of its operations had completed when this one was invoked:
    /// those precede this one in real time. Clients with none are left out.
    pub after: Vec<(NodeId, u16)>,
}

/// The operations of all clients, grouped by client in id order, each client's in program order.
///
/// Only the order facts that linearizability depends on are kept (which operations completed
/// before which were invoked), so two executions that differ only in the interleaving of
/// concurrent calls record the same history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History<M> {
    ops: Vec<Recorded<M>>,
    fp: u64,
}

impl<M> Default for History<M> {
    fn default() -> Self {
        History { ops: Vec::new(), fp: 0 }
    }
}

impl<M> History<M> {
    /// The recorded operations.
    pub fn ops(&self) -> &[Recorded<M>] {
        &self.ops
    }

    pub(crate) fn fingerprint(&self) -> u64 {
        self.fp
    }
}

impl<M: std::hash::Hash> History<M> {
    fn completed(&self, client: NodeId) -> u16 {
        self.ops.iter().filter(|o| o.client == client && o.ret.is_some()).count() as u16
    }

    /// Client `client` invoked an operation with request `msg`.
    pub(crate) fn invoke(&mut self, client: NodeId, msg: M) {
        let mut clients: Vec<NodeId> = self.ops.iter().map(|o| o.client).collect();
        clients.dedup();
        let after = clients.into_iter().map(|c| (c, self.completed(c))).filter(|&(_, k)| k > 0).collect();
        let at = self.ops.partition_point(|o| o.client <= client);
        self.ops.insert(at, Recorded { client, invoke: msg, ret: None, after });
        self.fp = fingerprint(&self.ops);
    }

    /// The fingerprint of this history with every node id renamed by `perm` and every message by
    /// `rename` (clients stay grouped in id order; see [`super::symmetry`]).
    pub(crate) fn permuted_fingerprint(&self, perm: &[NodeId], rename: impl Fn(&M) -> M) -> u64 {
        if self.ops.is_empty() {
            return self.fp;
        }
        let mut ops: Vec<Recorded<M>> = self
            .ops
            .iter()
            .map(|o| {
                let mut after: Vec<(NodeId, u16)> = o.after.iter().map(|&(c, k)| (perm[c], k)).collect();
                after.sort_unstable();
                Recorded { client: perm[o.client], invoke: rename(&o.invoke), ret: o.ret.as_ref().map(&rename), after }
            })
            .collect();
        ops.sort_by_key(|o| o.client); // stable: each client's operations stay in program order
        fingerprint(&ops)
    }

    /// Client `client` received response `msg`: it ends the client's oldest pending operation
    /// (a response with none pending is ignored).
    pub(crate) fn ret(&mut self, client: NodeId, msg: M) {
        if let Some(op) = self.ops.iter_mut().find(|o| o.client == client && o.ret.is_none()) {
            op.ret = Some(msg);
            self.fp = fingerprint(&self.ops);
        }
    }
}
