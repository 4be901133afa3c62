//! The shared build cache that lets a kernel start without recompiling distsim.
//!
//! evcxr compiles every cell as a crate (`ctx`) in its own directory, with dependencies built into
//! `target/` beside it. Compiling distsim and its dependencies there takes minutes, so it is done
//! once, at install time (`prewarm`), into a **template** directory. Each kernel then starts from a
//! private copy of the template: files under `deps/` (the compiled libraries, which cargo never
//! rewrites while they are fresh) are hard-linked, the small bookkeeping files are copied. Two
//! kernels running at once therefore never write to the same file, and the copy costs milliseconds.
//!
//! Layout under the cache root (`$DISTSIM_KERNEL_CACHE`, else `$XDG_CACHE_HOME/distsim-kernel`,
//! else `~/.cache/distsim-kernel`):
//!
//! ```text
//! .cargo/config.toml   dependencies (distsim included) at opt-level 3; cells stay at evcxr's opt-level
//! template/            the prewarmed evcxr crate directory, with a STAMP of what it was built from
//! template.lock        held while the template is being built
//! kernels/<pid>-<n>/   one running kernel: `crate/` (its evcxr directory) and `cancel` (the cancel file)
//! ```
//!
//! The template is rebuilt (under the lock) when its stamp no longer matches: another distsim
//! path, another rustc, another kernel version, or distsim sources newer than the build.

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
        // Running kernels hold hard links, not references to the old template: deleting it is safe.
        let old = self.root.join(format!("old-{}", std::process::id()));
        if self.template().exists() {
            fs::rename(self.template(), &old).map_err(|e| e.to_string())?;
        }
        fs::rename(&building, self.template()).map_err(|e| e.to_string())?;
        let _ = fs::remove_dir_all(old);
        Ok(())
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
        let template_crate = self.template().join("crate");
        if template_crate.is_dir() {
            copy_tree(&template_crate, &dir.join("crate"), false)?;
        }
        Ok(dir)
    }

    /// Removes the directories of kernels whose process is gone (crashed without cleaning up).
    fn remove_dead_kernel_dirs(&self) {
        let Ok(entries) = fs::read_dir(self.root.join("kernels")) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = name.split('-').next().and_then(|p| p.parse::<u32>().ok()) else { continue };
            if Path::new("/proc/self").exists() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// What the template was built from; a different stamp means the template is stale.
pub fn stamp(distsim: &Path, rustc_version: &str) -> String {
    format!(
        "distsim-kernel {}\ndistsim {}\n{}\nsources {}\n{CARGO_CONFIG}",
        env!("CARGO_PKG_VERSION"),
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

/// Files at least this large are compiler output (libraries, build-script executables), which cargo
/// and rustc replace rather than edit, so they can be shared by hard links like `deps/`. Cargo's
/// own bookkeeping (fingerprints, build-script `output`), which it may rewrite in place, is far
/// smaller and is copied. Hard-linking the build scripts saves copying 16 MB at every start.
const SHARE_FROM_BYTES: u64 = 64 * 1024;

/// Copies `from` into `to`: hard links under `deps/` and for large files, copies (keeping
/// modification times, which cargo's freshness check compares) elsewhere. Skips the previous
/// cells' artifacts (`ctx`, `code_N`) and incremental caches, which a new kernel does not need.
fn copy_tree(from: &Path, to: &Path, in_deps: bool) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        if name_str == "incremental" || name_str == "src" || is_cell_artifact(&name_str) {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if entry.file_type()?.is_dir() {
            copy_tree(&src, &dst, in_deps || name_str == "deps")?;
            continue;
        }
        let meta = entry.metadata()?;
        if !(in_deps || meta.len() >= SHARE_FROM_BYTES) || fs::hard_link(&src, &dst).is_err() {
            fs::copy(&src, &dst)?;
            // cargo decides freshness by comparing modification times: keep them.
            fs::File::options().write(true).open(&dst)?.set_modified(meta.modified()?)?;
        }
    }
    Ok(())
}

fn is_cell_artifact(name: &str) -> bool {
    name.starts_with("libctx")
        || name.starts_with("ctx-")
        || name.starts_with("libcode_")
        || name == ".evcxr-execution-so"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_links_deps_copies_the_rest_and_skips_cell_artifacts() {
        let root = std::env::temp_dir().join(format!("distsim-warmup-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let from = root.join("from");
        fs::create_dir_all(from.join("target/debug/deps")).unwrap();
        fs::create_dir_all(from.join("target/debug/incremental/x")).unwrap();
        fs::write(from.join("Cargo.lock"), "lock").unwrap();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        fs::File::options().write(true).open(from.join("Cargo.lock")).unwrap().set_modified(old).unwrap();
        fs::write(from.join("target/debug/deps/libdistsim-1.rlib"), "rlib").unwrap();
        fs::create_dir_all(from.join("target/debug/build/libc-1")).unwrap();
        fs::write(from.join("target/debug/build/libc-1/build-script-build"), vec![0u8; SHARE_FROM_BYTES as usize])
            .unwrap();
        fs::write(from.join("target/debug/build/libc-1/output"), "cargo:rustc-cfg=x").unwrap();
        fs::write(from.join("target/debug/deps/libctx.so"), "cell").unwrap();
        fs::write(from.join("target/debug/deps/libcode_3.so"), "cell").unwrap();
        copy_tree(&from, &root.join("to"), false).unwrap();
        let to = root.join("to");
        assert_eq!(fs::read_to_string(to.join("Cargo.lock")).unwrap(), "lock");
        let mtime = |p: &Path| fs::metadata(p).unwrap().modified().unwrap();
        assert_eq!(mtime(&to.join("Cargo.lock")), mtime(&from.join("Cargo.lock")));
        assert_eq!(fs::read_to_string(to.join("target/debug/deps/libdistsim-1.rlib")).unwrap(), "rlib");
        assert!(!to.join("target/debug/deps/libctx.so").exists());
        assert!(!to.join("target/debug/deps/libcode_3.so").exists());
        assert!(!to.join("target/debug/incremental").exists());
        use std::os::unix::fs::MetadataExt;
        assert_eq!(fs::metadata(to.join("target/debug/deps/libdistsim-1.rlib")).unwrap().nlink(), 2);
        // A build script is shared; cargo's bookkeeping beside it is a private copy.
        assert_eq!(fs::metadata(to.join("target/debug/build/libc-1/build-script-build")).unwrap().nlink(), 2);
        assert_eq!(fs::metadata(to.join("target/debug/build/libc-1/output")).unwrap().nlink(), 1);
        assert_eq!(fs::read_to_string(to.join("target/debug/build/libc-1/output")).unwrap(), "cargo:rustc-cfg=x");
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
