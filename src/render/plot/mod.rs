//! Charts, drawn as SVG with `plotters`.
//!
//! A [`Plot`] is plain data (a title, axis labels, a list of named series) until it is rendered,
//! so it can be kept in a notebook variable, extended in a later cell and rendered again. All
//! checking happens at render time: [`Plot::to_svg`] refuses NaN, empty series and log-scaled
//! values `<= 0` with an error naming the series and the rule, instead of drawing a misleading chart.
//!
//! ```
//! use distsim::prelude::*;
//! let plot = Plot::new("Latency vs load")
//!     .x_label("offered load")
//!     .y_label("p99 latency (ms)")
//!     .line("p99", vec![(0.1, 1.2), (0.5, 2.0), (0.9, 9.5)])
//!     .log_y();
//! let svg = plot.to_svg()?;
//! assert!(svg.starts_with("<svg"));
//! assert_eq!(svg, plot.to_svg()?); // byte-identical for identical input
//! # Ok::<(), distsim::Error>(())
//! ```
//!
//! Files: `mod.rs` (the builder), `check.rs` (validation and data preparation: histogram bins,
//! CDF steps), `axes.rs` (ranges, log scales, tick labels), `svg.rs` (drawing).

use super::{MimeBundle, Render};
use crate::error::{Error, Result};

mod axes;
mod check;
mod svg;

/// What a series draws.
#[derive(Clone, Debug, PartialEq)]
pub enum SeriesKind {
    /// Points joined by straight lines, in the order given.
    Line(Vec<(f64, f64)>),
    /// Unjoined points.
    Scatter(Vec<(f64, f64)>),
    /// One bar per category, categories in order of first appearance (several bar series
    /// sharing a plot are grouped side by side).
    Bar(Vec<(String, f64)>),
    /// A histogram of `values` in `bins` equal-width bins (equal width in log space on a log x axis).
    Histogram { values: Vec<f64>, bins: usize },
    /// The empirical cumulative distribution of `values`: a step line from 0 to 1.
    Cdf(Vec<f64>),
    /// Points `(x, y)` with a vertical bar from `lo` to `hi`: `(x, y, lo, hi)`.
    ErrorBars(Vec<(f64, f64, f64, f64)>),
    /// Like [`SeriesKind::ErrorBars`], with the points also joined by a line (one colour, one
    /// legend entry): a mean and its confidence interval.
    ErrorLine(Vec<(f64, f64, f64, f64)>),
}

impl SeriesKind {
    /// A short name for summaries: `line`, `scatter`, `bar`, `histogram`, `cdf`, `error bars`.
    pub fn name(&self) -> &'static str {
        match self {
            SeriesKind::Line(_) => "line",
            SeriesKind::Scatter(_) => "scatter",
            SeriesKind::Bar(_) => "bar",
            SeriesKind::Histogram { .. } => "histogram",
            SeriesKind::Cdf(_) => "cdf",
            SeriesKind::ErrorBars(_) => "error bars",
            SeriesKind::ErrorLine(_) => "line with error bars",
        }
    }

    /// The number of data items (points, bars or values).
    pub fn len(&self) -> usize {
        match self {
            SeriesKind::Line(p) | SeriesKind::Scatter(p) => p.len(),
            SeriesKind::Bar(b) => b.len(),
            SeriesKind::Histogram { values, .. } | SeriesKind::Cdf(values) => values.len(),
            SeriesKind::ErrorBars(e) | SeriesKind::ErrorLine(e) => e.len(),
        }
    }

    /// Whether the series has no data.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One named series of a plot (the name is its legend entry).
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// Legend entry; also names the series in errors.
    pub name: String,
    /// The data and how to draw it.
    pub kind: SeriesKind,
}

/// A chart: title, axis labels, optional log axes and any number of named series.
#[derive(Clone, Debug, PartialEq)]
pub struct Plot {
    title: String,
    x_label: String,
    y_label: String,
    log_x: bool,
    log_y: bool,
    width: u32,
    height: u32,
    series: Vec<Series>,
}

impl Plot {
    /// An empty plot, 720×440 pixels.
    pub fn new(title: impl Into<String>) -> Self {
        Plot {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            log_x: false,
            log_y: false,
            width: 720,
            height: 440,
            series: Vec::new(),
        }
    }

