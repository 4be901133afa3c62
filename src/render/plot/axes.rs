//! Axis ranges, log scales and tick labels.

use super::check::Shape;

/// Placeholder y for the bottom of bars and histogram bins: 0 on a linear axis, the bottom of
/// the axis on a log axis (where 0 does not exist). Replaced by [`settle_baselines`].
pub(super) const BASELINE: f64 = f64::NEG_INFINITY;

/// Share of the data span added on each side, so that markers do not sit on the frame.
const PAD: f64 = 0.05;

/// The x and y ranges that show every shape, padded; `log_*` ranges are padded in log space.
pub(super) fn ranges(shapes: &[(String, Shape)], log_x: bool, log_y: bool) -> ((f64, f64), (f64, f64)) {
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    let mut has_bars = false;
    for (_, shape) in shapes {
        match shape {
            Shape::Line(p) | Shape::Points(p) => p.iter().for_each(|&(x, y)| {
                xs.push(x);
                ys.push(y);
            }),
            Shape::Rects(r) => {
                has_bars = true;
                r.iter().for_each(|&(x0, _, x1, top)| {
                    xs.extend([x0, x1]);
                    ys.push(top);
                })
            }
            Shape::ErrorBars { bars: e, .. } => e.iter().for_each(|&(x, _, lo, hi)| {
                xs.push(x);
                ys.extend([lo, hi]);
            }),
        }
    }
    // Bars grow from zero, so a linear y axis must include it.
    if has_bars && !log_y {
        ys.push(0.0);
    }
    (padded(&xs, log_x), padded(&ys, log_y))
}

fn padded(values: &[f64], log: bool) -> (f64, f64) {
    let map = |v: f64| if log { v.log10() } else { v };
    let lo = values.iter().copied().map(map).fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().map(map).fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if !lo.is_finite() || !hi.is_finite() {
        (0.0, 1.0)
    } else if hi > lo {
        let pad = (hi - lo) * PAD;
        // A linear axis whose data starts exactly at 0 (counts, probabilities) starts at 0.
        let lo = if !log && lo == 0.0 { 0.0 } else { lo - pad };
        (lo, hi + pad)
    } else if log {
        (lo - 0.5, hi + 0.5)
    } else {
        let pad = if lo == 0.0 { 1.0 } else { lo.abs() * 0.1 };
        (lo - pad, hi + pad)
    };
    if log {
        (10f64.powf(lo), 10f64.powf(hi))
    } else {
        (lo, hi)
    }
}

/// Replaces [`BASELINE`] by the real bottom of each bar.
pub(super) fn settle_baselines(shapes: Vec<(String, Shape)>, y_range: (f64, f64), log_y: bool) -> Vec<(String, Shape)> {
    let base = if log_y { y_range.0 } else { 0.0 };
    shapes
        .into_iter()
        .map(|(name, shape)| match shape {
            Shape::Rects(r) => (
                name,
                Shape::Rects(
                    r.into_iter()
                        .map(|(x0, y0, x1, y1)| (x0, if y0 == BASELINE { base } else { y0 }, x1, y1))
                        .collect(),
                ),
            ),
            other => (name, other),
        })
        .collect()
}

/// Tick positions for a log axis over `[lo, hi]` (both > 0): `(labelled, unlabelled grid lines)`.
///
/// We pick them ourselves because plotters' own choice for log axes can repeat a decade
/// boundary (two overlapping `10` labels). Under one decade: every `m·10^k` is labelled;
/// up to three decades: `1, 2, 5·10^k`; up to six: powers of ten, with `2..9·10^k` as light
/// grid lines; wider: every
/// k-th power of ten, at most about six labels.
pub(super) fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let first = lo.log10().floor() as i32;
    let last = hi.log10().ceil() as i32;
    let span = last - first;
    let inside = |v: &f64| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9);
    let multiples = |ms: &[f64]| -> Vec<f64> {
        (first..=last).flat_map(|k| ms.iter().map(move |m| m * 10f64.powi(k))).filter(inside).collect()
    };
    if span <= 1 {
        (multiples(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]), Vec::new())
    } else if span <= 3 {
        (multiples(&[1.0, 2.0, 5.0]), multiples(&[3.0, 4.0, 6.0, 7.0, 8.0, 9.0]))
    } else if span <= 6 {
        (multiples(&[1.0]), multiples(&[2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]))
    } else {
        let step = ((span + 5) / 6).max(1);
        let bold = (first..=last).step_by(step as usize).map(|k| 10f64.powi(k)).filter(inside).collect();
        (bold, Vec::new())
    }
}

/// A short, stable tick label: `0`, `0.25`, `1500`, `1e6`, `2.5e-4`.
///
/// Rounded to six significant decimals first so that float noise (`0.30000000000000004`)
/// never reaches the picture.
pub(crate) fn tick_label(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return if v.is_finite() { "0".into() } else { v.to_string() };
    }
    let magnitude = v.abs();
    if !(1e-3..1e6).contains(&magnitude) {
        let text = format!("{v:.2e}");
        let (mantissa, exponent) = text.split_once('e').expect("`e` format has an exponent");
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let text = format!("{v:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_are_short_and_free_of_float_noise() {
        assert_eq!(tick_label(0.1 + 0.2), "0.3");
        assert_eq!(tick_label(1500.0), "1500");
        assert_eq!(tick_label(1e6), "1e6");
        assert_eq!(tick_label(0.00025), "2.5e-4");
        assert_eq!(tick_label(-2.0), "-2");
    }

    #[test]
    fn log_ticks_never_repeat_a_value() {
        for (lo, hi) in [(0.9, 22.0), (1.0, 1e9), (0.002, 0.009), (3.0, 3000.0)] {
            let (bold, light) = log_ticks(lo, hi);
            assert!(!bold.is_empty(), "{lo}..{hi}");
            let mut all: Vec<String> = bold.iter().chain(&light).map(|v| tick_label(*v)).collect();
            let n = all.len();
            all.dedup();
            assert_eq!(all.len(), n, "{lo}..{hi}: {all:?}");
        }
    }

    #[test]
    fn log_ranges_pad_in_log_space() {
        let (lo, hi) = padded(&[1.0, 100.0], true);
        assert!(lo < 1.0 && lo > 0.7 && hi > 100.0 && hi < 130.0, "{lo} {hi}");
        let (lo, hi) = padded(&[5.0, 5.0], false);
        assert!(lo < 5.0 && hi > 5.0);
    }
}
