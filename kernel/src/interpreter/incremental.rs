//! When a cell compiles with rustc's incremental cache: when it is run again, edited or not.
//!
//! evcxr compiles every cell as the same crate (`ctx`), whose source holds the cell and every item
//! (struct, `impl Node`, ...) that earlier cells defined. rustc's incremental cache lets a compile
//! reuse the code it generated last time for each function whose source did not change, but
//! writing the cache costs time at every compile that uses it. Measured with
//! `kernel/benches/cell_phases.py` and `latency.py --cells-only` (docs/benchmarks.md, issue 15):
//!
//! - a define-run-draw cell run again compiles in about 70% of the time, a model-check cell run
//!   again takes 64% of the time;
//! - a cell compiled with a cache that holds another cell gains nothing and pays the write: with
//!   one cache for every cell, a model-check cell following other cells took 13% longer.
//!
//! So in the default mode ([`Mode::Auto`]) a cell compiles with a cache only when it looks like
//! another version of a cell whose compile one of the kernel's caches holds (this run reuses it),
//! or of one of the [`RECENT`] cells compiled last (the cell is being run again, after an edit or
//! not: the next run will reuse what this one writes). "Looks like" is [`same_cell`]: most lines
//! in common. The kernel keeps [`SLOTS`] caches, one per cell, so a student going back and forth
//! between a protocol cell and the cells that test it keeps one for each. A notebook run once from
//! top to bottom never uses one.
//!
//! The switch is a file in this kernel's own directory (`incremental.on`, holding the cache's
//! number), read by the kernel's binary acting as cargo's `RUSTC_WRAPPER` ([`rustc_wrapper_hook`]):
//! for the cell crate it adds `-C incremental=<kernel dir>/incremental/<number>` to rustc's
//! arguments. Cargo's own `profile.dev.incremental` would not do: cargo hashes the profile into
//! the crate's `-C metadata`, and with it every `TypeId` of the types cells define. A variable of
//! such a type (a `Simulation` of the student's node type) was then lost, with a line on stderr,
//! each time the switch turned.
//! The wrapper leaves cargo's view of every crate unchanged, so dependencies stay fresh too. The
//! caches take about 6 MB each for the course's protocol cells (at most [`SLOTS`] of them) and go
//! with the kernel's directory.

use crate::log;
use std::collections::{HashMap, VecDeque};
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// `--incremental`: when cells compile with rustc's incremental cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Mode {
    /// For a cell run again, edited or not, with a cache per cell (the module docs).
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

/// The file that names the cache to use, in the kernel's directory: absent for none.
const FLAG: &str = "incremental.on";
/// rustc's incremental caches for the cell crate (one directory per number), in the kernel's
/// directory.
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
    let slot = std::fs::read_to_string(kernel_dir.join(FLAG)).ok().and_then(|text| text.trim().parse().ok());
    let args = rustc_args(args.collect(), &crate_name, &kernel_dir, slot);
    use std::os::unix::process::CommandExt;
    let error = std::process::Command::new(&rustc).args(args).exec();
    eprintln!("distsim-kernel: cannot run {}: {error}", Path::new(&rustc).display());
    std::process::exit(2);
}

/// rustc's arguments for `crate_name`: with the cell crate's incremental cache number `slot`
/// added, except for `cargo check`'s metadata-only builds, else as cargo gave them.
fn rustc_args(mut args: Vec<OsString>, crate_name: &str, kernel_dir: &Path, slot: Option<usize>) -> Vec<OsString> {
    let metadata_only =
        args.iter().any(|arg| arg.to_str().is_some_and(|a| a.starts_with("--emit=") && !a.contains("link")));
    if let Some(slot) = slot.filter(|_| crate_name == CELL_CRATE && !metadata_only) {
        args.push("-C".into());
        let mut flag = OsString::from("incremental=");
        flag.push(kernel_dir.join(CACHE).join(slot.to_string()));
        args.push(flag);
    }
    args
}

/// How many cells' caches a kernel keeps (each in its own directory, the least recently used
/// one reused): enough for a student who goes back and forth between a protocol cell and the cells
/// that test it.
pub const SLOTS: usize = 4;

/// How many of the cells compiled last are remembered: a cell that looks like one of them is being
/// run again, and gets a cache.
pub const RECENT: usize = 2 * SLOTS;

