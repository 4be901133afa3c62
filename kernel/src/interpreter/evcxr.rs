//! The evcxr-backed interpreter: Rust cells with distsim preloaded.
//!
//! Each cell goes to evcxr's `CommandContext`, which compiles it into a shared object and runs it in
//! a separate evaluation process that keeps the variables. This file maps the outcomes to what the
//! protocol core needs:
//!
//! - output streams while the cell runs ([`pump`](super::pump)), rich values become bundles with
//!   `text/plain` always present;
//! - compile errors, panics and interrupts become `error`s with `ename` `CompileError`, `Panic`,
//!   `Interrupted` ([`errors`](super::errors));
//! - an interrupt first asks distsim to stop (state kept), then kills a cell that ignores it
//!   ([`interrupt`](super::interrupt)); after a kill distsim is loaded again.
//!
//! The kernel adds one command, `:distsim`, and lists it in `:help`.

use super::analyzer_warmup::Scheduler;
use super::cell_builds;
use super::cursor::{byte_to_char, char_to_byte, escape, name_at};
use super::errors;
use super::incremental::{self, CellCache};
use super::interrupt::EvcxrInterrupter;
use super::memory;
use super::pump::{self, CellEnd};
use super::recovery::Recovery;
use super::session::{self, Session};
use super::warmup::CacheLayout;
use super::{Completeness, Completions, ExecOutcome, Interpreter, Interrupter, MimeBundle, OutputSink, StreamName};
use crate::log;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How to start the interpreter. `Default` is what the installed kernel uses.
#[derive(Debug, Clone)]
pub struct StartOptions {
    /// The distsim checkout; default `$DISTSIM_PATH`, else the repository the kernel was built from.
    pub distsim_path: Option<PathBuf>,
    /// The shared build cache; default `$DISTSIM_KERNEL_CACHE`, else `~/.cache/distsim-kernel`.
    pub cache_dir: Option<PathBuf>,
    /// The program run as the evaluation process and as cargo's rustc wrapper; it must call
    /// `evcxr::runtime_hook()` and [`incremental::rustc_wrapper_hook`] first thing in `main`.
    /// Default: the current executable (the kernel binary).
    pub runtime_exe: Option<PathBuf>,
    /// How long an interrupted cell may keep running before its process is killed.
    pub interrupt_grace: Duration,
    /// When cells compile with rustc's incremental cache (see [`incremental`](super::incremental)).
    pub incremental: incremental::Mode,
}

impl Default for StartOptions {
    fn default() -> Self {
        StartOptions {
            distsim_path: None,
            cache_dir: None,
            runtime_exe: None,
            interrupt_grace: Duration::from_secs(2),
            incremental: incremental::Mode::default(),
        }
    }
}

/// Removes this kernel's private directory when the interpreter goes away.
struct KernelDir(PathBuf);

impl Drop for KernelDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The session, also when a thread panicked holding it (the session itself is still usable).
fn lock_session(session: &Mutex<Option<Session>>) -> std::sync::MutexGuard<'_, Option<Session>> {
    session.lock().unwrap_or_else(|e| e.into_inner())
}

pub struct EvcxrInterpreter {
    /// Shared with the warm-up thread; `None` only while a session is being replaced, or after
    /// replacing it failed (then `recovery` holds the reason and the next cell tries again).
    session: Arc<Mutex<Option<Session>>>,
    interrupter: EvcxrInterrupter,
    distsim: PathBuf,
    layout: CacheLayout,
    rustc: String,
    /// Starts the analyzer warm-up when no cell waits (see [`super::analyzer_warmup`]).
    warmup: Arc<Scheduler>,
    /// Gives the analyzer's freed memory back once the kernel is idle.
    trimmer: Arc<memory::Trimmer>,
    /// Loads distsim again after the evaluation process was lost or `:clear` (see [`Recovery`]).
    recovery: Arc<Recovery>,
    /// Which rustc incremental cache, if any, each cell compiles with.
    cell_cache: CellCache,
    dir: KernelDir,
}

