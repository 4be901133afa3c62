// A plausible but incomplete replica: it sends each write to the others once (`Replicate`) and skips
// anti-entropy (the timer only re-arms itself), as if replicating every write were enough. A replica that
// was cut off or down when a write happened never learns it. Without faults nothing is missed, so the
// visible tests pass.
// expect: loses test_runs in hidden

// === answer cell: store ===
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Store {
    replicas: usize,
    siblings: Vec<Sibling>,
    sync: Option<TimerId>,
}

impl Store {
    fn new(replicas: usize) -> Store {
        Store { replicas, siblings: vec![], sync: None }
    }
}

impl Node for Store {
    type Msg = Msg;
    type Timer = Timer;

    fn on_start(&mut self, ctx: &mut Context<Msg, Timer>) {
        ctx.reset_timer(&mut self.sync, SYNC_EVERY, Timer::AntiEntropy);
    }

    fn on_recover(&mut self, ctx: &mut Context<Msg, Timer>) {
        ctx.reset_timer(&mut self.sync, SYNC_EVERY, Timer::AntiEntropy);
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg, Timer>, _timer: Timer) {
        let me = ctx.id();
        ctx.reset_timer(&mut self.sync, SYNC_EVERY, Timer::AntiEntropy);
    }

    fn on_message(&mut self, ctx: &mut Context<Msg, Timer>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Put { req, value, context } => {
                let me = ctx.id();
                // The writer is the client: two clients' writes that saw the same context are concurrent.
                let mut clock = context;
                clock.tick(from);
                let sibling = Sibling { clock, value };
                merge_sibling(&mut self.siblings, sibling.clone());
                ctx.send(from, Msg::PutOk { req });
                for r in (0..self.replicas).filter(|&r| r != me) {
                    ctx.send(r, Msg::Replicate { sibling: sibling.clone() });
                }
            }
            Msg::Get { req } => {
                let mut values: Vec<u64> = self.siblings.iter().map(|s| s.value).collect();
                values.sort();
                ctx.send(from, Msg::GetOk { req, values, context: context_of(&self.siblings) });
            }
            Msg::Replicate { sibling } => merge_sibling(&mut self.siblings, sibling),
            Msg::Sync { siblings } => siblings.into_iter().for_each(|s| merge_sibling(&mut self.siblings, s)),
            _ => {}
        }
    }
}
