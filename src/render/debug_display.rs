//! A cell's final value, shown in one compile.
//!
//! An evcxr-based kernel shows a cell's final expression by compiling `(expr).evcxr_display();`.
//! Only types with an `evcxr_display` method (distsim's tables and plots) pass; for anything else,
//! `1 + 1` or a `Vec`, that first compile *fails*, and evcxr compiles the cell a second time with
//! a `Debug` print instead. Every such cell paid for two compiles, about half of its latency.
//!
//! [`DebugDisplay`] gives every `Debug` type an `evcxr_display` that prints what evcxr's fallback
//! would have printed (`{:?}` as `text/plain`), so the first compile succeeds. Method lookup prefers
//! inherent methods, so distsim's own `evcxr_display` (and any made with
//! [`impl_evcxr_display!`](crate::impl_evcxr_display)) still wins. The trait is in the prelude;
//! evcxr's `:fmt` and `:types` settings, which only shape evcxr's fallback, no longer apply to
//! values shown this way.

use super::display::write_stdout;
use std::fmt::Debug;

/// Lets any `Debug` value answer evcxr's display call with its `{:?}` text.
///
/// ```
/// use distsim::prelude::*;
/// let (_, printed) = distsim::render::capture(|| (1 + 1).evcxr_display());
/// assert_eq!(printed, "EVCXR_BEGIN_CONTENT text/plain\n2\nEVCXR_END_CONTENT\n");
/// ```
pub trait DebugDisplay {
    /// Prints `{:?}` of the value as a `text/plain` evcxr display block.
    fn evcxr_display(&self);
}

impl<T: Debug + ?Sized> DebugDisplay for T {
    fn evcxr_display(&self) {
        write_stdout(&format!("EVCXR_BEGIN_CONTENT text/plain\n{self:?}\nEVCXR_END_CONTENT\n"));
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;
    use crate::render::capture;

    #[test]
    fn debug_values_print_their_debug_text() {
        let (_, printed) = capture(|| vec![1, 2].evcxr_display());
        assert_eq!(printed, "EVCXR_BEGIN_CONTENT text/plain\n[1, 2]\nEVCXR_END_CONTENT\n");
        let (_, printed) = capture(|| "quoted".evcxr_display());
        assert_eq!(printed, "EVCXR_BEGIN_CONTENT text/plain\n\"quoted\"\nEVCXR_END_CONTENT\n");
    }

    #[test]
    fn distsim_values_keep_their_rich_display() {
        let table = Table::new(["a"]);
        let (_, printed) = capture(|| table.evcxr_display());
        assert!(printed.contains("EVCXR_BEGIN_CONTENT text/html"), "{printed}");
        let (_, printed) = capture(|| Plot::new("p").line("s", vec![(0.0, 1.0), (1.0, 2.0)]).evcxr_display());
        assert!(printed.contains("EVCXR_BEGIN_CONTENT image/svg+xml"), "{printed}");
    }
}
