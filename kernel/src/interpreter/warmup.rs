//! The shared build cache that lets a kernel start without recompiling distsim.
//!
//! evcxr compiles every cell as a crate (`ctx`) in its own directory, with dependencies built into
//! `target/` beside it. Compiling distsim and its dependencies there takes minutes, so it is done
//! once, at install time (`prewarm`), into a **template** directory. Each kernel then starts from a
//! private copy of the template: files under `deps/` (the compiled libraries, which cargo never
//! rewrites while they are fresh) are shared, the small bookkeeping files are copied. Two kernels
//! running at once therefore never write to the same file, and the copy costs milliseconds.
//!
//! A shared file is a hard link, or a symbolic link where a hard link is refused
//! ([`template_copy`](super::template_copy)): on a class hub the template is root's and read-only.
//! Cargo and rustc only read those files (a rebuilt one would be written beside them and renamed
//! over the link, never through it), so the template stays as it is, and each kernel's directory
//! holds a few MB instead of a 140 MB copy.
//!
//! A running kernel's links must survive a rebuild of the template, so every build is a
//! **generation** of its own (`generations/<id>/`) that never moves, and `template` is a symbolic
//! link to the current one. A rebuild adds a generation and turns the link; a generation is deleted
//! by a later rebuild once no running kernel shares from it (each kernel directory names its
//! generation in a `generation` file).
//!
//! Layout under the cache root (`$DISTSIM_KERNEL_CACHE`, else `$XDG_CACHE_HOME/distsim-kernel`,
//! else `~/.cache/distsim-kernel`):
//!
//! ```text
//! .cargo/config.toml   dependencies (distsim included) at opt-level 3; cells stay at evcxr's opt-level
//! template            -> generations/<id>: the prewarmed evcxr crate directory, with a STAMP of what
//!                      it was built from (a plain directory in caches built before generations)
//! generations/<id>/    every template still in use
//! template.lock        held while the template is being built
//! kernels/<pid>-<n>/   one running kernel: `crate/` (its evcxr directory), `cancel` (the cancel
//!                      file) and `generation` (the template generation it shares files from)
//! ```
//!
//! The template is rebuilt (under the lock) when its stamp no longer matches: another distsim
//! path, another rustc, another kernel version, or distsim sources newer than the build.

use super::template_copy::copy_tree;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

const CARGO_CONFIG: &str = r#"# Written by distsim-kernel. Dependencies, distsim included, are compiled optimized, once, at
# install time; notebook cells (the workspace member `ctx`) keep the low opt-level evcxr is given.
# Cells are compiled once each, so rustc's incremental cache only costs time writing it.
[profile.dev]
incremental = false

[profile.dev.package."*"]
opt-level = 3
debug-assertions = false
overflow-checks = false
"#;

/// Paths of the shared cache.
#[derive(Debug, Clone)]
pub struct CacheLayout {
    pub root: PathBuf,
}

