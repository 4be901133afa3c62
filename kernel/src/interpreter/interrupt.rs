//! Interrupting a cell without throwing away the user's variables.
//!
//! Two stages, because the two kinds of long-running cells need different treatment:
//!
//! 1. **Ask.** Create the cancel file named by `DISTSIM_CANCEL_FILE` in the evaluation process's
//!    environment. distsim's engine and sweeps poll it (`distsim::cancel`) and return
//!    `Err(Error::Interrupted)` within a fraction of a second. The process survives, so every
//!    variable of earlier cells survives too.
//! 2. **Kill.** A loop the user wrote themselves never looks at the file. If the cell is still
//!    running after a grace period, the evaluation process is killed; evcxr starts a fresh one, and
//!    the interpreter tells the user that state was lost.
//!
//! The kill is held back while the cell is still being analysed or compiled (the evaluation process
//! is then waiting on its stdin): killing it would lose state for nothing, and the cell will see the
//! cancel file as soon as it starts. It is also held back, for at most [`ANSWER_WAIT`], until each
//! of distsim's watch threads in the process has answered whether a simulation handler is stuck
//! (`distsim::engine::STUCK_DIR_ENV`): they answer within two of their looks, a fifth of a second,
//! but on a loaded machine a deadline alone could kill the process before the answer and lose the
//! handler's name from the error.
//!
//! A widget callback (a closure the kernel calls over the side channel, outside any cell) is
//! interrupted the same way, in the same two stages: distsim loops inside it stop and the
//! variables stay; a closure that never returns costs the process. Rust cannot stop a thread from
//! outside, and leaving it spinning would keep a core busy, hold the widget's locks and keep the
//! process's stdout pointed at the capture file. The only difference: during a callback the main
//! thread waits on stdin as between cells, so that wait does not hold the kill back.

use crate::interpreter::{errors, CallbackEnd, Interrupter};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the interrupt of one cell went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellInterrupt {
    /// The user asked to interrupt this cell.
    pub requested: bool,
    /// The evaluation process was killed (state lost).
    pub killed: bool,
    /// The simulation handlers that were stuck when it was killed, one a line, as distsim's
    /// watches reported them (see `distsim::engine::STUCK_DIR_ENV`).
    pub stuck: Option<String>,
}

#[derive(Default)]
struct CellState {
    running: bool,
    generation: u64,
    outcome: CellInterrupt,
    watchdog: bool,
    /// User code runs on a widget's thread, not the main one (see the module docs).
    callback: bool,
}

struct Inner {
    cancel_file: PathBuf,
    /// Where distsim's watches answer which handlers do not return (`DISTSIM_STUCK_DIR`).
    stuck_dir: PathBuf,
    /// evcxr's handle on the evaluation process; replaced when the context is rebuilt.
    process: Mutex<Arc<Mutex<Child>>>,
    grace: Duration,
    state: Mutex<CellState>,
}

/// The interrupt handle given to the control thread. Cheap to clone.
#[derive(Clone)]
pub struct EvcxrInterrupter {
    inner: Arc<Inner>,
}

impl EvcxrInterrupter {
    /// `process` is evcxr's handle on the evaluation process (it stays valid across restarts).
    pub fn new(cancel_file: PathBuf, process: Arc<Mutex<Child>>, grace: Duration) -> Self {
        let stuck_dir = stuck_dir(&cancel_file);
        let inner = Inner {
            cancel_file,
            stuck_dir,
            process: Mutex::new(process),
            grace,
            state: Mutex::new(CellState::default()),
        };
        EvcxrInterrupter { inner: Arc::new(inner) }
    }

    /// Points at a new evaluation process (after the context was rebuilt by a restart).
    pub fn set_process(&self, process: Arc<Mutex<Child>>) {
        *self.inner.process.lock().unwrap() = process;
    }

    pub fn grace(&self) -> Duration {
        self.inner.grace
    }

    /// Marks the start of a cell: clears the cancel file and the previous cell's outcome.
    pub fn begin_cell(&self) {
        let _ = std::fs::remove_file(&self.inner.cancel_file);
        clear_answers(&self.inner.stuck_dir);
        let mut state = self.inner.state.lock().unwrap();
        state.running = true;
        state.generation += 1;
        state.outcome = CellInterrupt::default();
        state.watchdog = false;
        state.callback = false;
    }

    /// Marks the end of a cell and says whether it was interrupted.
    pub fn end_cell(&self) -> CellInterrupt {
        let mut state = self.inner.state.lock().unwrap();
        state.running = false;
        let _ = std::fs::remove_file(&self.inner.cancel_file);
        if state.outcome.killed {
            state.outcome.stuck = stuck_handlers(&self.inner.stuck_dir);
        }
        state.outcome.clone()
    }
}

impl Interrupter for EvcxrInterrupter {
    fn begin_callback(&self) {
        self.begin_cell();
        self.inner.state.lock().unwrap().callback = true;
    }

    fn end_callback(&self) -> CallbackEnd {
        let outcome = self.end_cell();
        let interrupted = match (outcome.requested, outcome.killed) {
            (_, true) => {
                Some(errors::interrupted_state_lost("widget callback", self.grace(), outcome.stuck.as_deref()))
            }
            (true, false) => Some(errors::interrupted_state_kept()),
            (false, false) => None,
        };
        CallbackEnd { interrupted, process_lost: outcome.killed }
    }

