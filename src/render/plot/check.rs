//! Validation and data preparation: everything that can be wrong with a plot's data is found
//! here, before any drawing, and every series becomes simple shapes (polylines, points,
//! rectangles, error bars) in data coordinates.

use super::{axes, Plot, SeriesKind};
use crate::error::{Error, Result};

/// A series reduced to what the drawing code understands.
#[derive(Clone, Debug)]
pub(super) enum Shape {
    /// A polyline (lines and CDF steps).
    Line(Vec<(f64, f64)>),
    /// Separate markers.
    Points(Vec<(f64, f64)>),
    /// Filled rectangles `(x0, y0, x1, y1)` (bars, histogram bins).
    Rects(Vec<(f64, f64, f64, f64)>),
    /// `(x, y, lo, hi)`; `joined` also draws a line through the points.
    ErrorBars { bars: Vec<(f64, f64, f64, f64)>, joined: bool },
}

/// A plot ready to draw: shapes, axis ranges, and bar categories if it is a bar chart.
#[derive(Clone, Debug)]
pub(super) struct Prepared {
    pub shapes: Vec<(String, Shape)>,
    pub x_range: (f64, f64),
    pub y_range: (f64, f64),
    /// Category names along x for bar charts (bars sit at x = 0, 1, 2, …).
    pub categories: Option<Vec<String>>,
}

const MIN_SIDE: u32 = 200;
const MAX_SIDE: u32 = 4000;
const MAX_BINS: usize = 10_000;

fn series_param(name: &str) -> String {
    format!("series {name:?}")
}

fn check_finite(name: &str, what: &str, index: usize, values: &[f64]) -> Result<()> {
    if values.iter().all(|v| v.is_finite()) {
        return Ok(());
    }
    let shown: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    Err(Error::invalid(
        series_param(name),
        format!("{what} {index} = ({})", shown.join(", ")),
        "finite numbers (no NaN or infinity)",
    ))
}

fn check_positive(name: &str, axis: &str, value: f64) -> Result<()> {
    if value > 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(series_param(name), format!("{axis} = {value}"), format!("{axis} > 0 on a log {axis} axis")))
    }
}

/// Checks `plot` and turns its series into shapes.
pub(super) fn prepare(plot: &Plot) -> Result<Prepared> {
    for (side, value) in [("size.width", plot.width), ("size.height", plot.height)] {
        if !(MIN_SIDE..=MAX_SIDE).contains(&value) {
            return Err(Error::invalid(side, value, format!("{MIN_SIDE}..={MAX_SIDE} pixels")));
        }
    }
    if plot.series.is_empty() {
        return Err(Error::empty(format!("series of plot {:?} (add one with .line(), .bar(), …)", plot.title)));
    }
    let bar_count = plot.series.iter().filter(|s| matches!(s.kind, SeriesKind::Bar(_))).count();
    if bar_count > 0 && bar_count < plot.series.len() {
        let odd = plot.series.iter().find(|s| !matches!(s.kind, SeriesKind::Bar(_))).expect("a non-bar series exists");
        return Err(Error::invalid(
            series_param(&odd.name),
            format!("a {} series in a bar chart", odd.kind.name()),
            "bar series only share a plot with other bar series (categories on x)",
        ));
    }
    for s in &plot.series {
        if s.kind.is_empty() {
            return Err(Error::empty(series_param(&s.name)));
        }
    }
    if bar_count > 0 {
        return prepare_bars(plot);
    }
    let mut shapes = Vec::new();
    for s in &plot.series {
        let name = s.name.as_str();
        let shape = match &s.kind {
            SeriesKind::Line(points) | SeriesKind::Scatter(points) => {
                for (i, &(x, y)) in points.iter().enumerate() {
                    check_point(plot, name, "point", i, &[x, y], x, &[y])?;
                }
                if matches!(s.kind, SeriesKind::Line(_)) {
                    Shape::Line(points.clone())
                } else {
                    Shape::Points(points.clone())
                }
            }
            SeriesKind::ErrorBars(bars) | SeriesKind::ErrorLine(bars) => {
                for (i, &(x, y, lo, hi)) in bars.iter().enumerate() {
                    check_point(plot, name, "error bar", i, &[x, y, lo, hi], x, &[y, lo, hi])?;
                    if !(lo <= y && y <= hi) {
                        return Err(Error::invalid(
                            series_param(name),
                            format!("error bar {i} = ({x}, {y}, {lo}, {hi})"),
                            "lo <= y <= hi",
                        ));
                    }
                }
                Shape::ErrorBars { bars: bars.clone(), joined: matches!(s.kind, SeriesKind::ErrorLine(_)) }
            }
            SeriesKind::Cdf(values) => {
                for (i, &v) in values.iter().enumerate() {
                    check_point(plot, name, "value", i, &[v], v, &[])?;
                }
                Shape::Line(cdf_steps(values))
            }
            SeriesKind::Histogram { values, bins } => {
                if *bins == 0 || *bins > MAX_BINS {
                    return Err(Error::invalid(format!("series {name:?} bins"), bins, format!("1..={MAX_BINS} bins")));
                }
                for (i, &v) in values.iter().enumerate() {
                    check_point(plot, name, "value", i, &[v], v, &[])?;
                }
                Shape::Rects(histogram_rects(values, *bins, plot.log_x))
            }
            SeriesKind::Bar(_) => unreachable!("bar charts are prepared separately"),
        };
        shapes.push((s.name.clone(), shape));
    }
    // Histogram bins with a count of zero are not drawn at all, so a log y axis never sees them.
    let (x_range, y_range) = axes::ranges(&shapes, plot.log_x, plot.log_y);
    let shapes = axes::settle_baselines(shapes, y_range, plot.log_y);
    Ok(Prepared { shapes, x_range, y_range, categories: None })
}