impl EvcxrInterpreter {
    /// Starts evcxr with distsim loaded. Builds the shared cache first if it is missing or stale.
    pub fn start(opts: StartOptions) -> Result<Self, String> {
        let distsim = session::distsim_path(opts.distsim_path);
        let runtime_exe = match opts.runtime_exe {
            Some(exe) => exe,
            None => std::env::current_exe().map_err(|e| e.to_string())?,
        };
        let layout = CacheLayout::resolve(opts.cache_dir);
        let t = Instant::now();
        let rustc = session::rustc_version();
        session::ensure_template(&layout, &distsim, &runtime_exe, &rustc)?;
        log::phase("checking the distsim cache", t);
        let t = Instant::now();
        let dir = KernelDir(layout.new_kernel_dir().map_err(|e| format!("cannot create the kernel directory: {e}"))?);
        log::phase("copying the kernel directory", t);
        let template_lock = std::fs::read_to_string(layout.template().join("crate/Cargo.lock")).ok();
        let crate_dir = dir.0.join("crate");
        let cancel = dir.0.join("cancel");
        // No file a cell build writes may stay a hard link shared with the template and the other
        // kernels (see `cell_builds`).
        cell_builds::forget(&crate_dir).map_err(|e| format!("cannot prepare {}: {e}", crate_dir.display()))?;
        let generation = std::fs::read_to_string(dir.0.join("generation")).map(PathBuf::from).unwrap_or_default();
        match session::use_analyzer_library(&generation) {
            Some(library) => log::detail(&format!("the analyzer reads the standard library at {}", library.display())),
            None => log::detail(
                "the analyzer reads the toolchain's whole standard library (no trimmed copy in the template)",
            ),
        }
        let t = Instant::now();
        let mut session = session::open(&crate_dir, &runtime_exe, &cancel)?;
        log::phase("opening evcxr", t);
        let t = Instant::now();
        session::run_preamble(&mut session, &distsim, template_lock.as_deref(), true, &crate_dir)?;
        log::phase("loading distsim (preamble)", t);
        let interrupter = EvcxrInterrupter::new(cancel.clone(), session.ctx.process_handle(), opts.interrupt_grace);
        let session = Arc::new(Mutex::new(Some(session)));
        let trimmer = Arc::new(memory::Trimmer::start());
        let warmup = {
            let (session, trimmer) = (Arc::clone(&session), Arc::clone(&trimmer));
            Scheduler::start(move || warm_analyzer(&session, &trimmer))
        };
        let recovery = Arc::new(Recovery {
            session: Arc::clone(&session),
            crate_dir,
            cancel_file: cancel,
            distsim: distsim.clone(),
            runtime_exe,
            template_lock,
            interrupter: interrupter.clone(),
            warmup: Arc::clone(&warmup),
            trimmer: Arc::clone(&trimmer),
            failure: Mutex::new(None),
        });
        let cell_cache = CellCache::new(opts.incremental, &dir.0);
        Ok(EvcxrInterpreter {
            session,
            interrupter,
            distsim,
            layout,
            rustc,
            warmup,
            trimmer,
            recovery,
            cell_cache,
            dir,
        })
    }

    /// Builds the shared cache (distsim compiled optimized) so that kernels start fast. Run at
    /// install time; later calls return at once while the cache is current.
    pub fn prewarm() -> Result<(), String> {
        Self::prewarm_with(StartOptions::default())
    }

