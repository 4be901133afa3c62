//! Opening an evcxr session with distsim loaded: the preamble every fresh kernel runs.
//!
//! A session is an evcxr `CommandContext` (which understands `:dep`, `:vars`, ...) plus the
//! channels carrying the evaluation process's stdout and stderr. Opening one:
//!
//! 1. points evcxr at this kernel's crate directory (a copy of the prewarmed template, see
//!    [`warmup`](super::warmup)), so distsim and its dependencies are already compiled;
//! 2. starts the evaluation process with `DISTSIM_KERNEL=1` (distsim then prints displays and
//!    progress bars in the kernel line protocol), `DISTSIM_CANCEL_FILE` (cooperative interrupt)
//!    and `DISTSIM_WIDGET_SOCKET` (widget callbacks, `crate::widgets::side_channel`);
//! 3. sets cells to compile at opt-level 0 (dependencies stay at 3 through the cache's cargo
//!    config) and asks evcxr to keep variables when a cell panics;
//! 4. runs the preamble: cargo told to run rustc through this binary (`:build_env`, see
//!    [`incremental`](super::incremental)), `:dep distsim`, `use distsim::prelude::*;` and a
//!    panic hook that reports the panic message on one stdout line instead of a backtrace on
//!    stderr.
//!
//! `?` is turned on later, before the first cell that contains one ([`enable_question_mark`]).

use super::analyzer_library;
use super::warmup::{self, CacheLayout};
use ::evcxr::{CommandContext, EvalContext, EvalContextOutputs};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The panic hook installed by the preamble. Panics on the cell's own thread (the evaluation
/// process's main thread) become one `DISTSIM_PANIC <escaped message>` line; panics on other threads
/// (e.g. a rayon worker, whose panic then resurfaces on the main thread) are described on stderr
/// as the default hook would, but without a backtrace.
const PANIC_HOOK: &str = r#"{
    // The cell thread is remembered by id: the evaluation process's main thread has no name as
    // seen from the cells' (dynamically linked) standard library.
    let cell_thread = std::thread::current().id();
    std::panic::set_hook(Box::new(move |info| {
        let thread = std::thread::current();
        if thread.id() != cell_thread {
            eprintln!("thread '{}' {}", thread.name().unwrap_or("<unnamed>"), info);
            return;
        }
        let payload = info.payload();
        let message = if let Some(text) = payload.downcast_ref::<&str>() {
            text.to_string()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            String::from("Box<dyn Any>")
        };
        println!("DISTSIM_PANIC {}", message.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r"));
    }));
}"#;

/// A statement that needs `?`. evcxr lets cells use `?` only once a cell has failed to compile for
/// the lack of it, and its retry of that cell also gives up the cell's rich display: the first
/// `table()?` of a session showed as debug text. Running this first (see [`enable_question_mark`])
/// lets it be the one that fails.
const ENABLE_QUESTION_MARK: &str = "\"0\".parse::<u8>()?;";

/// Makes an error returned by a cell's `?` the cell's `error` output, with the error's type and
/// message, instead of a line on stderr and `status: ok`.
///
/// With `?` on, evcxr runs the cell in a closure returning `Result<(), EvcxrUserCodeError>`, and
/// converts any error with a generated `From` impl whose body is
/// `eprintln!("{}", error); println!("{}", evcxr_internal_runtime::USER_ERROR_OCCURRED);`.
/// Only that impl knows the error's type. These two macros, defined as items of every later cell
/// (macro_rules items shadow the standard library's macros of the same name), are how the kernel
/// hears of it: `eprintln!("{}", error)` (any format and variable) sends the value as a
/// `DISTSIM_ERROR` line, and the `println!` that only evcxr's generated code writes confirms that
/// the cell returned it. Every other use of the two macros goes straight to the standard ones.
/// Defined with `?` (in [`enable_question_mark`]), so cells without `?` never compile them.
const QUESTION_MARK_MACROS: &str = r#"
#[allow(unused_macros)]
macro_rules! eprintln {
    ($format:literal, $value:ident) => {
        distsim_error_value!($value, $value, $format)
    };
    ($($arg:tt)*) => {
        ::std::eprintln!($($arg)*)
    };
}
#[allow(unused_macros)]
macro_rules! distsim_error_value {
    // The first ident only selects the arm; the second keeps the caller's hygiene.
    (error, $value:ident, $format:literal) => {
        ::distsim::render::report_error_value(::std::any::type_name_of_val(&$value), ::std::format!($format, $value))
    };
    ($other:ident, $value:ident, $format:literal) => {
        ::std::eprintln!($format, $value)
    };
}
#[allow(unused_macros)]
macro_rules! println {
    ("{}", evcxr_internal_runtime::USER_ERROR_OCCURRED) => {{
        ::distsim::render::report_error_returned();
        ::std::println!("{}", evcxr_internal_runtime::USER_ERROR_OCCURRED)
    }};
    ($($arg:tt)*) => {
        ::std::println!($($arg)*)
    };
}
"#;

