//! Rendering: turning results into something a notebook can show.
//!
//! Jupyter shows a value by its *MIME bundle*: the same content in several formats (`text/plain`,
//! `text/html`, `image/svg+xml`), from which the front end picks the richest it understands. A
//! terminal, an nbgrader log and a plain-text diff all read `text/plain`, so every bundle has it.
//!
//! * [`Table`] renders as aligned text and an HTML `<table>`, and saves CSV.
//! * [`Plot`] renders as an SVG chart drawn with `plotters` (line, scatter, bar, histogram, CDF, log
//!   axes, error bars) and a one-line text summary.
//! * [`display`] shows a value in the middle of a cell; [`DisplayHandle`] updates it in place
//!   (that is how [`ProgressBar`] animates).
//!
//! Any evcxr-based kernel finds rich output through an inherent `evcxr_display` method that prints
//! the bundle between `EVCXR_BEGIN_CONTENT <mime>` and `EVCXR_END_CONTENT` lines. The
//! [`impl_evcxr_display!`](crate::impl_evcxr_display) macro writes that method for any type that
//! implements [`Render`]:
//!
//! ```
//! use distsim::render::{MimeBundle, Render};
//! struct Greeting;
//! impl Render for Greeting {
//!     fn mime_bundle(&self) -> MimeBundle {
//!         MimeBundle::text("hello").with("text/html", "<b>hello</b>")
//!     }
//! }
//! distsim::impl_evcxr_display!(Greeting);
//! Greeting.evcxr_display(); // prints two EVCXR_BEGIN_CONTENT blocks
//! ```

use std::collections::BTreeMap;

mod debug_display;
mod display;
mod format;
pub mod plot;
mod progress;
mod table;
mod value;

pub use debug_display::DebugDisplay;
pub use display::{
    capture, clear_output, display, display_updatable, in_kernel, protocol_display_line, report_error_returned,
    report_error_value, text_plain_fallback, ClearLine, DisplayHandle, DisplayLine, ErrorLine, WidgetRequest,
    CLEAR_PREFIX, DISPLAY_PREFIX, ERROR_PREFIX, ERROR_RETURNED, KERNEL_ENV, WIDGET_MIME,
};
pub use format::Format;
pub use plot::Plot;
pub use progress::{Progress, ProgressBar};
pub use table::Table;
pub use value::Value;

/// One value in several formats: MIME type -> content. Always has `text/plain`.
///
/// A `BTreeMap` keeps the formats in a fixed order, so printing a bundle is deterministic.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct MimeBundle(pub BTreeMap<String, String>);

impl MimeBundle {
    /// A bundle with only `text/plain`.
    pub fn text(plain: impl Into<String>) -> Self {
        let mut map = BTreeMap::new();
        map.insert("text/plain".to_string(), plain.into());
        MimeBundle(map)
    }

    /// Adds (or replaces) one format.
    #[must_use]
    pub fn with(mut self, mime: impl Into<String>, content: impl Into<String>) -> Self {
        self.0.insert(mime.into(), content.into());
        self
    }

    /// The content for `mime`, if present.
    pub fn get(&self, mime: &str) -> Option<&str> {
        self.0.get(mime).map(String::as_str)
    }

    /// The bundle in evcxr's display convention: one block per format,
    /// `EVCXR_BEGIN_CONTENT <mime>\n<content>\nEVCXR_END_CONTENT\n`.
    ///
    /// `text/plain` is added ([`text_plain_fallback`]) if a hand-built bundle lacks it. A trailing newline of the
    /// content is dropped, because evcxr joins the lines between the markers with `\n` and would
    /// otherwise keep an extra empty line.
    pub fn to_evcxr_blocks(&self) -> String {
        let mut out = String::new();
        if !self.0.contains_key("text/plain") {
            let plain =
                text_plain_fallback(self.0.iter().map(|(mime, content)| (mime.as_str(), Some(content.as_str()))));
            out.push_str(&format!("EVCXR_BEGIN_CONTENT text/plain\n{plain}\nEVCXR_END_CONTENT\n"));
        }
        for (mime, content) in &self.0 {
            out.push_str("EVCXR_BEGIN_CONTENT ");
            out.push_str(mime);
            out.push('\n');
            out.push_str(content.strip_suffix('\n').unwrap_or(content));
            out.push_str("\nEVCXR_END_CONTENT\n");
        }
        out
    }
}

/// Anything that can show itself in a notebook.
pub trait Render {
    /// The value in every format it supports; must include `text/plain`.
    fn mime_bundle(&self) -> MimeBundle;
}

impl<T: Render + ?Sized> Render for &T {
    fn mime_bundle(&self) -> MimeBundle {
        (**self).mime_bundle()
    }
}

impl Render for MimeBundle {
    fn mime_bundle(&self) -> MimeBundle {
        self.clone()
    }
}

/// Prints `bundle` as evcxr display blocks in one write, so that output from other threads
/// cannot land between its lines. Used by the code that [`impl_evcxr_display!`](crate::impl_evcxr_display) writes.
pub fn print_evcxr_blocks(bundle: &MimeBundle) {
    display::write_stdout(&bundle.to_evcxr_blocks());
}

/// Gives a type that implements [`Render`] an inherent `pub fn evcxr_display(&self)`, the method
/// evcxr-based kernels look for to show a cell's value with rich output.
///
/// ```
/// use distsim::render::{MimeBundle, Render};
/// struct Score(u32);
/// impl Render for Score {
///     fn mime_bundle(&self) -> MimeBundle { MimeBundle::text(format!("{} points", self.0)) }
/// }
/// distsim::impl_evcxr_display!(Score);
///
/// struct Labelled<T>(T);
/// impl<T: std::fmt::Debug> Render for Labelled<T> {
///     fn mime_bundle(&self) -> MimeBundle { MimeBundle::text(format!("{:?}", self.0)) }
/// }
/// distsim::impl_evcxr_display!(<T> Labelled<T>); // generic types: list the parameters first
///
/// Score(3).evcxr_display();
/// Labelled("x").evcxr_display();
/// ```
///
/// The method must be inherent (a trait method is not found by evcxr), so the macro has to be
/// invoked in the crate that defines the type.
#[macro_export]
macro_rules! impl_evcxr_display {
    (<$($g:ident),+> $t:ty) => {
        impl<$($g),+> $t where $t: $crate::render::Render {
            /// Prints this value's MIME bundle in evcxr's display convention (rich output in Jupyter).
            pub fn evcxr_display(&self) {
                $crate::render::print_evcxr_blocks(&$crate::render::Render::mime_bundle(self));
            }
        }
    };
    ($($t:ty),+ $(,)?) => {
        $(
            impl $t {
                /// Prints this value's MIME bundle in evcxr's display convention (rich output in Jupyter).
                pub fn evcxr_display(&self) {
                    $crate::render::print_evcxr_blocks(&$crate::render::Render::mime_bundle(self));
                }
            }
        )+
    };
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

crate::impl_evcxr_display!(Table, Plot, Progress);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evcxr_blocks_follow_the_convention() {
        let b = MimeBundle::text("a\nb\n").with("text/html", "<i>x</i>");
        assert_eq!(
            b.to_evcxr_blocks(),
            "EVCXR_BEGIN_CONTENT text/html\n<i>x</i>\nEVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT text/plain\na\nb\nEVCXR_END_CONTENT\n"
        );
    }

    #[test]
    fn html_escaping_covers_markup_characters() {
        assert_eq!(escape_html(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