    /// Labels the x axis.
    #[must_use]
    pub fn x_label(mut self, label: impl Into<String>) -> Self {
        self.x_label = label.into();
        self
    }
    /// Labels the y axis.
    #[must_use]
    pub fn y_label(mut self, label: impl Into<String>) -> Self {
        self.y_label = label.into();
        self
    }
    /// A logarithmic x axis (every x must then be > 0).
    #[must_use]
    pub fn log_x(mut self) -> Self {
        self.log_x = true;
        self
    }
    /// A logarithmic y axis (every y must then be > 0).
    #[must_use]
    pub fn log_y(mut self) -> Self {
        self.log_y = true;
        self
    }
    /// The image size in pixels (legend included); each side must be in 200..=4000.
    #[must_use]
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }
    fn push(mut self, name: impl Into<String>, kind: SeriesKind) -> Self {
        self.series.push(Series { name: name.into(), kind });
        self
    }
    /// Adds a line through `points` (in the order given).
    #[must_use]
    pub fn line(self, name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        self.push(name, SeriesKind::Line(points))
    }
    /// Adds unjoined points.
    #[must_use]
    pub fn scatter(self, name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        self.push(name, SeriesKind::Scatter(points))
    }
    /// Adds a bar per `(category, value)`. Bars cannot share a plot with numeric-x series.
    #[must_use]
    pub fn bar(self, name: impl Into<String>, bars: Vec<(String, f64)>) -> Self {
        self.push(name, SeriesKind::Bar(bars))
    }
    /// Adds a histogram of `values` in `bins` bins (at least 1).
    #[must_use]
    pub fn histogram(self, name: impl Into<String>, values: Vec<f64>, bins: usize) -> Self {
        self.push(name, SeriesKind::Histogram { values, bins })
    }
    /// Adds the empirical CDF of `values`.
    #[must_use]
    pub fn cdf(self, name: impl Into<String>, values: Vec<f64>) -> Self {
        self.push(name, SeriesKind::Cdf(values))
    }
    /// Adds points with error bars: `(x, y, lo, hi)` with `lo <= y <= hi`.
    #[must_use]
    pub fn error_bars(self, name: impl Into<String>, bars: Vec<(f64, f64, f64, f64)>) -> Self {
        self.push(name, SeriesKind::ErrorBars(bars))
    }

    /// Adds a line through `(x, y)` with error bars from `lo` to `hi`, in one colour: the usual
    /// picture of a mean and its confidence interval.
    #[must_use]
    pub fn line_with_error_bars(self, name: impl Into<String>, points: Vec<(f64, f64, f64, f64)>) -> Self {
        self.push(name, SeriesKind::ErrorLine(points))
    }

    /// The title.
    pub fn title_text(&self) -> &str {
        &self.title
    }
    /// The series, in the order added.
    pub fn series(&self) -> &[Series] {
        &self.series
    }
    /// Total data items over all series.
    pub fn point_count(&self) -> usize {
        self.series.iter().map(|s| s.kind.len()).sum()
    }

    /// One line: title, kinds, number of series and of points, e.g.
    /// `Plot "Latency": line+error bars, 2 series, 20 points, log y`.
    pub fn summary(&self) -> String {
        let mut kinds: Vec<&str> = Vec::new();
        for s in &self.series {
            if !kinds.contains(&s.kind.name()) {
                kinds.push(s.kind.name());
            }
        }
        let kinds = if kinds.is_empty() { "empty".to_string() } else { kinds.join("+") };
        let axes = match (self.log_x, self.log_y) {
            (true, true) => ", log x and y",
            (true, false) => ", log x",
            (false, true) => ", log y",
            (false, false) => "",
        };
        format!("Plot {:?}: {kinds}, {} series, {} points{axes}", self.title, self.series.len(), self.point_count())
    }

    /// The chart as an SVG document. Same input, same bytes.
    pub fn to_svg(&self) -> Result<String> {
        let prepared = check::prepare(self)?;
        svg::draw(self, &prepared)
    }

    /// Writes [`Plot::to_svg`] to `path`.
    pub fn save_svg(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        let svg = self.to_svg()?;
        let path = path.as_ref();
        std::fs::write(path, svg).map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })
    }
}

impl Render for Plot {
    /// `text/plain` is the one-line summary; `image/svg+xml` the chart. A plot that cannot be
    /// drawn (bad data) shows the error in `text/plain` instead of failing the cell.
    fn mime_bundle(&self) -> MimeBundle {
        match self.to_svg() {
            Ok(svg) => MimeBundle::text(self.summary()).with("image/svg+xml", svg),
            Err(e) => MimeBundle::text(format!("{} (cannot draw: {e})", self.summary())),
        }
    }
}

impl std::fmt::Display for Plot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}