/// An evcxr session and its output channels.
pub struct Session {
    pub ctx: CommandContext,
    pub outputs: EvalContextOutputs,
    /// Whether `?` has been turned on in this evcxr state.
    question_mark: bool,
    /// The `:build_env` lines that make cargo run rustc through the kernel's binary (see
    /// [`incremental`](super::incremental)); run before `:dep distsim` by every preamble.
    build_env: String,
}

impl Session {
    /// Kills the evaluation process (used before dropping a session whose state is discarded, so
    /// the drop does not wait for a cell that might still be spinning).
    pub fn kill(&self) {
        let _ = self.ctx.process_handle().lock().unwrap().kill();
    }
}

/// evcxr reads its directory from the environment; this lock keeps two openings from racing.
static ENV_LOCK: Mutex<()> = Mutex::new(());

/// Points evcxr's rust-analyzer at the trimmed standard library of `generation` (see
/// [`analyzer_library`]), unless the user's environment names a library already. Set before the
/// session opens, so its evaluation process sees the same value, and left set: the analyzer reads
/// it when it first loads the cell crate, and again after a `:dep`. Returns the library in use.
pub fn use_analyzer_library(generation: &Path) -> Option<PathBuf> {
    let _guard = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let current = std::env::var_os(analyzer_library::ENV).map(PathBuf::from);
    if current.as_ref().is_some_and(|path| !path.ends_with(analyzer_library::DIR)) {
        return current;
    }
    let copy = analyzer_library::in_generation(generation)?;
    std::env::set_var(analyzer_library::ENV, &copy);
    Some(copy)
}

/// Starts evcxr in `crate_dir` with an evaluation process running `runtime_exe`.
pub fn open(crate_dir: &Path, runtime_exe: &Path, cancel_file: &Path) -> Result<Session, String> {
    let _guard = ENV_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut command = Command::new(runtime_exe);
    command.env("DISTSIM_KERNEL", "1").env("DISTSIM_CANCEL_FILE", cancel_file);
    command.env(distsim::engine::STUCK_DIR_ENV, super::interrupt::stuck_dir(cancel_file));
    // Widget values connect to the kernel over this socket (HOW_IT_WORKS.md, section 6).
    match crate::widgets::side_channel::global() {
        Ok(channel) => command.env(distsim::widgets::channel::SOCKET_ENV, channel.address()),
        Err(why) => {
            crate::log::warn(&why);
            &mut command
        }
    };
    make_evaluation_process_the_oom_victim(&mut command);
    if let Some(dir) = rust_std_dir() {
        command.env("LD_LIBRARY_PATH", prepend_path(&dir, std::env::var_os("LD_LIBRARY_PATH")));
    }
    std::env::set_var("EVCXR_TMPDIR", crate_dir);
    let opened = EvalContext::with_subprocess_command(command);
    std::env::remove_var("EVCXR_TMPDIR");
    let (mut eval, outputs) = opened.map_err(|e| format!("could not start evcxr: {e}"))?;
    eval.set_opt_level("0").map_err(|e| e.to_string())?;
    eval.set_preserve_vars_on_panic(true);
    let kernel_dir = crate_dir.parent().unwrap_or(crate_dir);
    let build_env = super::incremental::build_env_commands(runtime_exe, kernel_dir);
    Ok(Session { ctx: CommandContext::with_eval_context(eval), outputs, question_mark: false, build_env })
}

