//! When a cell compiles with rustc's incremental cache: while the student is editing that cell.
//!
//! evcxr compiles every cell as the same crate (`ctx`), whose source holds the cell and every item
//! (struct, `impl Node`, ...) that earlier cells defined. rustc's incremental cache lets a compile
//! reuse the code it generated last time for each function whose source did not change, but
//! writing the cache costs time at every compile that uses it. `kernel/benches/cell_phases.py` and
//! `latency.py --cells-only`, with the cache on for every cell (docs/benchmarks.md, issue 15):
//!
//! - a define-run-draw cell edited and run again and again compiles in about 70% of the time;
//! - cells that each run once, as in a notebook run from top to bottom, gain nothing and pay the
//!   write: the model-check cell took 13% longer.
//!
//! So in the default mode ([`Mode::Auto`]) a cell compiles with the cache only when it looks like
//! another version of the previous cell (the student is editing it: the next run will reuse what
//! this one writes), or of the last cell compiled with the cache (this run reuses what that one
//! wrote). "Looks like" is [`same_cell`]: most lines in common. A notebook run from top to bottom
//! never turns the cache on.
//!
//! The switch is a file in this kernel's own directory (`incremental.on`), read by the kernel's
//! binary acting as cargo's `RUSTC_WRAPPER` ([`rustc_wrapper_hook`]): for the cell crate, while the
//! file exists, it adds `-C incremental=<kernel dir>/incremental` to rustc's arguments. Cargo's own
//! `profile.dev.incremental` would not do: cargo hashes the profile into the crate's `-C metadata`,
//! and with it every `TypeId` of the types cells define. A variable of such a type (a `Simulation`
//! of the student's node type) was then lost, with a line on stderr, each time the switch turned.
//! The wrapper leaves cargo's view of every crate unchanged, so dependencies stay fresh too. The
//! cache takes about 6 MB for the course's protocol cells and goes with the kernel's directory.

use crate::log;
use std::collections::HashMap;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// `--incremental`: when cells compile with rustc's incremental cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Mode {
    /// Only for a cell that is another version of the previous one (the module docs).
    #[default]
    Auto,
    /// For every cell.
    Always,
    /// Never (a notebook run once from top to bottom, or little disk to spare).
    Never,
}

/// Set in cargo's environment (through evcxr's `:build_env`) to this kernel's directory: it tells
/// the kernel's binary, started by cargo as `RUSTC_WRAPPER`, to act as the wrapper.
pub const WRAPPER_ENV: &str = "DISTSIM_RUSTC_WRAPPER";

/// The file whose presence turns the cache on, in the kernel's directory.
const FLAG: &str = "incremental.on";
/// rustc's incremental cache for the cell crate, in the kernel's directory.
const CACHE: &str = "incremental";
/// The name evcxr 0.22 gives the cell crate.
const CELL_CRATE: &str = "ctx";

/// The lines of evcxr commands that make cargo run rustc through `wrapper` (the kernel's binary)
/// for the kernel whose directory is `kernel_dir`.
pub fn build_env_commands(wrapper: &Path, kernel_dir: &Path) -> String {
    format!(":build_env RUSTC_WRAPPER={}\n:build_env {WRAPPER_ENV}={}\n", wrapper.display(), kernel_dir.display())
}

/// Run first thing in `main`: when cargo started this binary as `RUSTC_WRAPPER` (see
/// [`WRAPPER_ENV`]), runs rustc with the cell crate's incremental flag if it is on, and never returns.
pub fn rustc_wrapper_hook() {
    let Some(kernel_dir) = std::env::var_os(WRAPPER_ENV) else { return };
    let mut args = std::env::args_os().skip(1);
    let Some(rustc) = args.next() else {
        eprintln!("distsim-kernel: started as RUSTC_WRAPPER ({WRAPPER_ENV} is set) without a rustc to run");
        std::process::exit(2);
    };
    let kernel_dir = PathBuf::from(kernel_dir);
    let crate_name = std::env::var("CARGO_CRATE_NAME").unwrap_or_default();
    let args = rustc_args(args.collect(), &crate_name, &kernel_dir, kernel_dir.join(FLAG).exists());
    use std::os::unix::process::CommandExt;
    let error = std::process::Command::new(&rustc).args(args).exec();
    eprintln!("distsim-kernel: cannot run {}: {error}", Path::new(&rustc).display());
    std::process::exit(2);
}

