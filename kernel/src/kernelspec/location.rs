//! Where kernelspecs live, following Jupyter's own rules.
//!
//! - `--user`: `$JUPYTER_DATA_DIR`, else the platform's user data dir (`$XDG_DATA_HOME/jupyter` or
//!   `~/.local/share/jupyter` on Linux, `~/Library/Jupyter` on macOS, `%APPDATA%\jupyter` on Windows).
//! - `--sys-prefix`: `<prefix>/share/jupyter`, where prefix is the active Python environment's
//!   `sys.prefix`: `$VIRTUAL_ENV` if a venv is active, else `$CONDA_PREFIX`, else whatever
//!   `python3 -c 'import sys; print(sys.prefix)'` prints.
//! - `--prefix DIR`: `DIR/share/jupyter`.
//!
//! The kernelspec is the folder `kernels/distsim` inside that data dir.

use std::path::PathBuf;

/// The kernelspec's name (its folder name); front ends select the kernel by it.
pub const KERNEL_NAME: &str = "distsim";

/// Which Jupyter data dir to install into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    User,
    SysPrefix,
    Prefix(PathBuf),
}

impl Location {
    /// The kernelspec folder for this location.
    pub fn kernelspec_dir(&self) -> Result<PathBuf, String> {
        let data_dir = match self {
            Location::User => user_data_dir()?,
            Location::SysPrefix => sys_prefix()?.join("share").join("jupyter"),
            Location::Prefix(dir) => dir.join("share").join("jupyter"),
        };
        Ok(data_dir.join("kernels").join(KERNEL_NAME))
    }
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from)
}

fn user_data_dir() -> Result<PathBuf, String> {
    if let Some(dir) = env_path("JUPYTER_DATA_DIR") {
        return Ok(dir);
    }
    if cfg!(windows) {
        return env_path("APPDATA").map(|d| d.join("jupyter")).ok_or_else(|| "APPDATA is not set".to_owned());
    }
    let home = env_path("HOME").ok_or_else(|| "HOME is not set; use --prefix DIR".to_owned())?;
    if cfg!(target_os = "macos") {
        return Ok(home.join("Library").join("Jupyter"));
    }
    Ok(env_path("XDG_DATA_HOME").unwrap_or_else(|| home.join(".local").join("share")).join("jupyter"))
}

fn sys_prefix() -> Result<PathBuf, String> {
    if let Some(dir) = env_path("VIRTUAL_ENV").or_else(|| env_path("CONDA_PREFIX")) {
        return Ok(dir);
    }
    let output = std::process::Command::new("python3")
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .map_err(|e| format!("--sys-prefix needs an active Python environment or python3 on PATH: {e}"))?;
    let prefix = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    if !output.status.success() || prefix.is_empty() {
        return Err("python3 did not report sys.prefix; activate the environment or use --prefix DIR".to_owned());
    }
    Ok(PathBuf::from(prefix))
}
