//! The watch that names a handler which never returns (what the kernel shows after killing a
//! stuck cell). Its own test binary: the cancel file and the answer directory are read from the
//! environment once per process.

use distsim::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Node 0 sends one message; node 1's handler spins until the test lets it go, as a busy wait in a
/// student's handler would, except that it ends.
#[derive(Clone, Debug)]
struct Spinner {
    spinning: Arc<AtomicBool>,
    release: Arc<AtomicBool>,
}

impl Node for Spinner {
    type Msg = u8;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<u8>) {
        if ctx.id() == 0 {
            ctx.send(1, 7);
        }
    }
    fn on_message(&mut self, _ctx: &mut Context<u8>, _from: NodeId, _m: u8) {
        self.spinning.store(true, Ordering::SeqCst);
        while !self.release.load(Ordering::SeqCst) {
            std::hint::spin_loop();
        }
    }
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).collect();
    files.sort();
    files
}

#[test]
fn after_an_interrupt_the_watch_answers_with_the_stuck_handler_in_one_complete_file() {
    let scratch = std::env::temp_dir().join(format!("distsim-watch-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let (cancel, answers) = (scratch.join("cancel"), scratch.join("answers"));
    std::env::set_var(distsim::cancel::CANCEL_FILE_ENV, &cancel);
    std::env::set_var(distsim::engine::STUCK_DIR_ENV, &answers);

    let (spinning, release) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let spinner = Spinner { spinning: spinning.clone(), release: release.clone() };
    let nodes = vec![spinner.clone(), spinner];
    let run = std::thread::spawn(move || {
        let mut sim = Simulation::new(1, nodes).unwrap();
        sim.run_until_quiet()
    });
    // Wait for the event, not a time: the handler says when it spins.
    let started = Instant::now();
    while !spinning.load(Ordering::SeqCst) {
        assert!(started.elapsed() < Duration::from_secs(60), "the handler never ran");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(watch_thread_exists(), "a run in a process with {} set starts the watch", distsim::engine::STUCK_DIR_ENV);
    assert!(files_in(&answers).is_empty(), "no answer before an interrupt is asked for");

    std::fs::write(&cancel, b"interrupt\n").unwrap();
    let answer = loop {
        let complete: Vec<PathBuf> = files_in(&answers)
            .into_iter()
            .filter(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.'))
            .collect();
        if let Some(path) = complete.first() {
            assert_eq!(complete.len(), 1, "one watch, one answer: {complete:?}");
            let text = std::fs::read_to_string(path).unwrap();
            if !text.is_empty() {
                break text;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(60), "the watch never named the handler");
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(answer, "n1's on_message, message #0 from n0, at t=1ms\n");

    // Let the handler return; no event is left, so the run ends.
    release.store(true, Ordering::SeqCst);
    run.join().unwrap().unwrap();
    let left: Vec<PathBuf> = files_in(&answers);
    assert!(left.iter().all(|p| !p.file_name().unwrap().to_string_lossy().starts_with('.')), "{left:?}");
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Whether this process runs a thread named like distsim's watch (Linux names threads in /proc).
fn watch_thread_exists() -> bool {
    std::fs::read_dir("/proc/self/task").into_iter().flatten().flatten().any(|task| {
        std::fs::read_to_string(task.path().join("comm"))
            .is_ok_and(|name| name.trim_end() == distsim::engine::WATCH_THREAD_NAME)
    })
}
