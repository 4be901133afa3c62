//! Drawing a prepared plot with `plotters`' SVG backend.
//!
//! Determinism: the backend writes integer pixel coordinates and no ids, colours come from a
//! fixed palette by series index, and tick labels go through [`tick_label`], so the same plot
//! always gives the same bytes. Text uses the generic `sans-serif` family, which every browser
//! resolves to some installed font; no font file is read at render time (plotters is built
//! without its `ttf` feature and estimates text widths from the character count).
//!
//! The legend is drawn in its own column to the right of the chart rather than inside it, so it
//! can never hide data.

use super::axes::{log_ticks, tick_label};
use super::check::{Prepared, Shape};
use super::Plot;
use crate::error::{Error, Result};
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A colour-blind-friendly qualitative palette (Okabe–Ito, with black last), cycled by series index.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
];

const FONT: &str = "sans-serif";
const LEGEND_FONT_PX: u32 = 14;
/// Longest series name shown in full in the legend.
const LEGEND_MAX_CHARS: usize = 28;
/// Lines with at most this many points also get a marker on each point.
const LINE_MARKERS_UP_TO: usize = 40;

fn color(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

fn draw_err(e: impl std::fmt::Display) -> Error {
    Error::Io { path: "(SVG in memory)".into(), message: e.to_string() }
}

fn legend_name(name: &str) -> String {
    if name.chars().count() <= LEGEND_MAX_CHARS {
        name.to_string()
    } else {
        let cut: String = name.chars().take(LEGEND_MAX_CHARS - 1).collect();
        format!("{cut}…")
    }
}

/// Draws `plot` (already checked and prepared) into an SVG string.
pub(super) fn draw(plot: &Plot, prep: &Prepared) -> Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (plot.width, plot.height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let longest = prep.shapes.iter().map(|(n, _)| legend_name(n).chars().count()).max().unwrap_or(0);
        // Width estimate: ~0.6 em per character plus the sample swatch and gaps.
        let legend_width = ((longest as u32 * LEGEND_FONT_PX * 6 / 10) + 50).clamp(80, plot.width / 3);
        let (chart_area, legend_area) = root.split_horizontally(plot.width - legend_width);
        let (x, y) = (prep.x_range, prep.y_range);
        let log_axis = |(lo, hi): (f64, f64)| {
            let (bold, light) = log_ticks(lo, hi);
            (lo..hi).log_scale().with_key_points(bold).with_light_points(light)
        };
        match (plot.log_x, plot.log_y) {
            (false, false) => draw_chart(&chart_area, plot, prep, x.0..x.1, y.0..y.1)?,
            (true, false) => draw_chart(&chart_area, plot, prep, log_axis(x), y.0..y.1)?,
            (false, true) => draw_chart(&chart_area, plot, prep, x.0..x.1, log_axis(y))?,
            (true, true) => draw_chart(&chart_area, plot, prep, log_axis(x), log_axis(y))?,
        }
        draw_legend(&legend_area, prep)?;
        root.present().map_err(draw_err)?;
    }
    Ok(out)
}