/// Loads distsim into `session`. `seed_lock` is a Cargo.lock to start from (its versions are
/// already compiled, so cargo needs no registry look-up); `offline` keeps cargo off the network
/// while the preamble resolves (the template's lock names every crate distsim needs).
pub fn run_preamble(
    session: &mut Session,
    distsim: &Path,
    seed_lock: Option<&str>,
    offline: bool,
    crate_dir: &Path,
) -> Result<(), String> {
    if let Some(lock) = seed_lock {
        std::fs::write(crate_dir.join("Cargo.lock"), lock).map_err(|e| e.to_string())?;
    }
    let path = distsim.to_string_lossy().replace('\\', "\\\\").replace('"', "\\\"");
    let offline_line = if offline { ":offline 1\n" } else { "" };
    let build_env = &session.build_env;
    let code = format!(
        "{offline_line}{build_env}:dep distsim = {{ path = \"{path}\" }}\nuse distsim::prelude::*;\n{PANIC_HOOK}"
    );
    let result = session.ctx.execute(&code);
    if offline {
        let _ = session.ctx.execute(":offline 0");
    }
    let mut stderr = String::new();
    while let Ok(line) = session.outputs.stderr.try_recv() {
        stderr.push_str(&line);
        stderr.push('\n');
    }
    super::pump::discard(&session.outputs);
    result.map(|_| ()).map_err(|e| format!("loading distsim from {} failed: {e}\n{stderr}", distsim.display()))
}

