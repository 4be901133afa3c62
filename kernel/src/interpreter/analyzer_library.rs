//! The standard library's sources as evcxr's rust-analyzer reads them: only what a cell can name.
//!
//! evcxr types every variable a cell defines with an in-process rust-analyzer, and that analyzer
//! is most of a kernel's memory (docs/class.md). It finds the standard library's sources through
//! the sysroot and loads **every** `.rs` file under them as one root: 35 MB of Rust, a third of it
//! the library's own tests and the SIMD intrinsics of a dozen other architectures. Then, to type a
//! cell, it indexes `core`, and with it the 8 MB of x86 intrinsics `core::arch` declares.
//!
//! A course cell names none of that. So each template generation holds a copy of the library made
//! by [`rule`]: tests, benches, examples, stdarch's generators, the other architectures and the
//! other operating systems are left out, as are the unstable `std::simd` and the crates only the
//! library's internals use; `core::arch::{x86, x86_64}` are empty modules. The kernel points the analyzer at
//! the copy with `RUST_SRC_PATH` (which rust-analyzer reads and rustc and cargo ignore): cells are
//! still compiled against the real library, so only the analyzer's view is smaller. A variable of
//! an intrinsic's type (`__m128i`) would need an explicit type annotation. Each Rust file is
//! copied through [`doc_summaries::keep_summaries`]: a hover shows the first paragraph of a
//! library item's docs, not its examples.
//!
//! Measured with `kernel/benches/kernel_memory.py` (kernel plus evaluation process, RSS): idle
//! after the warm-up 663 → 523 MiB, after the first notebook 526 → 423 MiB, and 324 → 248 MiB
//! before the warm-up; keeping only the doc summaries then took idle and at-work memory from
//! 411-414 to 394-395 MiB (docs/class.md has the runs).
//!
//! Dropping the library's test crates also keeps the analyzer in its "stitched" mode: the library's
//! workspace no longer resolves, so it never asks `cargo metadata` to download the library's own
//! dependencies from the network.

use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use super::doc_summaries;

/// The copy's directory inside a template generation.
pub const DIR: &str = "analyzer-library";

/// Changes whenever [`rule`] changes, so that the template stamp (and with it the copy) is renewed.
pub const FORMAT: &str = "analyzer library: trimmed, doc summaries, v3";

/// The variable rust-analyzer reads the library's location from.
pub const ENV: &str = "RUST_SRC_PATH";

/// What the copy does with one entry of the library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Copy,
    /// Left out, with everything below it.
    Skip,
    /// A directory replaced by a module with no items (`mod.rs` only).
    EmptyModule,
}

/// Top-level crates of the library that only test or build it, or that only its internals use
/// (the backtrace resolver, CPU feature detection, the test harness).
const SKIPPED_CRATES: &[&str] =
    &["coretests", "alloctests", "compiler-builtins", "rtstartup", "windows_link", "backtrace", "std_detect", "test"];

/// `std::os` modules kept: the Unix family and the hosts the kernel runs on (Linux, macOS).
const KEPT_OS_MODULES: &[&str] = &["unix", "linux", "darwin", "macos", "fd", "raw", "net"];

/// Platforms whose implementation of `std`'s internals (`std/src/sys/**`) no Unix host compiles.
const OTHER_PLATFORMS: &[&str] = &[
    "fortanix_sgx",
    "hermit",
    "itron",
    "motor",
    "sgx",
    "solid",
    "teeos",
    "trusty",
    "uefi",
    "vexos",
    "wasi",
    "wasip1",
    "wasip2",
    "wasm",
    "windows",
    "xous",
    "zkvm",
];

/// The two architectures of `core::arch` that this platform would otherwise index.
const EMPTIED_ARCHES: &[&str] = &["x86", "x86_64"];

