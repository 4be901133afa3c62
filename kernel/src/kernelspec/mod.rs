//! Installing and removing the `distsim` kernelspec: `kernel.json` plus two logos.

mod location;
pub mod logo;

pub use location::{Location, KERNEL_NAME};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The display name front ends show in their kernel pickers.
pub const DISPLAY_NAME: &str = "Rust (distsim)";

/// `kernel.json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelSpec {
    pub argv: Vec<String>,
    pub display_name: String,
    pub language: String,
    /// `message`: interrupts arrive as interrupt_request on control, not as SIGINT.
    pub interrupt_mode: String,
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub env: std::collections::BTreeMap<String, String>,
}

impl KernelSpec {
    /// The spec that runs `exe` (an absolute path).
    pub fn for_executable(exe: &Path) -> Self {
        KernelSpec {
            argv: vec![exe.display().to_string(), "--connection-file".to_owned(), "{connection_file}".to_owned()],
            display_name: DISPLAY_NAME.to_owned(),
            language: "rust".to_owned(),
            interrupt_mode: "message".to_owned(),
            env: Default::default(),
        }
    }
}

/// Writes the kernelspec for `exe` into `location`, replacing an older one. Returns its folder.
pub fn install(location: &Location, exe: &Path) -> Result<PathBuf, String> {
    let dir = location.kernelspec_dir()?;
    let fail = |what: &str, e: std::io::Error| format!("cannot write {what} in {}: {e}", dir.display());
    std::fs::create_dir_all(&dir).map_err(|e| fail("the kernelspec folder", e))?;
    let spec = serde_json::to_string_pretty(&KernelSpec::for_executable(exe)).expect("kernel.json serializes");
    std::fs::write(dir.join("kernel.json"), spec + "\n").map_err(|e| fail("kernel.json", e))?;
    for size in [32, 64] {
        let name = format!("logo-{size}x{size}.png");
        std::fs::write(dir.join(&name), logo::logo_png(size)).map_err(|e| fail(&name, e))?;
    }
    Ok(dir)
}

/// Removes the kernelspec from `location`. Returns its folder.
pub fn uninstall(location: &Location) -> Result<PathBuf, String> {
    let dir = location.kernelspec_dir()?;
    if !dir.join("kernel.json").exists() {
        return Err(format!("no {KERNEL_NAME} kernelspec in {}", dir.display()));
    }
    std::fs::remove_dir_all(&dir).map_err(|e| format!("cannot remove {}: {e}", dir.display()))?;
    Ok(dir)
}