impl CacheLayout {
    /// The cache root: `explicit`, else the environment (see the module docs).
    pub fn resolve(explicit: Option<PathBuf>) -> Self {
        let root = explicit
            .or_else(|| std::env::var_os("DISTSIM_KERNEL_CACHE").map(PathBuf::from))
            .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("distsim-kernel")))
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("distsim-kernel")))
            .unwrap_or_else(|| std::env::temp_dir().join("distsim-kernel-cache"));
        CacheLayout { root }
    }

    pub fn template(&self) -> PathBuf {
        self.root.join("template")
    }

    fn stamp_file(&self) -> PathBuf {
        self.template().join("STAMP")
    }

    /// Writes the cargo profile overrides that every kernel directory inherits.
    pub fn write_cargo_config(&self) -> io::Result<()> {
        let dir = self.root.join(".cargo");
        fs::create_dir_all(&dir)?;
        let path = dir.join("config.toml");
        if fs::read_to_string(&path).ok().as_deref() != Some(CARGO_CONFIG) {
            fs::write(path, CARGO_CONFIG)?;
        }
        Ok(())
    }

    /// Whether the template exists and was built from `stamp`.
    pub fn template_matches(&self, stamp: &str) -> bool {
        fs::read_to_string(self.stamp_file()).is_ok_and(|s| s == stamp)
    }

    /// Runs `build` on a fresh directory and installs the result as the template, unless another
    /// process finished an identical template while we waited for the lock.
    pub fn rebuild_template(&self, stamp: &str, build: impl FnOnce(&Path) -> Result<(), String>) -> Result<(), String> {
        fs::create_dir_all(&self.root).map_err(|e| format!("cannot create {}: {e}", self.root.display()))?;
        self.write_cargo_config().map_err(|e| e.to_string())?;
        let lock = fs::File::create(self.root.join("template.lock")).map_err(|e| e.to_string())?;
        lock.lock().map_err(|e| format!("cannot lock the distsim build cache: {e}"))?;
        if self.template_matches(stamp) {
            return Ok(());
        }
        self.salvage_abandoned_builds();
        let building = self.root.join(format!("building-{}", std::process::id()));
        let _ = fs::remove_dir_all(&building);
        fs::create_dir_all(building.join("crate")).map_err(|e| e.to_string())?;
        // Start from the previous template, or from a failed attempt, so only what changed
        // (usually distsim itself) is compiled again.
        let partial = self.root.join("partial");
        for seed in [self.template().join("crate"), partial.join("crate")] {
            if seed.is_dir() {
                copy_tree(&seed, &building.join("crate"), false).map_err(|e| e.to_string())?;
                break;
            }
        }
        if let Err(error) = build(&building.join("crate")) {
            let _ = fs::remove_dir_all(&partial);
            let _ = fs::rename(&building, &partial);
            return Err(error);
        }
        let _ = fs::remove_dir_all(&partial);
        fs::write(building.join("STAMP"), stamp).map_err(|e| e.to_string())?;
        self.install_generation(&building).map_err(|e| format!("cannot install the new template: {e}"))?;
        self.remove_unused_generations();
        Ok(())
    }

    /// Moves the finished build `building` to a new generation and turns `template` to it.
    fn install_generation(&self, building: &Path) -> io::Result<()> {
        let nanos = std::time::SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let id = format!("{nanos}-{}", std::process::id());
        fs::create_dir_all(self.root.join("generations"))?;
        fs::rename(building, self.root.join("generations").join(&id))?;
        let template = self.template();
        if fs::symlink_metadata(&template).is_ok_and(|m| m.is_dir()) {
            // A template from before generations: its kernels copied or hard-linked, none points
            // into it, so it may move.
            fs::rename(&template, self.root.join("generations").join(format!("legacy-{id}")))?;
        }
        // A new link renamed over the old one: `template` always names a complete generation.
        let link = self.root.join(format!("template.new-{}", std::process::id()));
        let _ = fs::remove_file(&link);
        std::os::unix::fs::symlink(Path::new("generations").join(&id), &link)?;
        fs::rename(&link, &template)
    }

    /// Deletes the generations that are not the template and that no running kernel shares from.
    fn remove_unused_generations(&self) {
        let Ok(current) = self.template().canonicalize() else { return };
        let mut in_use = vec![current];
        if let Ok(kernels) = fs::read_dir(self.root.join("kernels")) {
            for kernel in kernels.flatten() {
                if kernel_pid(&kernel.file_name().to_string_lossy()).is_some_and(|pid| !process_is_gone(pid)) {
                    if let Ok(generation) = fs::read_to_string(kernel.path().join("generation")) {
                        in_use.push(PathBuf::from(generation));
                    }
                }
            }
        }
        let Ok(generations) = fs::read_dir(self.root.join("generations")) else { return };
        for generation in generations.flatten() {
            let path = generation.path().canonicalize().unwrap_or(generation.path());
            if !in_use.contains(&path) {
                let _ = fs::remove_dir_all(path);
            }
        }
    }

    /// A kernel killed while building (e.g. shut down by its front end) leaves `building-<pid>`
    /// behind: it becomes `partial`, the seed of the next build (a later one replaces an earlier one).
    fn salvage_abandoned_builds(&self) {
        let Ok(entries) = fs::read_dir(&self.root) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.strip_prefix("building-").and_then(|p| p.parse::<u32>().ok()) else { continue };
            if Path::new(&format!("/proc/{pid}")).exists() || !Path::new("/proc/self").exists() {
                continue;
            }
            let partial = self.root.join("partial");
            let _ = fs::remove_dir_all(&partial);
            let _ = fs::rename(entry.path(), &partial);
        }
    }

    /// Creates this kernel's private directory from the template and returns it. The evcxr crate
    /// directory is `<dir>/crate`.
    pub fn new_kernel_dir(&self) -> io::Result<PathBuf> {
        // A killed kernel leaves its directory behind; removing it is no reason to keep this
        // start waiting.
        let layout = self.clone();
        std::thread::spawn(move || layout.remove_dead_kernel_dirs());
        let nanos = std::time::SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
        let dir = self.root.join("kernels").join(format!("{}-{nanos}", std::process::id()));
        fs::create_dir_all(dir.join("crate"))?;
        // The generation itself, not the `template` link, so that shared files outlive a rebuild.
        if let Ok(generation) = self.template().canonicalize() {
            fs::write(dir.join("generation"), generation.as_os_str().as_encoded_bytes())?;
            if generation.join("crate").is_dir() {
                copy_tree(&generation.join("crate"), &dir.join("crate"), false)?;
            }
        }
        Ok(dir)
    }

    /// Removes the directories of kernels whose process is gone (crashed without cleaning up).
    fn remove_dead_kernel_dirs(&self) {
        let Ok(entries) = fs::read_dir(self.root.join("kernels")) else { return };
        for entry in entries.flatten() {
            if kernel_pid(&entry.file_name().to_string_lossy()).is_some_and(process_is_gone) {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// The process id in a kernel directory's name (`<pid>-<n>`).
fn kernel_pid(name: &str) -> Option<u32> {
    name.split('-').next().and_then(|p| p.parse().ok())
}

/// Whether process `pid` is known to be gone (never where /proc cannot tell).
fn process_is_gone(pid: u32) -> bool {
    Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists()
}

/// What the template was built from; a different stamp means the template is stale.
pub fn stamp(distsim: &Path, rustc_version: &str) -> String {
    format!(
        "distsim-kernel {}\n{}\ndistsim {}\n{}\nsources {}\n{CARGO_CONFIG}",
        env!("CARGO_PKG_VERSION"),
        super::analyzer_library::FORMAT,
        distsim.display(),
        rustc_version.trim(),
        newest_mtime(distsim),
    )
}

/// The newest modification time (seconds) of distsim's manifest, lock file and sources.
fn newest_mtime(distsim: &Path) -> u64 {
    fn visit(path: &Path, newest: &mut u64) {
        let Ok(meta) = fs::metadata(path) else { return };
        if meta.is_dir() {
            if let Ok(entries) = fs::read_dir(path) {
                for entry in entries.flatten() {
                    visit(&entry.path(), newest);
                }
            }
        } else if let Ok(modified) = meta.modified() {
            let secs = modified.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
            *newest = (*newest).max(secs);
        }
    }
    let mut newest = 0;
    for part in ["Cargo.toml", "Cargo.lock", "src"] {
        visit(&distsim.join(part), &mut newest);
    }
    newest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rebuild_keeps_the_generation_a_running_kernel_shares_from() {
        let root = std::env::temp_dir().join(format!("distsim-generations-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let layout = CacheLayout { root: root.clone() };
        let build = |text: &'static str| {
            move |dir: &Path| {
                // As rustc does: a new file replaces the old one, never written through it.
                let rlib = dir.join("target/debug/deps/libdistsim-1.rlib");
                fs::create_dir_all(rlib.parent().unwrap()).unwrap();
                let _ = fs::remove_file(&rlib);
                fs::write(rlib, text).unwrap();
                Ok(())
            }
        };
        layout.rebuild_template("one", build("first")).unwrap();
        let first = layout.template().canonicalize().unwrap();
        assert!(first.starts_with(root.join("generations")));
        // This process is alive: its kernel directory keeps the first generation.
        let kernel = layout.new_kernel_dir().unwrap();
        let rlib = kernel.join("crate/target/debug/deps/libdistsim-1.rlib");
        layout.rebuild_template("two", build("second")).unwrap();
        assert_ne!(layout.template().canonicalize().unwrap(), first);
        assert!(layout.template_matches("two"));
        assert_eq!(fs::read_to_string(&rlib).unwrap(), "first");
        // Once the kernel is gone, the next rebuild deletes the first generation.
        fs::remove_dir_all(&kernel).unwrap();
        layout.rebuild_template("three", build("third")).unwrap();
        let left: Vec<_> = fs::read_dir(root.join("generations")).unwrap().flatten().map(|e| e.path()).collect();
        assert_eq!(left, vec![layout.template().canonicalize().unwrap()]);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn stamp_changes_with_the_distsim_path() {
        let a = stamp(Path::new("/nonexistent/a"), "rustc 1");
        let b = stamp(Path::new("/nonexistent/b"), "rustc 1");
        assert_ne!(a, b);
        assert!(a.contains("rustc 1"));
    }
}