/// The rule for `relative`, a path inside the library, which is a directory when `is_dir`.
pub fn rule(relative: &Path, is_dir: bool) -> Rule {
    let parts: Vec<&str> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(name) => name.to_str(),
            _ => None,
        })
        .collect();
    let Some(&name) = parts.last() else { return Rule::Copy };
    let stem = name.strip_suffix(".rs").unwrap_or(name);
    if parts.starts_with(&["std", "src"]) && OTHER_PLATFORMS.contains(&stem) {
        return Rule::Skip;
    }
    if !is_dir {
        return Rule::Copy;
    }
    if matches!(name, "tests" | "benches" | "examples") {
        return Rule::Skip;
    }
    match parts.as_slice() {
        [top] if SKIPPED_CRATES.contains(top) => Rule::Skip,
        ["stdarch", "crates", krate] if !matches!(*krate, "core_arch" | "std_detect") => Rule::Skip,
        ["stdarch", "crates", "core_arch", other] if *other != "src" => Rule::Skip,
        ["stdarch", "crates", "core_arch", "src", arch] if EMPTIED_ARCHES.contains(arch) => Rule::EmptyModule,
        ["stdarch", "crates", "core_arch", "src", _] => Rule::Skip,
        ["std", "src", "os", os] if !KEPT_OS_MODULES.contains(os) => Rule::Skip,
        // `std::simd` is unstable: no course cell can use it.
        ["portable-simd", ..] => Rule::Skip,
        _ => Rule::Copy,
    }
}

/// Writes the trimmed copy of the library at `from` into `to` (which must not exist yet).
pub fn write_copy(from: &Path, to: &Path) -> io::Result<()> {
    fn visit(from: &Path, to: &Path, relative: &Path) -> io::Result<()> {
        fs::create_dir_all(to)?;
        for entry in fs::read_dir(from)? {
            let entry = entry?;
            let relative = relative.join(entry.file_name());
            let (src, dst) = (entry.path(), to.join(entry.file_name()));
            let is_dir = entry.file_type()?.is_dir();
            match rule(&relative, is_dir) {
                Rule::Skip => {}
                Rule::EmptyModule => {
                    fs::create_dir_all(&dst)?;
                    fs::write(dst.join("mod.rs"), "//! Left empty for the analyzer by distsim-kernel.\n")?;
                }
                Rule::Copy if is_dir => visit(&src, &dst, &relative)?,
                Rule::Copy => copy_file(&src, &dst)?,
            }
        }
        Ok(())
    }
    visit(from, to, Path::new(""))
}

/// Copies one file, a Rust source through [`doc_summaries::keep_summaries`] (unless it is not
/// UTF-8, which the analyzer would not read either).
fn copy_file(src: &Path, dst: &Path) -> io::Result<()> {
    if src.extension().is_some_and(|e| e == "rs") {
        if let Ok(text) = fs::read_to_string(src) {
            return fs::write(dst, doc_summaries::keep_summaries(&text));
        }
    }
    fs::copy(src, dst).map(drop)
}

/// The standard library's sources of the toolchain that compiles cells (`rustc --print sysroot`),
/// if the `rust-src` component is installed.
pub fn toolchain_library() -> Option<PathBuf> {
    let sysroot = PathBuf::from(super::session::rustc_output(&["--print", "sysroot"])?);
    let library = sysroot.join("lib/rustlib/src/rust/library");
    library.join("core/src/lib.rs").is_file().then_some(library)
}

/// Writes the copy into the generation being built (`generation/DIR`). Without `rust-src` there is
/// nothing to copy, and the analyzer finds no library either way.
pub fn write_into_generation(generation: &Path) -> Result<(), String> {
    let Some(library) = toolchain_library() else { return Ok(()) };
    let to = generation.join(DIR);
    let _ = fs::remove_dir_all(&to);
    write_copy(&library, &to).map_err(|e| format!("cannot copy {} to {}: {e}", library.display(), to.display()))
}