/// Decides, cell by cell, whether and with which cache the cell crate compiles, and tells the
/// wrapper.
#[derive(Debug)]
pub struct CellCache {
    mode: Mode,
    /// The file that names the cache to use (`<kernel dir>/incremental.on`), absent for none.
    flag: PathBuf,
    /// The cells compiled last, the newest last.
    recent: VecDeque<String>,
    /// Each cache's number and the cell whose compile it holds, most recently used first.
    slots: Vec<(usize, String)>,
    /// What the flag says now; `None` before the first cell or after a failed change.
    written: Option<Option<usize>>,
}

impl CellCache {
    /// For the kernel whose own directory is `kernel_dir` (evcxr's crate directory is inside it).
    pub fn new(mode: Mode, kernel_dir: &Path) -> Self {
        CellCache { mode, flag: kernel_dir.join(FLAG), recent: VecDeque::new(), slots: Vec::new(), written: None }
    }

    /// Decides for `cell`, which is about to compile, and sets the flag if the decision changed.
    /// Returns the number of the cache the cell compiles with, if any. A flag that cannot be
    /// changed is logged and leaves the cell to compile as the flag says: slower or faster, never
    /// wrong.
    pub fn prepare(&mut self, cell: &str) -> Option<usize> {
        let slot = match self.mode {
            Mode::Always => Some(0),
            Mode::Never => None,
            Mode::Auto => self.choose(cell),
        };
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(cell.to_owned());
        if self.written != Some(slot) {
            match self.write(slot) {
                Ok(()) => self.written = Some(slot),
                Err(why) => {
                    log::warn(&format!("cannot change {}: {why}", self.flag.display()));
                    self.written = None;
                }
            }
            match slot {
                Some(n) => log::detail(&format!("incremental cache {n} from this cell on")),
                None => log::detail("no incremental cache from this cell on"),
            }
        }
        slot
    }

    /// The cache of the remembered cell that `cell` is a version of; else, if it is a version of
    /// one of the cells compiled last, a new cache (or the least recently used one); else none.
    fn choose(&mut self, cell: &str) -> Option<usize> {
        let number = match self.slots.iter().position(|(_, earlier)| same_cell(earlier, cell)) {
            Some(index) => self.slots.remove(index).0,
            None if !self.recent.iter().any(|earlier| same_cell(earlier, cell)) => return None,
            None if self.slots.len() < SLOTS => self.slots.len(),
            None => self.slots.pop().expect("SLOTS caches in use").0,
        };
        self.slots.insert(0, (number, cell.to_owned()));
        Some(number)
    }

