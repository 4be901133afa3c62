//! Progress of long runs (sweeps), as a bar that updates in place.
//!
//! The bar is UI, not simulation, so it may read the wall clock: it uses it only to throttle
//! redraws to about ten per second, because every redraw is a message the notebook front end has
//! to render. The final state is always drawn, so a finished bar shows `total/total`.

use super::{display::DisplayHandle, escape_html, MimeBundle, Render};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How far a run has come: `done` of `total` steps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    /// Steps finished.
    pub done: usize,
    /// Steps in all.
    pub total: usize,
}

impl Progress {
    /// The finished fraction in `[0, 1]` (1 for an empty run).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.done.min(self.total) as f64 / self.total as f64
        }
    }
    /// Whether every step is done.
    pub fn is_finished(&self) -> bool {
        self.done >= self.total
    }
}

const BAR_WIDTH: usize = 30;

fn bar_bundle(label: &str, p: Progress) -> MimeBundle {
    let filled = (p.fraction() * BAR_WIDTH as f64).round() as usize;
    let percent = (p.fraction() * 100.0).floor() as u32;
    let plain = format!(
        "{label} [{}{}] {}/{} ({percent}%)",
        "#".repeat(filled),
        "-".repeat(BAR_WIDTH - filled),
        p.done,
        p.total
    );
    let html = format!(
        "<div class=\"distsim-progress\"><span>{}</span> <progress value=\"{}\" max=\"{}\"></progress> {}/{} ({percent}%)</div>",
        escape_html(label),
        p.done,
        p.total.max(1),
        p.done,
        p.total
    );
    MimeBundle::text(plain.trim_start()).with("text/html", html)
}

impl Render for Progress {
    fn mime_bundle(&self) -> MimeBundle {
        bar_bundle("", *self)
    }
}

/// A labelled progress bar shown with a display id and redrawn in place, at most
/// [`ProgressBar::MIN_INTERVAL`] apart (except the final state, which is always drawn).
///
/// Safe to update from several threads (a sweep's workers do).
#[derive(Debug)]
pub struct ProgressBar {
    label: String,
    total: usize,
    handle: DisplayHandle,
    state: Mutex<BarState>,
}

#[derive(Debug)]
struct BarState {
    last_drawn: Option<(Instant, usize)>,
}

impl ProgressBar {
    /// Shortest time between two redraws: about ten per second.
    pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

    /// A bar for `total` steps, drawn at 0 right away.
    pub fn new(label: impl Into<String>, total: usize) -> Self {
        let bar = ProgressBar {
            label: label.into(),
            total,
            handle: DisplayHandle::new(),
            state: Mutex::new(BarState { last_drawn: None }),
        };
        bar.set(0);
        bar
    }

    /// The display id the bar is drawn under.
    pub fn display_id(&self) -> &str {
        self.handle.id()
    }

    /// The bar's MIME bundle at `done` steps.
    pub fn bundle(&self, done: usize) -> MimeBundle {
        bar_bundle(&self.label, Progress { done, total: self.total })
    }

    /// Records that `done` steps are finished; redraws unless the last redraw was too recent.
    /// Returns whether it redrew.
    pub fn set(&self, done: usize) -> bool {
        self.draw(done, false)
    }

    /// Draws `done` now, whatever the throttle says (unless exactly that is already shown): the
    /// state to leave in place when a run stops early, on an error or an interrupt.
    pub fn stop_at(&self, done: usize) {
        self.draw(done, true);
    }

    fn draw(&self, done: usize, force: bool) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let due = match state.last_drawn {
            None => true,
            Some((_, drawn)) if force => drawn != done,
            Some((_, drawn)) if drawn >= done => false,
            Some(_) if done >= self.total => true,
            Some((at, _)) => now.duration_since(at) >= Self::MIN_INTERVAL,
        };
        if due {
            let bundle = self.bundle(done);
            if state.last_drawn.is_none() {
                self.handle.show(&bundle)
            } else {
                self.handle.update(&bundle)
            }
            state.last_drawn = Some((now, done));
        }
        due
    }

    /// Draws the final state (`total/total`) if it is not already shown.
    pub fn finish(&self) {
        self.set(self.total);
    }
}
