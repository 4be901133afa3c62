// Does not compile: a one-line type error in the replica. Only the tests that need the replica lose points;
// the tags part is graded as usual.
// expect: full test_tags
// expect: zero test_healthy
// expect: zero test_faults
// expect: zero test_model_check

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
                    None => newest,
                };
                self.ops.insert(req, Phase::Store { client, write: write.is_some(), value, acks: BTreeSet::new() });
                (0..n).for_each(|r| ctx.send(r, Msg::Store { req, tag, value }));
            }
            Msg::StoreAck { req } => {
                let Some(Phase::Store { client, write, value, acks }) = self.ops.get_mut(&req) else { return };
                acks.insert(from as u64);
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