    fn write(&self, slot: Option<usize>) -> io::Result<()> {
        match slot {
            Some(number) => std::fs::write(&self.flag, number.to_string()),
            None => match std::fs::remove_file(&self.flag) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
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

    /// The cache number the flag names, if any.
    fn flag(dir: &Path) -> Option<usize> {
        std::fs::read_to_string(dir.join(FLAG)).ok().map(|text| text.parse().unwrap())
    }

    #[test]
    fn auto_uses_a_cache_while_a_cell_is_edited_and_none_for_other_cells() {
        let dir = Scratch::new("auto");
        let mut cache = CellCache::new(Mode::Auto, dir.path());
        let edit = |n: u32| PROTOCOL.replace("volleys: 6", &format!("volleys: {n}"));
        assert_eq!(cache.prepare(CHECK), None, "a first cell has nothing to be a version of");
        assert_eq!(flag(dir.path()), None);
        assert_eq!(cache.prepare(&edit(1)), None);
        assert_eq!(cache.prepare(&edit(2)), Some(0), "the second version writes a cache for the next ones");
        assert_eq!(flag(dir.path()), Some(0));
        assert_eq!(cache.prepare(&edit(3)), Some(0));
        // Another cell in between compiles without a cache...
        assert_eq!(cache.prepare("1 + 1"), None);
        assert_eq!(flag(dir.path()), None);
        // ...and the protocol cell, edited again, goes back to what its cache holds.
        assert_eq!(cache.prepare(&edit(4)), Some(0));
        assert_eq!(flag(dir.path()), Some(0));
    }

    #[test]
    fn cells_edited_in_turn_keep_a_cache_each_and_the_least_recently_used_goes() {
        let dir = Scratch::new("slots");
        let mut cache = CellCache::new(Mode::Auto, dir.path());
        // Cell k, version v: two lines of its own, one of them edited.
        let cell = |k: usize, v: usize| format!("let cell_{k} = {v};\nshow(cell_{k}, {k});");
        for k in 0..SLOTS {
            assert_eq!(cache.prepare(&cell(k, 0)), None);
            assert_eq!(cache.prepare(&cell(k, 1)), Some(k));
        }
        // Each goes back to its own cache, whatever ran in between.
        for k in (0..SLOTS).rev() {
            assert_eq!(cache.prepare(&cell(k, 2)), Some(k));
        }
        // One more cell being edited takes the cache used longest ago: the last cell's.
        let last = SLOTS - 1;
        assert_eq!(cache.prepare(&cell(SLOTS, 0)), None);
        assert_eq!(cache.prepare(&cell(SLOTS, 1)), Some(last));
        // That cell, run again, takes the next least recently used cache.
        assert_eq!(cache.prepare(&cell(last, 3)), Some(last - 1));
        assert_eq!(cache.prepare(&cell(0, 3)), Some(0));
    }

    #[test]
    fn a_cell_run_again_after_other_cells_gets_a_cache() {
        let dir = Scratch::new("again");
        let mut cache = CellCache::new(Mode::Auto, dir.path());
        // Edit the protocol, run the check, edit the protocol again: the loop of the course's
        // protocol notebooks.
        assert_eq!(cache.prepare(PROTOCOL), None);
        assert_eq!(cache.prepare(CHECK), None);
        assert_eq!(cache.prepare(&PROTOCOL.replace("volleys: 6", "volleys: 7")), Some(0));
        assert_eq!(cache.prepare(CHECK), Some(1));
        assert_eq!(cache.prepare(&PROTOCOL.replace("volleys: 6", "volleys: 8")), Some(0));
        // A cell seen longer ago than the last RECENT cells counts as new.
        let mut cache = CellCache::new(Mode::Auto, dir.path());
        assert_eq!(cache.prepare(PROTOCOL), None);
        for n in 0..RECENT {
            assert_eq!(cache.prepare(&format!("let other_{n} = {n};")), None);
        }
        assert_eq!(cache.prepare(PROTOCOL), None);
    }

    #[test]
    fn always_and_never_ignore_the_cells() {
        let dir = Scratch::new("modes");
        let mut always = CellCache::new(Mode::Always, dir.path());
        assert_eq!((always.prepare(CHECK), always.prepare(PROTOCOL)), (Some(0), Some(0)));
        assert_eq!(flag(dir.path()), Some(0));
        let mut never = CellCache::new(Mode::Never, dir.path());
        assert_eq!((never.prepare(PROTOCOL), never.prepare(PROTOCOL)), (None, None));
        assert_eq!(flag(dir.path()), None);
    }

    #[test]
    fn a_flag_that_cannot_be_set_leaves_the_cell_to_compile() {
        let dir = Scratch::new("unwritable");
        // The kernel directory is gone, so the flag cannot be created in it.
        std::fs::remove_dir(dir.path()).unwrap();
        let mut cache = CellCache::new(Mode::Always, dir.path());
        assert_eq!(cache.prepare(PROTOCOL), Some(0));
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
        let with_cache = rustc_args(build.clone(), "ctx", kernel, Some(2));
        assert_eq!(strings(&with_cache)[4..], ["-C", "incremental=/k/incremental/2"]);
        assert_eq!(rustc_args(build.clone(), "ctx", kernel, None), build);
        assert_eq!(rustc_args(build.clone(), "distsim", kernel, Some(0)), build);
        // `cargo check` (evcxr's error pass) writes metadata only: no cache.
        let check: Vec<OsString> = ["--crate-name", "ctx", "--emit=dep-info,metadata"].map(OsString::from).to_vec();
        assert_eq!(rustc_args(check.clone(), "ctx", kernel, Some(0)), check);
        // `rustc -vV`, which cargo asks through the wrapper, is left alone.
        assert_eq!(rustc_args(vec!["-vV".into()], "", kernel, Some(0)), vec![OsString::from("-vV")]);
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
