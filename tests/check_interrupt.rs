//! An interrupt (the kernel's cancel file appearing) stops a check with Err(Interrupted).
//! Its own test binary: the cancel-file path is read once per process.

use distsim::check::Checker;
use distsim::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Forever(u64);

impl Node for Forever {
    type Msg = ();
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<()>) {
        ctx.set_timer(millis(1), ());
    }
    fn on_timer(&mut self, ctx: &mut Context<()>, _: ()) {
        self.0 += 1;
        ctx.set_timer(millis(1), ());
    }
}

#[test]
fn creating_the_cancel_file_stops_the_check_and_removing_it_lets_the_next_run() {
    let path = std::env::temp_dir().join(format!("distsim-check-cancel-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    std::env::set_var(distsim::cancel::CANCEL_FILE_ENV, &path);
    for dfs in [false, true] {
        let seen = Arc::new(AtomicUsize::new(0));
        let (counter, file) = (seen.clone(), path.clone());
        let mut c = Checker::new(vec![Forever(0)]).max_depth(1_000_000).always("runs", move |_| {
            if counter.fetch_add(1, Ordering::SeqCst) == 50 {
                std::fs::write(&file, b"stop").unwrap(); // what the kernel does on interrupt
            }
            true
        });
        if dfs {
            c = c.depth_first();
        }
        assert_eq!(c.run().err(), Some(Error::Interrupted));
        let seen = seen.load(Ordering::SeqCst);
        assert!(seen < 10_000, "stopped early, after {seen} states");
        std::fs::remove_file(&path).unwrap();
    }
    let r = Checker::new(vec![Forever(0)]).max_states(10).run();
    assert!(matches!(r, Err(Error::InvalidParameter { .. })), "runs again once the file is gone");
}
