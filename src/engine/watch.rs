//! Naming a handler that never returns, for the notebook kernel (issue 18 item 3).
//!
//! A handler that busy-waits (`loop {}`, a `while` whose condition never changes) never comes back
//! to the run loop, so the engine cannot stop it and the kernel must kill the evaluation process.
//! Before it does, this module says which handler it was. Each thread running a simulation has a
//! slot of atomics that the engine updates as a handler begins (a few relaxed stores, no
//! formatting). A watch thread, started with the first run when the kernel set
//! [`STUCK_DIR_ENV`], looks every [`LOOK`] whether an interrupt was asked for
//! ([`crate::cancel::requested`]); a slot whose handler has not changed across two looks since then
//! is stuck.
//!
//! From the second look after the request on, the watch *answers* in a file of its own in the
//! directory the variable names: one line per stuck slot, e.g. `n2's on_timer, timer 7, at t=1.5ms`,
//! or nothing when no handler of its runs is stuck. Every cell links its own copy of distsim, so a
//! process may hold several watches (named `distsim-watch`); the kernel kills only once each of
//! them has answered (or a bound has passed), so a slow look cannot lose the name, and it reads the
//! answers after the kill. An answer is written to a hidden file and renamed into place, so a kill
//! in the middle of writing it leaves the previous answer or none, never half of one.
//!
//! Outside the kernel (the variable unset), a handler's start costs one load and a branch.
//! The message's or timer's debug text is not quoted: it lives in the trace, which belongs to the
//! stuck thread; its number finds it in the trace of a rerun.

use super::handling::{Handler, Handling};
use crate::time::Time;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The environment variable naming the directory the watches answer an interrupt in.
pub const STUCK_DIR_ENV: &str = "DISTSIM_STUCK_DIR";

/// The name the watch thread runs under, which the kernel counts its answers against.
pub const WATCH_THREAD_NAME: &str = "distsim-watch";

/// How often the watch looks at the running handlers while an interrupt is pending.
const LOOK: Duration = Duration::from_millis(100);

/// One simulating thread's current handler.
#[derive(Default)]
struct Slot {
    /// Whether the thread is inside a run loop.
    running: AtomicBool,
    /// Counts handler starts, so the watch can tell "the same handler" from "another one".
    started: AtomicU64,
    node: AtomicU64,
    /// [`Handler`] packed: kind in the low 3 bits, the message or timer number above them.
    handler: AtomicU64,
    /// The sender of a message.
    from: AtomicU64,
    now_nanos: AtomicU64,
    /// Node names of the running simulation, set once per run call.
    names: Mutex<Vec<String>>,
}

struct Watch {
    dir: std::path::PathBuf,
    slots: Mutex<Vec<Arc<Slot>>>,
}

/// The watch, when the kernel asked for one.
fn watch() -> Option<&'static Watch> {
    static WATCH: OnceLock<Option<Watch>> = OnceLock::new();
    WATCH
        .get_or_init(|| {
            let dir = std::env::var_os(STUCK_DIR_ENV)?;
            let watch = Watch { dir: dir.into(), slots: Mutex::new(Vec::new()) };
            Some(watch)
        })
        .as_ref()
}

/// Whether handler starts are recorded (the watch exists); a plain load once set up.
static ENABLED: AtomicBool = AtomicBool::new(false);

thread_local! {
    static SLOT: Arc<Slot> = register();
}

fn register() -> Arc<Slot> {
    let slot = Arc::new(Slot::default());
    if let Some(watch) = watch() {
        watch.slots.lock().unwrap_or_else(|e| e.into_inner()).push(Arc::clone(&slot));
    }
    slot
}

/// Called as a run loop begins on this thread, with the simulation's node names.
pub(crate) fn run_begins(names: impl FnOnce() -> Vec<String>) {
    let Some(watch) = watch() else { return };
    start_watch_thread(watch);
    ENABLED.store(true, Relaxed);
    SLOT.with(|slot| {
        *slot.names.lock().unwrap_or_else(|e| e.into_inner()) = names();
        slot.running.store(true, Relaxed);
    });
}

/// Called as the run loop ends (also when a panic unwinds through it).
pub(crate) fn run_ends() {
    if ENABLED.load(Relaxed) {
        SLOT.with(|slot| slot.running.store(false, Relaxed));
    }
}

