//! A kernel's private copy of the shared template, without copying what it can share.
//!
//! See [`warmup`](super::warmup) for the cache it is part of. Compiler output (the libraries under
//! `deps/`, build-script executables) is shared: a hard link where the kernel may make one, else a
//! symbolic link to the template's file (on a class hub the template is root's, and
//! `fs.protected_hardlinks` forbids a student to hard-link it). Cargo's bookkeeping, which it may
//! rewrite in place, is copied, and the cell crate's own artifacts are left out.

use std::fs;
use std::io;
use std::path::Path;

/// Files at least this large are compiler output (libraries, build-script executables), which cargo
/// and rustc replace rather than edit, so they can be shared by hard links like `deps/`. Cargo's
/// own bookkeeping (fingerprints, build-script `output`), which it may rewrite in place, is far
/// smaller and is copied. Hard-linking the build scripts saves copying 16 MB at every start.
const SHARE_FROM_BYTES: u64 = 64 * 1024;

/// Copies `from` into `to`: shares (see [`share`]) the files under `deps/` and large files, copies
/// (keeping modification times, which cargo's freshness check compares) elsewhere. Skips the
/// previous cells' artifacts (`ctx`, `code_N`) and incremental caches, which a new kernel does not
/// need.
pub fn copy_tree(from: &Path, to: &Path, in_deps: bool) -> io::Result<()> {
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
        if !(in_deps || meta.len() >= SHARE_FROM_BYTES) || share(&src, &dst).is_err() {
            fs::copy(&src, &dst)?;
            // cargo decides freshness by comparing modification times: keep them.
            fs::File::options().write(true).open(&dst)?.set_modified(meta.modified()?)?;
        }
    }
    Ok(())
}

/// Makes `dst` the file `src` without copying it: a hard link, or where that is refused (a file
/// of another user under `fs.protected_hardlinks`) a symbolic link to `src`'s absolute path.
/// Either way cargo sees `src`'s modification time.
fn share(src: &Path, dst: &Path) -> io::Result<()> {
    fs::hard_link(src, dst).or_else(|_| std::os::unix::fs::symlink(src.canonicalize()?, dst))
}

/// What cargo writes again for every cell (the cell crate `ctx`, its dep-info `ctx.d` included):
/// never shared, or cargo would write through the link into the template.
fn is_cell_artifact(name: &str) -> bool {
    name.starts_with("libctx")
        || name.starts_with("ctx-")
        || name.starts_with("ctx.")
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
        fs::write(from.join("target/debug/deps/ctx.d"), "cell").unwrap();
        copy_tree(&from, &root.join("to"), false).unwrap();
        let to = root.join("to");
        assert_eq!(fs::read_to_string(to.join("Cargo.lock")).unwrap(), "lock");
        let mtime = |p: &Path| fs::metadata(p).unwrap().modified().unwrap();
        assert_eq!(mtime(&to.join("Cargo.lock")), mtime(&from.join("Cargo.lock")));
        assert_eq!(fs::read_to_string(to.join("target/debug/deps/libdistsim-1.rlib")).unwrap(), "rlib");
        assert!(!to.join("target/debug/deps/libctx.so").exists());
        assert!(!to.join("target/debug/deps/libcode_3.so").exists());
        assert!(!to.join("target/debug/deps/ctx.d").exists());
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
    fn a_file_that_cannot_be_hard_linked_is_shared_by_a_symbolic_link() {
        // /proc cannot be hard-linked from (another file system, and a virtual one): the same
        // refusal a student meets for root's template.
        let root = std::env::temp_dir().join(format!("distsim-share-test-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let src = Path::new("/proc/self/../version");
        assert!(fs::hard_link(src, root.join("probe")).is_err());
        share(src, &root.join("version")).unwrap();
        let link = fs::read_link(root.join("version")).unwrap();
        assert_eq!(link, Path::new("/proc/version"));
        assert!(fs::read_to_string(root.join("version")).unwrap().starts_with("Linux"));
        let _ = fs::remove_dir_all(&root);
    }
}