    pub fn prewarm_with(opts: StartOptions) -> Result<(), String> {
        let distsim = session::distsim_path(opts.distsim_path);
        let runtime_exe = match opts.runtime_exe {
            Some(exe) => exe,
            None => std::env::current_exe().map_err(|e| e.to_string())?,
        };
        session::ensure_template(
            &CacheLayout::resolve(opts.cache_dir),
            &distsim,
            &runtime_exe,
            &session::rustc_version(),
        )
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Session>> {
        lock_session(&self.session)
    }

    /// Runs the cell in evcxr while two threads stream its output to `sink`.
    fn run_cell(
        &mut self,
        code: &str,
        sink: &dyn OutputSink,
    ) -> (Result<::evcxr::EvalOutputs, ::evcxr::Error>, pump::Failure) {
        let end = CellEnd::new();
        let suppress_stderr = AtomicBool::new(false);
        let failure = Mutex::new(pump::Failure::default());
        // The field, not `self.lock()`: the cell cache below is borrowed mutably meanwhile.
        let mut guard = lock_session(&self.session);
        let session = guard.as_mut().expect("open session");
        session::enable_question_mark(session, code);
        self.cell_cache.prepare(code);
        // Only now (the warm-up may have held the lock): the interrupt watchdog must not count
        // the wait as running code.
        self.interrupter.begin_cell();
        let (ctx, outputs) = (&mut session.ctx, &session.outputs);
        let stderr_end = pump::StderrEnd::default();
        let result = std::thread::scope(|scope| {
            let out = scope.spawn(|| pump::pump_stdout(outputs, sink, &end, &failure));
            let err = scope.spawn(|| pump::pump_stderr(outputs, sink, &end, &suppress_stderr, &stderr_end));
            // evcxr does not export its input request type; the closure's type comes from the field.
            let mut callbacks = ::evcxr::EvalCallbacks {
                input_reader: &|request| sink.input(&request.prompt, request.is_password).unwrap_or_default(),
            };
            let result = ctx.execute_with_callbacks(code, &mut callbacks);
            let process = ctx.process_handle();
            let pid = process.lock().map(|child| child.id());
            if let Ok(pid) = pid {
                stderr_end.send(pid);
            }
            end.announce();
            let _ = out.join();
            let _ = err.join();
            result
        });
        (result, failure.into_inner().unwrap_or_else(|e| e.into_inner()))
    }

    fn help_additions() -> (&'static str, &'static str) {
        (
            "\ndistsim kernel additions:\n\
             :distsim          Show the distsim library path, build cache and interrupt settings\n\
             (interrupt)       Stops distsim simulations and sweeps, keeping your variables\n",
            "<p><b>distsim kernel additions</b></p><table>\
             <tr><td>:distsim</td><td>Show the distsim library path, build cache and interrupt settings</td></tr>\
             <tr><td>(interrupt)</td><td>Stops distsim simulations and sweeps, keeping your variables</td></tr></table>",
        )
    }

    fn distsim_info(&self) -> MimeBundle {
        let text = format!(
            "distsim library: {}\nbuild cache: {}\nkernel directory: {}\ncells: opt-level 0; distsim and dependencies: opt-level 3\n\
             interrupt: distsim loops stop and keep state; other cells are killed after {:.1} s (state lost)\n{}\n",
            self.distsim.display(),
            self.layout.root.display(),
            self.dir.0.display(),
            self.interrupter.grace().as_secs_f64(),
            self.rustc,
        );
        let mut bundle = MimeBundle::new();
        bundle.insert("text/plain".into(), Value::String(text));
        bundle
    }
}

/// Loads distsim into evcxr's rust-analyzer: one throw-away completion. The analyzer types every
/// variable a cell defines; its first use must index distsim and all its dependencies, which takes
/// seconds. Run by the [`Scheduler`] while the user is reading, so the first `let` cell is fast.
///
/// The completion's own results stay in the analyzer until it analyses something else, which a
/// user's next cell would do; a hover on a one-word cell does it at once. Idle memory after the
/// warm-up went from 523 to 423 MiB with it (kernel/benches/kernel_memory.py, docs/class.md), and
/// the first `let` cell stayed as fast.
fn warm_analyzer(session: &Mutex<Option<Session>>, trimmer: &memory::Trimmer) {
    trimmer.cell_begins();
    let mut guard = session.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(session) = guard.as_mut() {
        let code = "let warm = Table::new([\"a\"]); warm.";
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| session.ctx.completions(code, code.len())));
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| session.ctx.hover_at("let", 3)));
    }
    drop(guard);
    trimmer.cell_done();
}

impl Drop for EvcxrInterpreter {
    fn drop(&mut self) {
        self.warmup.close();
    }
}

fn bundle_from(outputs: &::evcxr::EvalOutputs) -> Option<MimeBundle> {
    let content = &outputs.content_by_mime_type;
    // A cell ending in a block or a unit-returning call has the value `()`; like IPython's `None`,
    // it is not worth an Out[n] (and graders would see a result where there is nothing to show).
    let only_unit = content.len() == 1 && content.get("text/plain").is_some_and(|t| t.trim() == "()");
    if content.is_empty() || only_unit {
        return None;
    }
    let mut bundle = MimeBundle::new();
    for (mime, content) in &outputs.content_by_mime_type {
        let value = if mime == "application/json" || mime.ends_with("+json") {
            serde_json::from_str(content).unwrap_or_else(|_| Value::String(content.clone()))
        } else {
            Value::String(content.clone())
        };
        bundle.insert(mime.clone(), value);
    }
    Some(bundle)
}