/// Records that `handling` begins at virtual time `now`.
#[inline]
pub(crate) fn handler_begins(handling: Handling, now: Time) {
    if !ENABLED.load(Relaxed) {
        return;
    }
    SLOT.with(|slot| {
        let (kind, number, from) = match handling.handler {
            Handler::None => (0, 0, 0),
            Handler::Start => (1, 0, 0),
            Handler::Message { from, msg } => (2, msg, from as u64),
            Handler::Timer(id) => (3, id, 0),
            Handler::Crash => (4, 0, 0),
            Handler::Recover => (5, 0, 0),
        };
        slot.node.store(handling.node as u64, Relaxed);
        slot.handler.store(kind | number << 3, Relaxed);
        slot.from.store(from, Relaxed);
        slot.now_nanos.store(now.as_nanos(), Relaxed);
        slot.started.fetch_add(1, Relaxed);
    });
}

/// Whether the watch thread runs. It ends after [`IDLE_LOOKS`] looks with no run going: every
/// cell links its own copy of distsim, so a thread kept forever would be one more per cell.
static STARTED: AtomicBool = AtomicBool::new(false);
const IDLE_LOOKS: u32 = 20;

fn start_watch_thread(watch: &'static Watch) {
    if STARTED.swap(true, Relaxed) {
        return;
    }
    let spawned = std::thread::Builder::new().name(WATCH_THREAD_NAME.into()).spawn(move || watch_loop(watch));
    if spawned.is_err() {
        STARTED.store(false, Relaxed);
    }
}

/// Looks while an interrupt is pending; answers with the slots whose handler stayed the same.
fn watch_loop(watch: &'static Watch) {
    // (slot index, handler starts) seen at the previous look since the interrupt.
    let mut seen: Vec<Option<u64>> = Vec::new();
    // Looks since the request, and the answer last written for it.
    let mut looks = 0u32;
    let mut answered: Option<String> = None;
    let mut idle = 0;
    loop {
        std::thread::sleep(LOOK);
        let slots = watch.slots.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let any_running = slots.iter().any(|slot| slot.running.load(Relaxed));
        idle = if any_running { 0 } else { idle + 1 };
        if idle >= IDLE_LOOKS {
            STARTED.store(false, Relaxed);
            // A run that began just now saw the thread still there: look once more for it.
            if !slots.iter().any(|slot| slot.running.load(Relaxed)) || STARTED.swap(true, Relaxed) {
                return;
            }
            idle = 0;
        }
        if !crate::cancel::requested() {
            seen.clear();
            looks = 0;
            answered = None;
            continue;
        }
        looks = looks.saturating_add(1);
        seen.resize(slots.len(), None);
        let mut stuck = Vec::new();
        for (slot, previous) in slots.iter().zip(seen.iter_mut()) {
            let started = slot.started.load(Relaxed);
            let running = slot.running.load(Relaxed);
            if running && *previous == Some(started) {
                stuck.push(describe(slot) + "\n");
            }
            *previous = running.then_some(started);
        }
        // The first look only records where each slot is; "stuck" needs a second one.
        let answer = stuck.concat();
        if looks >= 2 && answered.as_ref() != Some(&answer) {
            write_answer(watch, &answer);
            answered = Some(answer);
        }
    }
}

/// Puts this watch's answer in place in one step (see the module docs).
fn write_answer(watch: &Watch, answer: &str) {
    // Unique among the copies of distsim in this process, and across processes.
    let name = format!("{}-{:x}", std::process::id(), watch as *const Watch as usize);
    let hidden = watch.dir.join(format!(".{name}"));
    let _ = std::fs::create_dir_all(&watch.dir);
    if std::fs::write(&hidden, answer).is_ok() {
        let _ = std::fs::rename(&hidden, watch.dir.join(name));
    }
}

/// `n2's on_timer, timer 7, at t=1.5ms` for a slot's current handler.
fn describe(slot: &Slot) -> String {
    let names = slot.names.lock().unwrap_or_else(|e| e.into_inner());
    let name = |id: u64| names.get(id as usize).cloned().unwrap_or_else(|| format!("n{id}"));
    let node = name(slot.node.load(Relaxed));
    let packed = slot.handler.load(Relaxed);
    let number = packed >> 3;
    let handler = match packed & 7 {
        0 => "no handler (the engine itself)".to_string(),
        1 => format!("{node}'s on_start"),
        2 => format!("{node}'s on_message, message #{number} from {}", name(slot.from.load(Relaxed))),
        3 => format!("{node}'s on_timer, timer {number}"),
        4 => format!("{node}'s on_crash"),
        _ => format!("{node}'s on_recover"),
    };
    let now = Time::ZERO + crate::time::Duration::from_nanos(slot.now_nanos.load(Relaxed));
    format!("{handler}, at {now}")
}