    fn interrupt(&self) {
        let generation = {
            let mut state = self.inner.state.lock().unwrap();
            if !state.running {
                return;
            }
            state.outcome.requested = true;
            if state.watchdog {
                None
            } else {
                state.watchdog = true;
                Some(state.generation)
            }
        };
        let _ = std::fs::write(&self.inner.cancel_file, b"interrupt\n");
        if let Some(generation) = generation {
            let inner = Arc::clone(&self.inner);
            std::thread::spawn(move || watchdog(&inner, generation));
        }
    }
}

/// The directory distsim's watches answer in: beside the cancel file.
pub fn stuck_dir(cancel_file: &Path) -> PathBuf {
    cancel_file.with_file_name("stuck-answers")
}

/// How long past the grace period the kill waits for the watches' answers at most.
const ANSWER_WAIT: Duration = Duration::from_secs(3);

/// Removes the previous cell's answers (the watches write a hidden file first, then rename it).
fn clear_answers(dir: &Path) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let _ = std::fs::remove_file(entry.path());
    }
}

/// The answers in place, by file name; hidden files are answers still being written.
fn answers(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut found: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            (!name.starts_with('.')).then(|| (name, entry.path()))
        })
        .collect();
    found.sort();
    found
}

/// The stuck handlers the answers name, one a line; `None` when no answer names one.
fn stuck_handlers(dir: &Path) -> Option<String> {
    let text: String = answers(dir).iter().filter_map(|(_, path)| std::fs::read_to_string(path).ok()).collect();
    (!text.trim().is_empty()).then_some(text)
}

/// Whether a watch thread of process `pid` has not answered yet. Linux only (thread names come
/// from `/proc`); elsewhere, and when `/proc` cannot be read: no.
fn answers_pending(pid: u32, dir: &Path) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return false };
    let watches = tasks
        .flatten()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|name| name.trim_end() == distsim::engine::WATCH_THREAD_NAME)
        })
        .count();
    watches > answers(dir).len()
}

/// Waits out the grace period, then kills the evaluation process if the same cell is still
/// running user code.
fn watchdog(inner: &Inner, generation: u64) {
    let deadline = Instant::now() + inner.grace;
    loop {
        std::thread::sleep(Duration::from_millis(50));
        let mut state = inner.state.lock().unwrap();
        if !state.running || state.generation != generation {
            return;
        }
        if Instant::now() < deadline {
            continue;
        }
        let process = Arc::clone(&inner.process.lock().unwrap());
        let mut child = process.lock().unwrap();
        if !state.callback && !running_user_code(child.id()) {
            continue;
        }
        if Instant::now() < deadline + ANSWER_WAIT && answers_pending(child.id(), &inner.stuck_dir) {
            continue;
        }
        if child.kill().is_ok() {
            state.outcome.killed = true;
        }
        return;
    }
}

/// Whether the evaluation process is running a cell's code, as opposed to waiting for the next
/// command (its main thread then sits in `read(0, ..)` on its stdin). While evcxr is still
/// analysing or compiling the cell the process waits, and killing it would lose state for nothing:
/// the cell will see the cancel file as soon as it starts. Linux only; elsewhere: always "running".
fn running_user_code(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/syscall")) {
        // "<nr> <arg0> ...": syscall 0 is read (x86_64), arg0 0x0 is stdin.
        Ok(text) => {
            let mut fields = text.split_whitespace();
            !(cfg!(target_arch = "x86_64") && fields.next() == Some("0") && fields.next() == Some("0x0"))
        }
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kill_waits_until_every_watch_thread_has_a_complete_answer() {
        let dir = std::env::temp_dir().join(format!("distsim-answers-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let me = std::process::id();
        assert!(!answers_pending(me, &dir), "no watch thread, nothing to wait for");

        // A thread named like distsim's watch, parked until the test ends. The new thread names
        // itself before running the closure, so its first message means the name is set.
        let (stop, parked) = std::sync::mpsc::channel::<()>();
        let (ready, named) = std::sync::mpsc::channel::<()>();
        let watch = std::thread::Builder::new()
            .name(distsim::engine::WATCH_THREAD_NAME.into())
            .spawn(move || {
                ready.send(()).unwrap();
                parked.recv()
            })
            .unwrap();
        named.recv().unwrap();
        assert!(answers_pending(me, &dir));
        std::fs::write(dir.join(".1-abc"), "n1's on_start, at t=0s\n").unwrap();
        assert!(answers_pending(me, &dir), "a hidden file is an answer still being written");
        assert_eq!(stuck_handlers(&dir), None);

        std::fs::write(dir.join("1-def"), "").unwrap();
        assert!(!answers_pending(me, &dir));
        assert_eq!(stuck_handlers(&dir), None, "an empty answer: nothing stuck");
        std::fs::write(dir.join("1-abc"), "n1's on_start, at t=0s\n").unwrap();
        assert_eq!(stuck_handlers(&dir).as_deref(), Some("n1's on_start, at t=0s\n"));

        clear_answers(&dir);
        assert!(answers(&dir).is_empty() && std::fs::read_dir(&dir).unwrap().next().is_none());
        stop.send(()).unwrap();
        watch.join().unwrap().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
