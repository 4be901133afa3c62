// A plausible but incomplete replica: it sends each write to the others once (`Replicate`) and skips
// anti-entropy (the timer only re-arms itself), as if replicating every write were enough. A replica that
// was cut off or down when a write happened never learns it. Without faults nothing is missed, so the
// visible tests pass.
// expect: loses test_runs in hidden

// === edit of answer cell: store ===
<<<<<<< solution
        let me = ctx.id();
        for r in (0..self.replicas).filter(|&r| r != me) {
            ctx.send(r, Msg::Sync { siblings: self.siblings.clone() });
        }
        ctx.reset_timer(&mut self.sync, SYNC_EVERY, Timer::AntiEntropy);
=======
        let me = ctx.id();
        ctx.reset_timer(&mut self.sync, SYNC_EVERY, Timer::AntiEntropy);
>>>>>>> fixture
