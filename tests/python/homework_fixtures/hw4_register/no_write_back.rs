// A plausible but wrong replica: a read returns the newest value of its query phase at once, without
// storing it on a majority first (no write-back). It passes every visible test: the visible model check
// has one read, and a single read cannot go back in time.
// expect: loses test_faults in hidden

// === answer cell: replica ===
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Replica {
    replicas: usize,
    tag: Tag,
    value: u64,
    ops: BTreeMap<u64, Phase>,
}

impl Replica {
    fn new(replicas: usize) -> Replica {
        Replica { replicas, tag: Tag::default(), value: 0, ops: BTreeMap::new() }
    }
}

impl Node for Replica {
    type Msg = Msg;
    type Timer = ();

    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        let n = self.replicas;
        match msg {
            Msg::Put { req, value } => {
                self.ops.insert(req, Phase::Query { client: from, write: Some(value), replies: BTreeMap::new() });
                (0..n).for_each(|r| ctx.send(r, Msg::Query { req }));
            }
            Msg::Get { req } => {
                self.ops.insert(req, Phase::Query { client: from, write: None, replies: BTreeMap::new() });
                (0..n).for_each(|r| ctx.send(r, Msg::Query { req }));
            }
            Msg::Query { req } => ctx.send(from, Msg::QueryReply { req, tag: self.tag, value: self.value }),
            Msg::Store { req, tag, value } => {
                if is_newer(tag, self.tag) {
                    (self.tag, self.value) = (tag, value);
                }
                ctx.send(from, Msg::StoreAck { req });
            }
            Msg::QueryReply { req, tag, value } => {
                let Some(Phase::Query { client, write, replies }) = self.ops.get_mut(&req) else { return };
                replies.insert(from, (tag, value));
                if replies.len() != majority(n) {
                    return;
                }
                let mut newest = (Tag::default(), 0);
                for &(t, v) in replies.values() {
                    if is_newer(t, newest.0) {
                        newest = (t, v);
                    }
                }
                let (client, write) = (*client, *write);
                // A read stores what it read before it returns: the write-back.
                let (tag, value) = match write {
                    Some(v) => (next_tag(newest.0, ctx.id()), v),
                    None => {
                        self.ops.remove(&req);
                        return ctx.send(client, Msg::GetOk { req, value: newest.1 });
                    }
                };
                self.ops.insert(req, Phase::Store { client, write: write.is_some(), value, acks: BTreeSet::new() });
                (0..n).for_each(|r| ctx.send(r, Msg::Store { req, tag, value }));
            }
            Msg::StoreAck { req } => {
                let Some(Phase::Store { client, write, value, acks }) = self.ops.get_mut(&req) else { return };
                acks.insert(from);
                if acks.len() == majority(n) {
                    let answer = if *write { Msg::PutOk { req } } else { Msg::GetOk { req, value: *value } };
                    ctx.send(*client, answer);
                    self.ops.remove(&req);
                }
            }
            _ => {}
        }
    }
}