/// rustc's arguments for `crate_name`: with the cell crate's incremental cache added when `on`,
/// except for `cargo check`'s metadata-only builds, else as cargo gave them.
fn rustc_args(mut args: Vec<OsString>, crate_name: &str, kernel_dir: &Path, on: bool) -> Vec<OsString> {
    let metadata_only =
        args.iter().any(|arg| arg.to_str().is_some_and(|a| a.starts_with("--emit=") && !a.contains("link")));
    if on && crate_name == CELL_CRATE && !metadata_only {
        args.push("-C".into());
        let mut flag = OsString::from("incremental=");
        flag.push(kernel_dir.join(CACHE));
        args.push(flag);
    }
    args
}

/// Decides, cell by cell, whether the cell crate compiles with the cache, and tells cargo.
#[derive(Debug)]
pub struct CellCache {
    mode: Mode,
    /// The file that turns the cache on (`<kernel dir>/incremental.on`).
    flag: PathBuf,
    /// The cell compiled last.
    previous: Option<String>,
    /// The cell compiled last with the cache: what the cache holds.
    cached: Option<String>,
    /// Whether the flag is there now; `None` before the first cell or after a failed change.
    written: Option<bool>,
}

impl CellCache {
    /// For the kernel whose own directory is `kernel_dir` (evcxr's crate directory is inside it).
    pub fn new(mode: Mode, kernel_dir: &Path) -> Self {
        CellCache { mode, flag: kernel_dir.join(FLAG), previous: None, cached: None, written: None }
    }

    /// Decides for `cell`, which is about to compile, and sets the flag if the decision changed.
    /// Returns whether the cell compiles with the cache. A flag that cannot be changed is logged
    /// and leaves the cell to compile as the flag says: slower or faster, never wrong.
    pub fn prepare(&mut self, cell: &str) -> bool {
        let use_cache = match self.mode {
            Mode::Always => true,
            Mode::Never => false,
            Mode::Auto => [&self.previous, &self.cached].into_iter().flatten().any(|earlier| same_cell(earlier, cell)),
        };
        if self.written != Some(use_cache) {
            match self.write(use_cache) {
                Ok(()) => self.written = Some(use_cache),
                Err(why) => {
                    log::warn(&format!("cannot change {}: {why}", self.flag.display()));
                    self.written = None;
                }
            }
            log::detail(&format!("incremental cache {} from this cell on", if use_cache { "on" } else { "off" }));
        }
        self.previous = Some(cell.to_owned());
        if use_cache {
            self.cached = Some(cell.to_owned());
        }
        use_cache
    }

    fn write(&self, use_cache: bool) -> io::Result<()> {
        if use_cache {
            std::fs::write(&self.flag, "")
        } else {
            match std::fs::remove_file(&self.flag) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            }
        }
    }
}

/// Whether `a` and `b` look like two versions of one cell: at least half of the longer one's
/// lines of code (trimmed; blank lines and lines of brackets and punctuation alone do not count)
/// also appear in the other, as often.
///
/// A student editing a protocol changes a few lines of a cell and keeps the rest; two different
/// cells of a notebook share little beyond closing brackets.
pub fn same_cell(a: &str, b: &str) -> bool {
    let (a, b) = (code_lines(a), code_lines(b));
    let longer = a.len().max(b.len());
    if longer == 0 {
        return false;
    }
    let mut unmatched: HashMap<&str, usize> = HashMap::new();
    for line in &a {
        *unmatched.entry(line).or_default() += 1;
    }
    let shared = b
        .iter()
        .filter(|line| match unmatched.get_mut(*line) {
            Some(count) if *count > 0 => {
                *count -= 1;
                true
            }
            _ => false,
        })
        .count();
    2 * shared >= longer
}

