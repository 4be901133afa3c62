//! The build state of the cell crate (`ctx`), which evcxr recompiles for every cell.
//!
//! Issue 18 item 4: a fresh session's first cells could fail with `LOAD_AND_RUN
//! …/libcode_9.so run_user_code_8 … dlsym failed`, and after the restart every cell failed the
//! same way. The cause was one file: `deps/ctx.d`, rustc's dependency list for the cell crate. A
//! kernel directory is a copy of the template in which everything under `deps/` is a hard link, so
//! every running kernel shared one `ctx.d`, and rustc rewrites it in place (truncate, then write)
//! at every cell. When cargo in one kernel read it just after rustc in another had truncated it,
//! cargo recorded that the cell crate depends on no source file at all. From then on cargo judged
//! the crate fresh whatever `src/lib.rs` held, and kept handing evcxr the previous cell's library,
//! which has no function of the new cell's name: every later compile, the reload of distsim after
//! the restart included, loaded a stale library.
//!
//! [`forget`] removes the cell crate's files from a new kernel directory (cargo and rustc write
//! fresh ones of its own), so no file a cell build writes is shared; and from a directory in use
//! after its evaluation process was lost, so that the next build starts clean whatever state the
//! crash or a stale record left behind.

use std::fs;
use std::path::{Path, PathBuf};

/// Whether `name` (a file or directory under `target/`) belongs to the cell crate: its library
/// (`libctx.so`), cargo's fingerprint directory (`ctx-<hash>`), rustc's dependency list (`ctx.d`)
/// and the renamed copies evcxr loads (`libcode_<n>.so`).
fn belongs_to_cell_crate(name: &str) -> bool {
    name.starts_with("libctx")
        || name.starts_with("ctx-")
        || name.starts_with("ctx.")
        || name.starts_with("libcode_")
        || name == ".evcxr-execution-so"
}

/// The directories under `crate_dir/target` where cargo keeps the cell crate's files: every
/// `debug`, `debug/deps` and `debug/.fingerprint` (with and without the target triple).
fn build_dirs(crate_dir: &Path) -> Vec<PathBuf> {
    let target = crate_dir.join("target");
    let mut profiles = vec![target.join("debug")];
    if let Ok(entries) = fs::read_dir(&target) {
        profiles.extend(entries.flatten().map(|e| e.path().join("debug")).filter(|p| p.is_dir()));
    }
    let mut dirs = Vec::new();
    for profile in profiles {
        dirs.push(profile.join("deps"));
        dirs.push(profile.join(".fingerprint"));
        dirs.push(profile);
    }
    dirs.into_iter().filter(|d| d.is_dir()).collect()
}

/// Removes every file of earlier cell builds under `crate_dir/target`, and cargo's record of them.
/// On a directory just copied from the template, this makes sure that no file a cell build writes
/// is a hard link shared with other kernels; on a directory in use (after its evaluation process
/// was lost), it makes the next build compile `src/lib.rs` whatever cargo believed before. The
/// libraries an evaluation process already loaded may go too: a loaded library stays mapped, and
/// evcxr numbers new ones on from where it is.
pub fn forget(crate_dir: &Path) -> std::io::Result<()> {
    remove_cell_files(crate_dir, belongs_to_cell_crate)
}

fn remove_cell_files(crate_dir: &Path, remove: fn(&str) -> bool) -> std::io::Result<()> {
    for dir in build_dirs(crate_dir) {
        for entry in fs::read_dir(&dir)?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !remove(&name) {
                continue;
            }
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                fs::remove_dir_all(&path)?;
            } else {
                fs::remove_file(&path)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(root: &Path) -> PathBuf {
        let debug = root.join("crate/target/x86_64-unknown-linux-gnu/debug");
        fs::create_dir_all(debug.join("deps")).unwrap();
        fs::create_dir_all(debug.join(".fingerprint/ctx-0123/")).unwrap();
        fs::create_dir_all(debug.join(".fingerprint/distsim-4567/")).unwrap();
        for file in ["deps/ctx.d", "deps/libctx.so", "deps/libdistsim-1.rlib", "libctx.so", "libcode_3.so"] {
            fs::write(debug.join(file), "x").unwrap();
        }
        debug
    }

    #[test]
    fn forget_removes_every_file_a_cell_build_writes_and_keeps_the_dependencies() {
        let root = std::env::temp_dir().join(format!("distsim-cell-builds-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let debug = tree(&root);
        forget(&root.join("crate")).unwrap();
        for gone in ["deps/ctx.d", "deps/libctx.so", "libctx.so", "libcode_3.so", ".fingerprint/ctx-0123"] {
            assert!(!debug.join(gone).exists(), "{gone} is left");
        }
        assert!(debug.join("deps/libdistsim-1.rlib").exists());
        assert!(debug.join(".fingerprint/distsim-4567").exists());
        let _ = fs::remove_dir_all(&root);
    }
}