/// Makes every evaluation process started from `command` the first to go when memory runs out
/// (`oom_score_adj` 1000).
///
/// Under a per-student memory limit (the class hub's cgroup) the kernel's OOM killer picks the
/// biggest process of the group. A cell that allocates without bound makes the evaluation process
/// big, but the kernel process, holding evcxr's rust-analyzer (700 MB once loaded), can still be
/// bigger at that moment: measured on the hub test, the kernel was killed first, then the
/// evaluation process, and the front end lost the kernel. The evaluation process is the one to
/// lose: the kernel reports `KernelRestarted` and loads distsim again.
///
/// The child sets its own score between fork and exec, not the kernel after the preamble: evcxr
/// keeps this `Command` and spawns it again on its own (a user's `:restart`, `:clear`, after a
/// crash), where the kernel has no hook, and an earlier version that wrote the score after each
/// preamble left a `:restart`ed process at 0. Raising one's own score needs no privilege.
fn make_evaluation_process_the_oom_victim(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec only async-signal-safe calls are allowed; the closure makes
    // three system calls on a constant path and allocates nothing. A failure leaves the default
    // score; the child cannot log it from there, and refusing to start would be worse.
    unsafe {
        command.pre_exec(|| {
            let fd = libc::open(c"/proc/self/oom_score_adj".as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            if fd >= 0 {
                libc::write(fd, b"1000".as_ptr().cast(), 4);
                libc::close(fd);
            }
            Ok(())
        });
    }
}

/// Turns on `?` before the first cell that may use it, so that this cell keeps its rich display.
///
/// Not in the preamble: with `?` on, evcxr wraps every cell in an error-reporting closure and adds
/// its variable-store module, about 100 generated lines that each cell then compiles (0.19 s
/// instead of 0.16 s for `1 + 1`), and the failed compile that turns it on delays the first result.
/// Any `?` in the cell counts, even one inside a string (`{x:?}`): a needless turn-on costs one
/// compile, once. evcxr's `:clear` starts a fresh state, with `?` off again.
pub fn enable_question_mark(session: &mut Session, cell: &str) {
    if clears_state(cell) {
        session.question_mark = false;
    }
    if session.question_mark || !cell.contains('?') {
        return;
    }
    // The statement cannot fail at run time, and a compile failure would only leave `?` off.
    let _ = session.ctx.execute(&format!("{QUESTION_MARK_MACROS}\n{ENABLE_QUESTION_MARK}"));
    super::pump::discard(&session.outputs);
    session.question_mark = true;
}

/// Whether the cell runs evcxr's `:clear` (a line of its own; `:clear_cache` is another command),
/// which starts a fresh evcxr state: no variables, no `?`, and no distsim either.
pub fn clears_state(cell: &str) -> bool {
    cell.lines().any(|line| line.trim() == ":clear")
}

/// The distsim checkout to load: `explicit`, else `$DISTSIM_PATH`, else the repository this kernel
/// was built from.
pub fn distsim_path(explicit: Option<PathBuf>) -> PathBuf {
    let path = explicit
        .or_else(|| std::env::var_os("DISTSIM_PATH").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/..")));
    path.canonicalize().unwrap_or(path)
}

/// The directory holding the toolchain's `libstd-*.so`, which every compiled cell links against.
///
/// Cells find it through an rpath that rustc writes relative to `target/.../deps`, but evcxr loads
/// the copy cargo puts one directory up. The relative path then only works when it happens to pass
/// through `/` (as from `/tmp`); from a cache under the home directory that holds the toolchain too
/// (`~/.cache` beside `~/.rustup`) it points one level too high and `dlopen` fails. Naming the
/// directory in `LD_LIBRARY_PATH` makes the lookup independent of where the cache lives.
fn rust_std_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(rustc_output(&["--print", "target-libdir"])?);
    dir.is_dir().then_some(dir)
}

/// What the compiler cells are built with (`$RUSTC`, else `rustc`) prints for `args`, trimmed;
/// `None` if it cannot be run or fails. The one way the kernel asks the toolchain anything.
pub fn rustc_output(args: &[&str]) -> Option<String> {
    let out = Command::new(std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()))
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    Some(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn prepend_path(dir: &Path, existing: Option<std::ffi::OsString>) -> std::ffi::OsString {
    let mut joined = dir.as_os_str().to_owned();
    if let Some(rest) = existing.filter(|r| !r.is_empty()) {
        joined.push(":");
        joined.push(rest);
    }
    joined
}

/// `rustc --version` of the compiler cells are built with (`$RUSTC`, else `rustc`), e.g.
/// `rustc 1.95.0 (59807616e 2026-04-14)`; `rustc (unknown version)` if it cannot be run.
/// [`release`] takes the version number out of it.
pub fn rustc_version() -> String {
    rustc_output(&["--version"]).unwrap_or_else(|| "rustc (unknown version)".to_owned())
}

/// The version number in a [`rustc_version`] line (`1.95.0`), or `unknown`.
pub fn release(rustc_version: &str) -> String {
    let number = rustc_version.split_whitespace().nth(1).filter(|n| n.starts_with(|c: char| c.is_ascii_digit()));
    number.unwrap_or("unknown").to_owned()
}

/// Makes sure the template for `distsim` is current, building it if needed (minutes, once).
pub fn ensure_template(layout: &CacheLayout, distsim: &Path, runtime_exe: &Path, rustc: &str) -> Result<(), String> {
    let stamp = warmup::stamp(distsim, rustc);
    layout.write_cargo_config().map_err(|e| format!("cannot write to {}: {e}", layout.root.display()))?;
    if layout.template_matches(&stamp) {
        return Ok(());
    }
    eprintln!(
        "distsim-kernel: compiling distsim into {} (once; this takes a few minutes)",
        layout.template().display()
    );
    layout.rebuild_template(&stamp, |crate_dir| {
        let cancel = crate_dir.with_file_name("cancel");
        let mut session = open(crate_dir, runtime_exe, &cancel)?;
        let seed = std::fs::read_to_string(distsim.join("Cargo.lock")).ok();
        run_preamble(&mut session, distsim, seed.as_deref(), false, crate_dir)?;
        // Compile one cell that uses distsim, so the template holds everything a first cell needs.
        session
            .ctx
            .execute("let _warm = distsim::cancel::requested();")
            .map_err(|e| format!("warm-up cell failed: {e}"))?;
        session.kill();
        analyzer_library::write_into_generation(crate_dir.parent().unwrap_or(crate_dir))
    })
}
