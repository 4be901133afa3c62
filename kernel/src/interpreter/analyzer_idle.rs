//! When evcxr's rust-analyzer holds memory: only while a student works, never while they are away.
//!
//! evcxr types every variable a cell defines with rust-analyzer, whose first use loads the standard
//! library's and every dependency's sources and indexes them: 400-700 MB of heap, most of a
//! kernel's memory. The kernel's copy of evcxr (`kernel/vendor/evcxr/PATCHES.md`) loads it lazily,
//! at the first cell that defines a variable, the first completion or the first hover, so a kernel
//! that has only been started holds about 35 MB. (Until 2026-12 the kernel did the opposite: it
//! warmed the analyzer up after the first cell, which made the first `let` cell about 3 s faster
//! and every idle kernel about 500 MB bigger; on a class server the memory matters more.)
//!
//! Once loaded, the analyzer stays while cells keep coming, and is dropped when the kernel has been
//! idle for [`DEFAULT_IDLE`] (or `DISTSIM_ANALYZER_IDLE_MS`): a kernel left open after class, or
//! while its student reads, goes back to its small size. The next cell that needs the analyzer
//! loads it again (seconds, like the first). Completions and hovers count as activity too.
//!
//! With `DISTSIM_KERNEL_LOG` set, the decisions are logged (`cell N begins`, `analyzer released
//! after cell N`, `cell N waits for the analyzer release`), so their order can be checked.

use crate::log;
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::time::{Duration, Instant};

/// How long the kernel must be idle before the analyzer is dropped. Longer than reading a cell's
/// output and writing the next one, so a working student rarely pays the reload; short enough
/// that a kernel left open gives its memory back within minutes.
pub const DEFAULT_IDLE: Duration = Duration::from_secs(300);

#[derive(Debug, Default)]
struct State {
    /// Cells counted so far (the log's cell numbers).
    cells: u64,
    /// Cells, completions and hovers begun and not yet ended.
    active: usize,
    /// When the last of them ended; `None` before the first.
    last_end: Option<Instant>,
    /// Something ran since the last release that may have loaded the analyzer.
    may_hold: bool,
    /// The release is running now.
    running: bool,
    /// The interpreter is gone: the scheduler thread ends.
    closed: bool,
}

/// Shared between the interpreter (work begins and ends) and the scheduler thread.
#[derive(Debug)]
pub struct Scheduler {
    state: Mutex<State>,
    changed: Condvar,
    idle: Duration,
}

/// Marks a cell, completion or hover as active while it lives.
pub struct ActiveGuard(Arc<Scheduler>);

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.active -= 1;
        state.last_end = Some(Instant::now());
        self.0.changed.notify_all();
    }
}

impl Scheduler {
    /// A scheduler whose thread runs `release` (which takes the session itself) when the kernel
    /// has been idle long enough; `release` returns whether the analyzer was loaded.
    pub fn start(release: impl Fn() -> bool + Send + 'static) -> Arc<Self> {
        let idle = std::env::var("DISTSIM_ANALYZER_IDLE_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .map(Duration::from_millis)
            .unwrap_or(DEFAULT_IDLE);
        Self::with_idle(idle, release)
    }

    fn with_idle(idle: Duration, release: impl Fn() -> bool + Send + 'static) -> Arc<Self> {
        let scheduler = Arc::new(Scheduler { state: Mutex::new(State::default()), changed: Condvar::new(), idle });
        let weak = Arc::downgrade(&scheduler);
        std::thread::spawn(move || run(weak, release));
        scheduler
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Called before a cell takes the session; the returned guard ends the cell when dropped.
    pub fn cell_begins(self: &Arc<Self>) -> ActiveGuard {
        let mut state = self.lock();
        state.cells += 1;
        trace(&format!("cell {} begins", state.cells));
        if state.running {
            trace(&format!("cell {} waits for the analyzer release", state.cells));
        }
        self.begin(state)
    }

    /// Called before a completion or hover takes the session (they load the analyzer too).
    pub fn analysis_begins(self: &Arc<Self>) -> ActiveGuard {
        let state = self.lock();
        self.begin(state)
    }

    fn begin(self: &Arc<Self>, mut state: std::sync::MutexGuard<'_, State>) -> ActiveGuard {
        state.active += 1;
        state.may_hold = true;
        self.changed.notify_all();
        ActiveGuard(Arc::clone(self))
    }

    /// Ends the scheduler thread.
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }
}

/// The scheduler thread: waits until the kernel has been idle for `idle` after work that may have
/// loaded the analyzer, releases it, and waits for the next work.
fn run(scheduler: Weak<Scheduler>, release: impl Fn() -> bool) {
    loop {
        let Some(s) = scheduler.upgrade() else { return };
        let mut state = s.lock();
        let after = loop {
            if state.closed {
                return;
            }
            match state.last_end {
                Some(end) if state.may_hold && state.active == 0 => {
                    let idle = end.elapsed();
                    if idle >= s.idle {
                        break state.cells;
                    }
                    state = s.changed.wait_timeout(state, s.idle - idle).unwrap_or_else(|e| e.into_inner()).0;
                }
                _ => state = s.changed.wait(state).unwrap_or_else(|e| e.into_inner()),
            }
        };
        state.may_hold = false;
        state.running = true;
        drop(state);
        let started = Instant::now();
        let was_loaded = release();
        s.lock().running = false;
        if was_loaded {
            trace(&format!("analyzer released after cell {after} in {:.3} s", started.elapsed().as_secs_f64()));
        } else {
            trace(&format!("analyzer not loaded after cell {after}"));
        }
    }
}

/// Logs one decision, only when `DISTSIM_KERNEL_LOG` names a file (as the start's phases).
fn trace(message: &str) {
    if std::env::var_os("DISTSIM_KERNEL_LOG").is_some() {
        log::warn(&format!("analyzer: {message}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn scheduler(idle: Duration) -> (Arc<Scheduler>, mpsc::Receiver<()>) {
        let (tx, rx) = mpsc::channel();
        let tx = Mutex::new(tx);
        let s = Scheduler::with_idle(idle, move || {
            tx.lock().unwrap().send(()).unwrap();
            true
        });
        (s, rx)
    }

    #[test]
    fn nothing_is_released_before_the_first_cell_or_while_work_is_active() {
        let (s, rx) = scheduler(Duration::ZERO);
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        let cell = s.cell_begins();
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        drop(cell);
        rx.recv().unwrap();
        // Once per stretch of work: nothing ran since, nothing to release.
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        // A completion may load the analyzer again; it is released after it.
        let completion = s.analysis_begins();
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        drop(completion);
        rx.recv().unwrap();
        s.close();
    }

    #[test]
    fn work_within_the_idle_period_keeps_the_analyzer() {
        let (s, rx) = scheduler(Duration::from_secs(3600));
        drop(s.cell_begins());
        let second = s.cell_begins();
        drop(second);
        assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
        s.close();
    }
}