/// Finite checks for every number, and log-axis checks for `x` and each of `ys`.
fn check_point(plot: &Plot, name: &str, what: &str, index: usize, all: &[f64], x: f64, ys: &[f64]) -> Result<()> {
    check_finite(name, what, index, all)?;
    if plot.log_x {
        check_positive(name, "x", x)?;
    }
    if plot.log_y {
        for &y in ys {
            check_positive(name, "y", y)?;
        }
    }
    Ok(())
}

fn prepare_bars(plot: &Plot) -> Result<Prepared> {
    if plot.log_x {
        return Err(Error::invalid("log_x", "true", "a numeric x axis (a bar chart's x axis holds categories)"));
    }
    let mut categories: Vec<String> = Vec::new();
    for s in &plot.series {
        if let SeriesKind::Bar(bars) = &s.kind {
            for (i, (label, v)) in bars.iter().enumerate() {
                check_finite(&s.name, "bar", i, &[*v])?;
                if plot.log_y {
                    check_positive(&s.name, "y", *v)?;
                }
                if !categories.contains(label) {
                    categories.push(label.clone());
                }
            }
        }
    }
    // Bars of one category share 80% of a unit-wide slot, side by side in series order.
    let group = plot.series.len() as f64;
    let bar_width = 0.8 / group;
    let mut shapes = Vec::new();
    for (k, s) in plot.series.iter().enumerate() {
        if let SeriesKind::Bar(bars) = &s.kind {
            let rects = bars
                .iter()
                .map(|(label, v)| {
                    let slot = categories.iter().position(|c| c == label).expect("collected above") as f64;
                    let x0 = slot - 0.4 + k as f64 * bar_width;
                    (x0, axes::BASELINE, x0 + bar_width, *v)
                })
                .collect();
            shapes.push((s.name.clone(), Shape::Rects(rects)));
        }
    }
    let (_, y_range) = axes::ranges(&shapes, false, plot.log_y);
    let x_range = (-0.5, categories.len() as f64 - 0.5);
    let shapes = axes::settle_baselines(shapes, y_range, plot.log_y);
    Ok(Prepared { shapes, x_range, y_range, categories: Some(categories) })
}

/// The empirical CDF as a step polyline: at each sorted value the curve jumps by 1/n.
fn cdf_steps(values: &[f64]) -> Vec<(f64, f64)> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let mut steps = Vec::with_capacity(sorted.len() * 2);
    for (i, &v) in sorted.iter().enumerate() {
        steps.push((v, i as f64 / n));
        steps.push((v, (i + 1) as f64 / n));
    }
    steps
}

/// Equal-width bins over `[min, max]` (equal width in log10 space for a log x axis); empty bins
/// are left out. Each bin is a rectangle from the baseline to its count.
fn histogram_rects(values: &[f64], bins: usize, log_x: bool) -> Vec<(f64, f64, f64, f64)> {
    let to_axis = |v: f64| if log_x { v.log10() } else { v };
    let from_axis = |v: f64| if log_x { 10f64.powf(v) } else { v };
    let lo = values.iter().copied().map(to_axis).fold(f64::INFINITY, f64::min);
    let mut hi = values.iter().copied().map(to_axis).fold(f64::NEG_INFINITY, f64::max);
    if hi <= lo {
        hi = lo + 1.0;
    }
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u64; bins];
    for &v in values {
        let slot = (((to_axis(v) - lo) / width) as usize).min(bins - 1);
        counts[slot] += 1;
    }
    counts
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 0)
        .map(|(i, &c)| {
            (from_axis(lo + i as f64 * width), axes::BASELINE, from_axis(lo + (i + 1) as f64 * width), c as f64)
        })
        .collect()
}