/// The copy in `generation`, if it holds a library the analyzer accepts (it checks for `core`).
pub fn in_generation(generation: &Path) -> Option<PathBuf> {
    let copy = generation.join(DIR);
    copy.join("core/src/lib.rs").is_file().then_some(copy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(path: &str) -> Rule {
        rule(Path::new(path), true)
    }

    #[test]
    fn keeps_the_crates_a_cell_reaches_and_drops_tests_and_other_architectures() {
        for kept in [
            "core",
            "core/src",
            "std/src/sys",
            "alloc/src/collections",
            "stdarch/crates/core_arch/src",
            "std/src/os/unix",
            "std/src/os/linux",
            "std/src/sys/pal/unix",
        ] {
            assert_eq!(dir(kept), Rule::Copy, "{kept}");
        }
        for skipped in [
            "coretests",
            "alloctests",
            "compiler-builtins",
            "std/tests",
            "core/benches",
            "stdarch/crates/stdarch-gen-arm",
            "stdarch/crates/core_arch/src/aarch64",
            "stdarch/crates/core_arch/tests",
            "portable-simd",
            "backtrace",
            "std/src/os/windows",
            "std/src/os/freebsd",
            "std/src/sys/pal/windows",
            "std/src/sys/pal/wasm",
        ] {
            assert_eq!(dir(skipped), Rule::Skip, "{skipped}");
        }
        assert_eq!(dir("stdarch/crates/core_arch/src/x86"), Rule::EmptyModule);
        assert_eq!(dir("stdarch/crates/core_arch/src/x86_64"), Rule::EmptyModule);
        // Files are copied wherever their directory is: a file named like a skipped directory too.
        assert_eq!(rule(Path::new("core/src/tests"), false), Rule::Copy);
        assert_eq!(rule(Path::new("stdarch/crates/core_arch/src/mod.rs"), false), Rule::Copy);
        assert_eq!(rule(Path::new("std/src/sys/fs/windows.rs"), false), Rule::Skip);
        assert_eq!(rule(Path::new("std/src/sys/fs/unix.rs"), false), Rule::Copy);
    }

    #[test]
    fn the_copy_follows_the_rule() {
        let root = std::env::temp_dir().join(format!("distsim-analyzer-library-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let from = root.join("library");
        for (file, text) in [
            ("core/src/lib.rs", "pub mod arch;"),
            ("core/src/num.rs", "/// Adds.\n///\n/// At length.\npub fn add() {} // why\n"),
            ("core/Cargo.toml", "# kept // as it is\n"),
            ("core/tests/num.rs", "#[test] fn t() {}"),
            ("coretests/lib.rs", "x"),
            ("stdarch/crates/core_arch/src/mod.rs", "mod x86;"),
            ("stdarch/crates/core_arch/src/x86/mod.rs", "pub mod avx;"),
            ("stdarch/crates/core_arch/src/x86/avx.rs", "pub fn _mm256_add_pd() {}"),
            ("stdarch/crates/core_arch/src/arm/mod.rs", "pub fn vadd() {}"),
        ] {
            let path = from.join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        let to = root.join("copy");
        write_copy(&from, &to).unwrap();
        assert_eq!(fs::read_to_string(to.join("core/src/lib.rs")).unwrap(), "pub mod arch;");
        assert_eq!(fs::read_to_string(to.join("core/src/num.rs")).unwrap(), "/// Adds.\n\n\npub fn add() {} \n");
        assert_eq!(fs::read_to_string(to.join("core/Cargo.toml")).unwrap(), "# kept // as it is\n");
        assert_eq!(fs::read_to_string(to.join("stdarch/crates/core_arch/src/mod.rs")).unwrap(), "mod x86;");
        assert!(!to.join("core/tests").exists());
        assert!(!to.join("coretests").exists());
        assert!(!to.join("stdarch/crates/core_arch/src/arm").exists());
        assert!(!to.join("stdarch/crates/core_arch/src/x86/avx.rs").exists());
        assert!(fs::read_to_string(to.join("stdarch/crates/core_arch/src/x86/mod.rs")).unwrap().starts_with("//!"));
        assert_eq!(in_generation(&root.join("nothing")), None);
        fs::rename(&to, root.join(DIR)).unwrap();
        assert_eq!(in_generation(&root), Some(root.join(DIR)));
        fs::remove_dir_all(&root).unwrap();
    }
}
