//! The progress line of a long check: states, depth and rate, redrawn in place in the notebook.

use crate::render::{in_kernel, DisplayHandle, MimeBundle};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Shows progress only inside the distsim kernel (a terminal or a test prints nothing), at most
/// ten times a second; it reads the wall clock only to throttle and to show the rate.
pub(crate) struct Meter {
    handle: Option<DisplayHandle>,
    start: Instant,
    last: Mutex<Option<Instant>>,
}

impl Meter {
    pub(crate) fn new() -> Self {
        Meter { handle: in_kernel().then(DisplayHandle::new), start: Instant::now(), last: Mutex::new(None) }
    }

    pub(crate) fn show(&self, unique: u64, depth: usize, last: bool) {
        let Some(handle) = &self.handle else { return };
        let mut drawn = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        if !last && drawn.is_some_and(|t| now.duration_since(t) < Duration::from_millis(100)) {
            return;
        }
        let secs = self.start.elapsed().as_secs_f64().max(1e-9);
        let text = format!("check: {unique} unique states, depth {depth}, {:.0} states/s", unique as f64 / secs);
        let bundle = MimeBundle::text(text);
        if drawn.is_none() {
            handle.show(&bundle);
        } else {
            handle.update(&bundle);
        }
        *drawn = Some(now);
    }
}