fn draw_chart<X, Y>(area: &DrawingArea<SVGBackend<'_>, Shift>, plot: &Plot, prep: &Prepared, xs: X, ys: Y) -> Result<()>
where
    X: AsRangedCoord<Value = f64>,
    Y: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
    Y::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(area)
        .caption(&plot.title, (FONT, 20))
        .margin(12)
        .x_label_area_size(if plot.x_label.is_empty() { 30 } else { 50 })
        .y_label_area_size(if plot.y_label.is_empty() { 55 } else { 70 })
        .build_cartesian_2d(xs, ys)
        .map_err(draw_err)?;

    let categories = prep.categories.clone();
    let x_fmt = move |v: &f64| match &categories {
        Some(names) => {
            let slot = v.round();
            if (v - slot).abs() < 1e-6 && slot >= 0.0 && (slot as usize) < names.len() {
                names[slot as usize].clone()
            } else {
                String::new()
            }
        }
        None => tick_label(*v),
    };
    let y_fmt = |v: &f64| tick_label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(plot.x_label.as_str())
        .y_desc(plot.y_label.as_str())
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .max_light_lines(1)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .light_line_style(RGBColor(242, 242, 242))
        .bold_line_style(RGBColor(210, 210, 210));
    if let Some(names) = &prep.categories {
        mesh.disable_x_mesh().x_labels(names.len() + 1);
    }
    mesh.draw().map_err(draw_err)?;

    for (index, (_, shape)) in prep.shapes.iter().enumerate() {
        let c = color(index);
        match shape {
            Shape::Line(points) => {
                chart.draw_series(LineSeries::new(points.iter().copied(), c.stroke_width(2))).map_err(draw_err)?;
                if points.len() <= LINE_MARKERS_UP_TO {
                    chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled()))).map_err(draw_err)?;
                }
            }
            Shape::Points(points) => {
                chart.draw_series(points.iter().map(|&p| Circle::new(p, 3, c.filled()))).map_err(draw_err)?;
            }
            Shape::Rects(rects) => {
                chart
                    .draw_series(
                        rects
                            .iter()
                            .map(|&(x0, y0, x1, y1)| Rectangle::new([(x0, y0), (x1, y1)], c.mix(0.75).filled())),
                    )
                    .map_err(draw_err)?;
                // A white outline keeps adjacent histogram bins visibly separate.
                chart
                    .draw_series(
                        rects
                            .iter()
                            .map(|&(x0, y0, x1, y1)| Rectangle::new([(x0, y0), (x1, y1)], WHITE.stroke_width(1))),
                    )
                    .map_err(draw_err)?;
            }
            Shape::ErrorBars { bars, joined } => {
                if *joined {
                    chart
                        .draw_series(LineSeries::new(bars.iter().map(|&(x, y, _, _)| (x, y)), c.stroke_width(2)))
                        .map_err(draw_err)?;
                }
                chart
                    .draw_series(
                        bars.iter().map(|&(x, y, lo, hi)| ErrorBar::new_vertical(x, lo, y, hi, c.stroke_width(2), 8)),
                    )
                    .map_err(draw_err)?;
                chart
                    .draw_series(bars.iter().map(|&(x, y, _, _)| Circle::new((x, y), 3, c.filled())))
                    .map_err(draw_err)?;
            }
        }
    }
    Ok(())
}

/// One row per series: a swatch in the series' colour and shape, then its name.
fn draw_legend(area: &DrawingArea<SVGBackend<'_>, Shift>, prep: &Prepared) -> Result<()> {
    let top = 50;
    let row = 22;
    let font = (FONT, LEGEND_FONT_PX).into_font().color(&BLACK);
    for (index, (name, shape)) in prep.shapes.iter().enumerate() {
        let c = color(index);
        let y = top + row * index as i32;
        let (x0, x1) = (6, 28);
        match shape {
            Shape::Line(_) => area.draw(&PathElement::new(vec![(x0, y), (x1, y)], c.stroke_width(2))),
            Shape::Points(_) => area.draw(&Circle::new(((x0 + x1) / 2, y), 4, c.filled())),
            Shape::Rects(_) => area.draw(&Rectangle::new([(x0 + 4, y - 6), (x1 - 4, y + 6)], c.mix(0.75).filled())),
            Shape::ErrorBars { joined, .. } => area
                .draw(&PathElement::new(vec![((x0 + x1) / 2, y - 7), ((x0 + x1) / 2, y + 7)], c.stroke_width(2)))
                .and_then(|_| area.draw(&Circle::new(((x0 + x1) / 2, y), 3, c.filled())))
                .and_then(|_| {
                    if *joined {
                        area.draw(&PathElement::new(vec![(x0, y), (x1, y)], c.stroke_width(2)))
                    } else {
                        Ok(())
                    }
                }),
        }
        .map_err(draw_err)?;
        area.draw(&Text::new(legend_name(name), (x1 + 6, y - 7), font.clone())).map_err(draw_err)?;
    }
    Ok(())
}