fn code_lines(cell: &str) -> Vec<&str> {
    cell.lines().map(str::trim).filter(|line| line.chars().any(char::is_alphanumeric)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROTOCOL: &str = "struct Player { volleys: u32 }
impl Node for Player {
    type Msg = u32;
    type Timer = ();
    fn on_message(&mut self, ctx: &mut Context<u32>, from: NodeId, n: u32) {
        if n < self.volleys {
            ctx.send(from, n + 1);
        }
    }
}
let mut sim = Simulation::new(7, vec![Player { volleys: 6 }, Player { volleys: 6 }])?;
sim.run_until_quiet()?;
SpaceTime::new(sim.trace())";

    const CHECK: &str = "struct Inbox(Vec<char>);
impl Node for Inbox {
    type Msg = char;
    type Timer = ();
    fn on_message(&mut self, _ctx: &mut Context<char>, _from: NodeId, m: char) {
        self.0.push(m);
    }
}
Checker::new(vec![Inbox::default(), Inbox::default()]).run()?.stats_table()";

    #[test]
    fn an_edited_cell_is_the_same_cell_and_another_cell_is_not() {
        let edited = PROTOCOL.replace("volleys: 6", "volleys: 9").replace("n + 1", "n + 2");
        assert!(same_cell(PROTOCOL, &edited));
        assert!(same_cell(PROTOCOL, PROTOCOL));
        // A line added to a one-line cell: half of the longer one is still shared.
        assert!(same_cell("1 + 1", "let x = 2;\n1 + 1"));
        // The two protocol cells share `type Timer = ();` and brackets, not half their code.
        assert!(!same_cell(PROTOCOL, CHECK));
        assert!(!same_cell("1 + 1", "1 + 2"));
        // Brackets alone are no evidence; nothing is not a cell.
        assert!(!same_cell("}\n}\n)", "}\n}\n)"));
        assert!(!same_cell("", ""));
        // Each line counts as often as it appears.
        assert!(!same_cell("x += 1;\nx += 1;\nx += 1;\nx += 1;", "x += 1;\na();\nb();\nc();"));
    }

    /// A directory of the test's own, removed when dropped.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(test: &str) -> Self {
            let dir = std::env::temp_dir().join(format!("distsim-incremental-{test}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        fn path(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn flag_set(dir: &Path) -> bool {
        dir.join(FLAG).exists()
    }

    #[test]
    fn auto_turns_the_cache_on_while_a_cell_is_edited_and_off_for_other_cells() {
        let dir = Scratch::new("auto");
        let mut cache = CellCache::new(Mode::Auto, dir.path());
        let edit = |n: u32| PROTOCOL.replace("volleys: 6", &format!("volleys: {n}"));
        assert!(!cache.prepare(CHECK), "a first cell has nothing to be a version of");
        assert!(!flag_set(dir.path()));
        assert!(!cache.prepare(&edit(1)));
        assert!(cache.prepare(&edit(2)), "the second version writes the cache for the next ones");
        assert!(flag_set(dir.path()));
        assert!(cache.prepare(&edit(3)));
        // Another cell in between compiles without the cache...
        assert!(!cache.prepare("1 + 1"));
        assert!(!flag_set(dir.path()));
        // ...and the protocol cell, edited again, goes back to what the cache holds.
        assert!(cache.prepare(&edit(4)));
        assert!(flag_set(dir.path()));
    }

    #[test]
    fn always_and_never_ignore_the_cells() {
        let dir = Scratch::new("modes");
        let mut always = CellCache::new(Mode::Always, dir.path());
        assert!(always.prepare(CHECK) && always.prepare(PROTOCOL));
        assert!(flag_set(dir.path()));
        let mut never = CellCache::new(Mode::Never, dir.path());
        assert!(!never.prepare(PROTOCOL) && !never.prepare(PROTOCOL));
        assert!(!flag_set(dir.path()));
    }

    #[test]
    fn a_flag_that_cannot_be_set_leaves_the_cell_to_compile() {
        let dir = Scratch::new("unwritable");
        // The kernel directory is gone, so the flag cannot be created in it.
        std::fs::remove_dir(dir.path()).unwrap();
        let mut cache = CellCache::new(Mode::Always, dir.path());
        assert!(cache.prepare(PROTOCOL));
        assert_eq!(cache.written, None);
    }

    fn strings(args: &[OsString]) -> Vec<&str> {
        args.iter().map(|a| a.to_str().unwrap()).collect()
    }

    #[test]
    fn the_wrapper_adds_the_cache_to_the_cell_crate_only_and_only_when_on() {
        let kernel = Path::new("/k");
        let build: Vec<OsString> =
            ["--crate-name", "ctx", "--emit=dep-info,link", "src/lib.rs"].map(OsString::from).to_vec();
        let with_cache = rustc_args(build.clone(), "ctx", kernel, true);
        assert_eq!(strings(&with_cache)[4..], ["-C", "incremental=/k/incremental"]);
        assert_eq!(rustc_args(build.clone(), "ctx", kernel, false), build);
        assert_eq!(rustc_args(build.clone(), "distsim", kernel, true), build);
        // `cargo check` (evcxr's error pass) writes metadata only: no cache.
        let check: Vec<OsString> = ["--crate-name", "ctx", "--emit=dep-info,metadata"].map(OsString::from).to_vec();
        assert_eq!(rustc_args(check.clone(), "ctx", kernel, true), check);
        // `rustc -vV`, which cargo asks through the wrapper, is left alone.
        assert_eq!(rustc_args(vec!["-vV".into()], "", kernel, true), vec![OsString::from("-vV")]);
    }

    #[test]
    fn the_commands_point_cargo_at_the_wrapper() {
        let lines = build_env_commands(Path::new("/bin/distsim-kernel"), Path::new("/cache/kernels/7-1"));
        assert_eq!(
            lines,
            ":build_env RUSTC_WRAPPER=/bin/distsim-kernel\n:build_env DISTSIM_RUSTC_WRAPPER=/cache/kernels/7-1\n"
        );
    }
}
