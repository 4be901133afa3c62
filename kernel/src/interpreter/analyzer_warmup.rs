//! When to load distsim into evcxr's rust-analyzer: never while a user's cell waits.
//!
//! The analyzer types every variable a cell defines; its first use must index distsim and all its
//! dependencies, which takes seconds. Warming it up (one throw-away completion) while the user is
//! reading makes the first `let` cell fast. But the warm-up holds the evcxr session, and evcxr gives
//! no way to cancel it once started, so a cell sent meanwhile would wait for it: the second cell of
//! a session, run right after the first, used to wait about 3 s.
//!
//! So the warm-up runs only after the first cell, when no cell is running or waiting and none has
//! ended for a quiet period ([`DEFAULT_QUIET`], or `DISTSIM_WARMUP_QUIET_MS`); a cell arriving
//! during the quiet period pushes it back. The cells of a "run all" arrive back to back and never
//! see it. A cell that arrives while the warm-up already runs still waits; the log says so.
//!
//! The warm-up ends with a hover that drops the completion's results (see `warm_analyzer`), so
//! it costs little memory beyond what the first `let` cell would cost anyway: measured with
//! `kernel/benches/kernel_memory.py` (docs/class.md), the kernel plus its evaluation process hold
//! about 242 MiB before it, 423 MiB after it, and 411-414 MiB once any cell has defined a
//! variable, with or without a warm-up. `DISTSIM_ANALYZER_WARMUP=off` turns it off where idle
//! memory counts more than the first `let` cell's time (0.7 s with the warm-up, 6.5 s without).
//!
//! With `DISTSIM_KERNEL_LOG` set, the decisions are logged (`cell N begins`, `analyzer warm-up
//! started after cell N`, `cell N waits for the analyzer warm-up`), so their order can be checked.

use crate::log;
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

/// How long the kernel must be idle after a cell before the warm-up may start. Longer than the gap
/// between queued cells (microseconds) or a student's two quick Shift+Enters; shorter than reading
/// a cell's output.
pub const DEFAULT_QUIET: Duration = Duration::from_secs(2);

#[derive(Debug, Default)]
struct State {
    /// Cells counted so far (the log's cell numbers).
    cells: u64,
    /// Cells begun and not yet ended (running, or waiting for the session).
    active: usize,
    /// When the last cell ended; `None` before the first cell of the session.
    last_end: Option<Instant>,
    /// The current session still needs its warm-up.
    needed: bool,
    /// The warm-up is running now.
    running: bool,
    /// The interpreter is gone: the scheduler thread ends.
    closed: bool,
}

/// Shared between the interpreter (cells begin and end) and the scheduler thread.
#[derive(Debug)]
pub struct Scheduler {
    state: Mutex<State>,
    changed: Condvar,
    quiet: Duration,
}

/// Marks a cell as active while it lives.
pub struct CellGuard(Arc<Scheduler>);

impl Drop for CellGuard {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.active -= 1;
        state.last_end = Some(Instant::now());
        self.0.changed.notify_all();
    }
}

impl Scheduler {
    /// A scheduler whose thread runs `warm` (which takes the session itself) when the time comes.
    pub fn start(warm: impl Fn() + Send + 'static) -> Arc<Self> {
        let quiet = std::env::var("DISTSIM_WARMUP_QUIET_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(Duration::from_millis)
            .unwrap_or(DEFAULT_QUIET);
        let enabled = std::env::var("DISTSIM_ANALYZER_WARMUP").map_or(true, |v| v != "off");
        let scheduler = Arc::new(Scheduler {
            state: Mutex::new(State { needed: true, ..State::default() }),
            changed: Condvar::new(),
            quiet,
        });
        if enabled {
            let weak = Arc::downgrade(&scheduler);
            std::thread::spawn(move || run(weak, warm));
        } else {
            trace("analyzer warm-up off (DISTSIM_ANALYZER_WARMUP=off)");
        }
        scheduler
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Called before a cell takes the session; the returned guard ends the cell when dropped.
    pub fn cell_begins(self: &Arc<Self>) -> CellGuard {
        let mut state = self.lock();
        state.cells += 1;
        state.active += 1;
        trace(&format!("cell {} begins", state.cells));
        if state.running {
            trace(&format!("cell {} waits for the analyzer warm-up", state.cells));
        }
        self.changed.notify_all();
        CellGuard(Arc::clone(self))
    }

    /// A new session (restart): it needs its own warm-up, after its first cell.
    pub fn session_replaced(&self) {
        let mut state = self.lock();
        state.needed = true;
        state.last_end = None;
        self.changed.notify_all();
    }

    /// Ends the scheduler thread.
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }
}

/// The scheduler thread: waits until the warm-up is due, runs it, and waits for the next session.
fn run(scheduler: Weak<Scheduler>, warm: impl Fn()) {
    loop {
        let Some(s) = scheduler.upgrade() else { return };
        let mut state = s.lock();
        // Wait until needed, after a first cell, with no cell active, quiet for `quiet`.
        let due = loop {
            if state.closed {
                return;
            }
            match state.last_end {
                Some(end) if state.needed && state.active == 0 => {
                    let idle = end.elapsed();
                    if idle >= s.quiet {
                        break state.cells;
                    }
                    state = s.changed.wait_timeout(state, s.quiet - idle).unwrap_or_else(|e| e.into_inner()).0;
                }
                _ => state = s.changed.wait(state).unwrap_or_else(|e| e.into_inner()),
            }
        };
        state.needed = false;
        state.running = true;
        drop(state);
        trace(&format!("analyzer warm-up started after cell {due}"));
        let started = Instant::now();
        warm();
        let mut state = s.lock();
        state.running = false;
        drop(state);
        trace(&format!("analyzer warm-up finished in {:.3} s", started.elapsed().as_secs_f64()));
    }
}

/// Logs one decision, only when `DISTSIM_KERNEL_LOG` names a file (as the start's phases).
fn trace(message: &str) {
    if std::env::var_os("DISTSIM_KERNEL_LOG").is_some() {
        log::warn(&format!("warm-up: {message}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn scheduler(quiet: Duration) -> (Arc<Scheduler>, mpsc::Receiver<()>) {
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let s = Arc::new(Scheduler {
            state: Mutex::new(State { needed: true, ..State::default() }),
            changed: Condvar::new(),
            quiet,
        });
        let weak = Arc::downgrade(&s);
        std::thread::spawn(move || run(weak, move || tx.lock().unwrap().send(()).unwrap()));
        (s, rx)
    }

    #[test]
    fn nothing_is_warmed_before_the_first_cell_or_while_a_cell_is_active() {
        let (s, rx) = scheduler(Duration::ZERO);
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        let cell = s.cell_begins();
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        drop(cell);
        rx.recv().unwrap();
        // Once per session.
        drop(s.cell_begins());
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        s.session_replaced();
        drop(s.cell_begins());
        rx.recv().unwrap();
        s.close();
    }

    #[test]
    fn a_cell_within_the_quiet_period_pushes_the_warm_up_back() {
        let (s, rx) = scheduler(Duration::from_secs(3600));
        drop(s.cell_begins());
        let second = s.cell_begins();
        assert!(rx.try_recv().is_err());
        drop(second);
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        s.close();
    }
}
