//! Cooperative interruption, so that stopping a cell keeps the user's variables.
//!
//! A notebook kernel cannot stop a running simulation by killing the process that runs it without
//! losing every variable of earlier cells. Instead the distsim kernel sets the environment variable
//! `DISTSIM_CANCEL_FILE` to a path before it starts the evaluation process, creates that file when
//! the user presses *interrupt*, and removes it before every cell. Long-running loops in distsim (the
//! engine, sweeps, Monte Carlo trials) call [`check`] every few thousand steps and return
//! [`Error::Interrupted`], so the cell ends with an error while state survives.
//!
//! A file is used rather than a signal because the evaluated cell links its own copy of distsim:
//! a flag set by a signal handler in the kernel's copy would not be seen by the cell's copy, but a
//! path in the environment is shared by both. Outside the kernel the variable is unset and [`check`]
//! costs one branch.

use crate::error::{Error, Result};
use std::path::PathBuf;
use std::sync::OnceLock;

/// The environment variable naming the cancel file.
pub const CANCEL_FILE_ENV: &str = "DISTSIM_CANCEL_FILE";

fn cancel_path() -> Option<&'static PathBuf> {
    static PATH: OnceLock<Option<PathBuf>> = OnceLock::new();
    PATH.get_or_init(|| std::env::var_os(CANCEL_FILE_ENV).map(PathBuf::from)).as_ref()
}

/// Whether the user has asked to stop the running cell.
pub fn requested() -> bool {
    cancel_path().is_some_and(|p| p.exists())
}

/// `Err(Error::Interrupted)` if the user has asked to stop the running cell.
///
/// Call it from your own long loops too: `distsim::cancel::check()?;`.
pub fn check() -> Result<()> {
    if requested() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}

/// Calls [`check`] only every `period` ticks, so hot loops pay for the file look-up rarely.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    period: u32,
    left: u32,
}

impl Checkpoint {
    /// A checkpoint that looks at the cancel file once every `period` calls to [`Checkpoint::tick`].
    pub fn every(period: u32) -> Self {
        let period = period.max(1);
        Checkpoint { period, left: period }
    }

    /// Counts one step; every `period` steps, checks for an interrupt.
    #[inline]
    pub fn tick(&mut self) -> Result<()> {
        self.left -= 1;
        if self.left == 0 {
            self.left = self.period;
            check()
        } else {
            Ok(())
        }
    }
}