impl Interpreter for EvcxrInterpreter {
    fn execute(&mut self, code: &str, sink: &dyn OutputSink) -> ExecOutcome {
        let trimmed = code.trim();
        if trimmed == ":distsim" {
            return ExecOutcome::Ok { result: Some(self.distsim_info()) };
        }
        // The warm-up waits while this lives: it never delays this cell or one queued behind it.
        let _active = self.warmup.cell_begins();
        self.trimmer.cell_begins();
        if let Err(failure) = self.recovery.ensure_loaded() {
            return errors::other(&format!(
                "Loading distsim again (after a cell lost its state, or after :clear) failed; the next cell tries again.\n{failure}"
            ));
        }
        let (result, failure) = self.run_cell(code, sink);
        self.trimmer.cell_done();
        let interrupt = self.interrupter.end_cell();
        let lost_state = interrupt.killed || matches!(result, Err(::evcxr::Error::SubprocessTerminated(_)));
        if lost_state {
            if interrupt.killed && result.is_ok() {
                // The cell ended just as it was killed: evcxr does not know its process is gone.
                let _ = self.lock().as_mut().expect("open session").ctx.execute(":restart");
            }
            pump::discard(&self.lock().as_ref().expect("open session").outputs);
            self.recovery.reload_in_background();
            return if interrupt.requested {
                errors::interrupted_state_lost("cell", self.interrupter.grace(), interrupt.stuck.as_deref())
            } else {
                let detail = match &result {
                    Err(e) => e.to_string(),
                    Ok(_) => String::new(),
                };
                errors::process_died(&detail)
            };
        }
        if interrupt.requested {
            return errors::interrupted_state_kept();
        }
        if result.is_ok() && session::clears_state(code) {
            // evcxr's `:clear` forgets every variable but also `:dep distsim` and the prelude's
            // `use`; a student asking for a clean slate still expects distsim to be there.
            self.recovery.reload_in_background();
        }
        if let Some(message) = failure.panic {
            return errors::panic(&message);
        }
        if let Some(error) = failure.returned {
            return errors::returned(&error.ename, &error.evalue);
        }
        match result {
            Ok(outputs) => {
                if let Some(took) = outputs.timing {
                    sink.stream(StreamName::Stdout, &format!("Took {}ms\n", took.as_millis()));
                }
                let mut bundle = bundle_from(&outputs);
                if trimmed == ":help" {
                    if let Some(bundle) = bundle.as_mut() {
                        let (text, html) = Self::help_additions();
                        for (mime, extra) in [("text/plain", text), ("text/html", html)] {
                            if let Some(Value::String(s)) = bundle.get_mut(mime) {
                                s.push_str(extra);
                            }
                        }
                    }
                }
                ExecOutcome::Ok { result: bundle }
            }
            Err(::evcxr::Error::CompilationErrors(list)) => errors::compile_error(&list, code),
            Err(other) => errors::other(&other.to_string()),
        }
    }

    /// As after a cell that was killed: evcxr is told its process is gone, and distsim is loaded
    /// again in the background (the next cell waits for it).
    fn process_lost(&mut self) {
        if let Some(session) = self.lock().as_mut() {
            let _ = session.ctx.execute(":restart");
            pump::discard(&session.outputs);
        }
        self.recovery.reload_in_background();
    }

    fn complete(&mut self, code: &str, cursor_pos: usize) -> Completions {
        let byte = char_to_byte(code, cursor_pos);
        let mut guard = self.lock();
        let Some(session) = guard.as_mut() else {
            return Completions { matches: Vec::new(), cursor_start: cursor_pos, cursor_end: cursor_pos };
        };
        let ctx = &mut session.ctx;
        let found = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ctx.completions(code, byte)));
        match found {
            Ok(Ok(found)) => {
                let mut matches: Vec<String> = Vec::new();
                for completion in found.completions {
                    if !matches.contains(&completion.code) {
                        matches.push(completion.code);
                    }
                }
                Completions {
                    matches,
                    cursor_start: byte_to_char(code, found.start_offset),
                    cursor_end: byte_to_char(code, found.end_offset),
                }
            }
            _ => Completions { matches: Vec::new(), cursor_start: cursor_pos, cursor_end: cursor_pos },
        }
    }

    fn inspect(&mut self, code: &str, cursor_pos: usize, _detail_level: u8) -> Option<MimeBundle> {
        let byte = char_to_byte(code, cursor_pos);
        let (expression, word) = name_at(code, byte)?;
        let mut text = String::new();
        let mut html = String::new();
        let mut guard = self.lock();
        let ctx = &mut guard.as_mut()?.ctx;
        if let Some((name, ty)) = ctx.variables_and_types().find(|(name, _)| *name == word) {
            text.push_str(&format!("{name}: {ty}\n"));
            html.push_str(&format!("<p><code>{}: {}</code></p>", escape(name), escape(ty)));
        }
        for candidate in [expression.as_str(), word.as_str()] {
            let hover =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| ctx.hover_at(candidate, candidate.len())));
            if let Ok(Ok((plain, doc_html))) = hover {
                if !plain.trim().is_empty() && plain.trim() != "No documentation found" {
                    text.push_str(&plain);
                    html.push_str(&doc_html);
                    break;
                }
            }
        }
        if text.is_empty() {
            return None;
        }
        let mut bundle = MimeBundle::new();
        bundle.insert("text/plain".into(), Value::String(text));
        bundle.insert("text/html".into(), Value::String(html));
        Some(bundle)
    }

    fn is_complete(&self, code: &str) -> Completeness {
        super::completeness::is_complete(code)
    }

    fn interrupter(&self) -> Arc<dyn Interrupter> {
        Arc::new(self.interrupter.clone())
    }

    fn restart(&mut self) -> Result<(), String> {
        let mut guard = self.lock();
        let reopened = self.recovery.reopen(&mut guard);
        // A failed reopen leaves no session: the next cell must try again, not find none.
        *self.recovery.failure.lock().unwrap_or_else(|e| e.into_inner()) = reopened.clone().err();
        reopened
    }

    fn language_version(&self) -> String {
        session::release(&self.rustc)
    }
}
