//! Means and proportions with 95% confidence intervals.
//!
//! A simulation with random latencies gives a different answer for every seed, so a single run
//! proves little. Running many seeds and reporting *mean ± half-width of a 95% confidence
//! interval* says how sure the number is: if the experiment were repeated many times, about 95%
//! of such intervals would contain the true mean.
//!
//! * [`mean_ci95`] uses Student's t distribution, which matters for the small seed counts
//!   typical in a notebook: with 5 seeds the multiplier is 2.78, not 1.96.
//! * [`proportion_ci95`] uses the Wilson score interval, which behaves well near 0 and 1 (the
//!   textbook `p ± 1.96·√(p(1−p)/n)` gives an interval of width zero when no failure was seen).
//! * [`paired_difference_ci95`] and [`difference_ci95`] estimate the *effect of a change*, the
//!   difference between two settings. Paired means run `i` of both settings used the same seed
//!   (common random numbers): the luck the two runs share cancels in their difference, so the
//!   interval is much narrower than with independent seeds ([`difference_ci95`], Welch's t).
//!
//! ```
//! let e = distsim::stats::mean_ci95(&[1.0, 2.0, 3.0, 4.0])?;
//! assert_eq!(e.mean, 2.5);
//! assert!(e.lo < 2.5 && e.hi > 2.5);
//! let p = distsim::stats::proportion_ci95(25, 100)?;
//! assert_eq!(p.to_string(), "0.250 [0.175, 0.343] (95% CI, n=100)");
//! # Ok::<(), distsim::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::render::{escape_html, MimeBundle, Render};
use std::fmt;

/// A mean with its 95% confidence interval `[lo, hi]`, sample count and standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The point estimate (sample mean, or observed proportion).
    pub mean: f64,
    /// Lower end of the 95% confidence interval.
    pub lo: f64,
    /// Upper end of the 95% confidence interval.
    pub hi: f64,
    /// Number of samples (or trials).
    pub n: usize,
    /// Standard error of the mean (0 when `n == 1`: there is no spread to measure).
    pub std_err: f64,
}

/// The 0.975 quantile of Student's t for 1..=30 degrees of freedom.
const T_975: [f64; 30] = [
    12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139, 2.200985,
    2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873,
    2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272,
];

/// The 0.975 quantile of the standard normal distribution.
const Z_975: f64 = 1.959_963_984_540_054;

/// The two-sided 95% critical value of Student's t with `df` degrees of freedom.
///
/// Tabulated up to 30; above that, the Cornish–Fisher expansion around the normal quantile,
/// which is within 1e-5 of the exact value for `df > 30` (and tends to 1.96).
pub fn t_critical_95(df: usize) -> f64 {
    if df == 0 {
        return f64::INFINITY;
    }
    if df <= T_975.len() {
        return T_975[df - 1];
    }
    let (z, n) = (Z_975, df as f64);
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * n)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * n * n)
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * n * n * n)
}

/// Mean and 95% confidence interval (Student's t) of `samples`.
///
/// Errors on an empty slice and on NaN or infinite samples. With one sample the interval
/// collapses to the point (there is no spread to estimate) and `Display` says so.
pub fn mean_ci95(samples: &[f64]) -> Result<Estimate> {
    if samples.is_empty() {
        return Err(Error::empty("samples"));
    }
    if let Some((i, bad)) = samples.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(Error::invalid("samples", format!("samples[{i}] = {bad}"), "finite numbers (no NaN or infinity)"));
    }
    let n = samples.len();
    let mean = samples.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return Ok(Estimate { mean, lo: mean, hi: mean, n, std_err: 0.0 });
    }
    let variance = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let std_err = (variance / n as f64).sqrt();
    let half = t_critical_95(n - 1) * std_err;
    Ok(Estimate { mean, lo: mean - half, hi: mean + half, n, std_err })
}

/// Refuses NaN and infinite samples, naming the slice and the entry.
fn check_finite(name: &str, samples: &[f64]) -> Result<()> {
    match samples.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        Some((i, bad)) => {
            Err(Error::invalid(name, format!("{name}[{i}] = {bad}"), "finite numbers (no NaN or infinity)"))
        }
        None => Ok(()),
    }
}

/// The effect of going from setting `a` to setting `b`, measured with paired runs: `a[i]` and
/// `b[i]` came from the same seed. The mean of the differences `b[i] - a[i]` with its 95% interval
/// (Student's t over the differences). Refuses slices of different lengths or with NaN.
///
/// ```
/// use distsim::stats::{difference_ci95, paired_difference_ci95};
/// // Each pair shares its luck (the first number), and b is a steady 1.0 above a.
/// let a = [10.0, 14.0, 9.0, 12.0];
/// let b = [11.1, 14.9, 10.0, 13.0];
/// let paired = paired_difference_ci95(&a, &b)?;
/// let independent = difference_ci95(&a, &b)?;
/// assert!((paired.mean - 1.0).abs() < 1e-9 && (independent.mean - 1.0).abs() < 1e-9);
/// assert!(paired.half_width() < independent.half_width() / 10.0);
/// # Ok::<(), distsim::Error>(())
/// ```
pub fn paired_difference_ci95(a: &[f64], b: &[f64]) -> Result<Estimate> {
    if a.len() != b.len() {
        return Err(Error::invalid(
            "b",
            format!("{} samples", b.len()),
            format!("one sample per sample of `a` ({}), from the same seeds", a.len()),
        ));
    }
    check_finite("a", a)?;
    check_finite("b", b)?;
    let differences: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    mean_ci95(&differences)
}

/// The difference of means `mean(b) - mean(a)` of two independent samples (different seeds), with
/// Welch's 95% interval: each side keeps its own variance, and the degrees of freedom are
/// Welch–Satterthwaite's, rounded down (a slightly wider, safe interval). Each side needs at least
/// two samples. `n` of the estimate is the total sample count.
pub fn difference_ci95(a: &[f64], b: &[f64]) -> Result<Estimate> {
    for (name, s) in [("a", a), ("b", b)] {
        if s.len() < 2 {
            return Err(Error::invalid(name, format!("{} samples", s.len()), "at least 2 samples"));
        }
        check_finite(name, s)?;
    }
    let (ea, eb) = (mean_ci95(a)?, mean_ci95(b)?);
    let (va, vb) = (ea.std_err * ea.std_err, eb.std_err * eb.std_err);
    let std_err = (va + vb).sqrt();
    let df = if std_err == 0.0 {
        a.len() + b.len() - 2
    } else {
        let welch = (va + vb).powi(2) / (va * va / (a.len() - 1) as f64 + vb * vb / (b.len() - 1) as f64);
        (welch.floor() as usize).max(1)
    };
    let mean = eb.mean - ea.mean;
    let half = t_critical_95(df) * std_err;
    Ok(Estimate { mean, lo: mean - half, hi: mean + half, n: a.len() + b.len(), std_err })
}

/// Observed proportion `successes / n` with its 95% Wilson score interval.
pub fn proportion_ci95(successes: u64, n: u64) -> Result<Estimate> {
    if n == 0 {
        return Err(Error::empty("n (number of trials)"));
    }
    if successes > n {
        return Err(Error::invalid("successes", successes, format!("at most n = {n}")));
    }
    let nf = n as f64;
    let p = successes as f64 / nf;
    let z2 = Z_975 * Z_975;
    let denom = 1.0 + z2 / nf;
    let center = (p + z2 / (2.0 * nf)) / denom;
    let half = Z_975 * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt() / denom;
    // The Wilson interval always contains p, but at p = 0 or 1 rounding can leave an end a hair
    // on the wrong side (0.9999999999999998 for p = 1), which plots would then reject. Restore the
    // exact property; the interval stays inside [0, 1].
    Ok(Estimate {
        mean: p,
        lo: (center - half).max(0.0).min(p),
        hi: (center + half).min(1.0).max(p),
        n: n as usize,
        std_err: (p * (1.0 - p) / nf).sqrt(),
    })
}

impl Estimate {
    /// Half the width of the interval.
    pub fn half_width(&self) -> f64 {
        (self.hi - self.lo) / 2.0
    }
    /// Whether `x` lies in the interval.
    pub fn contains(&self, x: f64) -> bool {
        self.lo <= x && x <= self.hi
    }
    /// Whether the interval is symmetric around the mean (Student's t intervals are; Wilson's are not).
    fn is_symmetric(&self) -> bool {
        let scale = self.mean.abs().max(self.hi - self.lo).max(f64::MIN_POSITIVE);
        ((self.hi - self.mean) - (self.mean - self.lo)).abs() <= 1e-9 * scale
    }
    /// Decimals that show the half-width to two significant digits (at least 3 for values < 10).
    fn decimals(&self) -> usize {
        let half = self.half_width();
        if half > 0.0 && half.is_finite() { (1 - half.log10().floor() as i64).clamp(0, 12) as usize } else { 3 }
            .max(if self.mean.abs() < 10.0 { 3 } else { 0 })
    }
}

impl fmt::Display for Estimate {
    /// `0.250 ± 0.012 (95% CI, n=100)`, or `0.250 [0.175, 0.343] (95% CI, n=100)` for an
    /// asymmetric interval, or `3.000 (n=1, no CI)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.decimals();
        let n = self.n;
        if n == 1 {
            write!(f, "{:.d$} (n=1, no CI)", self.mean)
        } else if self.is_symmetric() {
            write!(f, "{:.d$} ± {:.d$} (95% CI, n={n})", self.mean, self.half_width())
        } else {
            write!(f, "{:.d$} [{:.d$}, {:.d$}] (95% CI, n={n})", self.mean, self.lo, self.hi)
        }
    }
}

impl Render for Estimate {
    fn mime_bundle(&self) -> MimeBundle {
        let text = self.to_string();
        MimeBundle::text(text.clone())
            .with("text/html", format!("<span class=\"distsim-estimate\">{}</span>", escape_html(&text)))
    }
}

impl From<Estimate> for crate::render::Value {
    /// An estimate in a table cell, as its `Display` text (`0.250 ± 0.012 (95% CI, n=100)`).
    fn from(e: Estimate) -> Self {
        crate::render::Value::Text(e.to_string())
    }
}

crate::impl_evcxr_display!(Estimate);

#[cfg(test)]
mod difference_tests {
    use super::*;

    #[test]
    fn paired_difference_is_the_t_interval_of_the_differences() {
        let a = [1.0, 5.0, 3.0];
        let b = [2.0, 7.0, 3.0]; // differences 1, 2, 0: mean 1, sd 1
        let e = paired_difference_ci95(&a, &b).unwrap();
        assert_eq!(e.mean, 1.0);
        assert_eq!(e.n, 3);
        let half = 4.302652729911275 / 3f64.sqrt(); // t(0.975, 2) * sd / sqrt(n)
        assert!((e.half_width() - half).abs() < 1e-6, "{}", e.half_width());
    }

    #[test]
    fn welch_interval_matches_a_hand_computation() {
        let a = [1.0, 2.0, 3.0, 4.0]; // mean 2.5, variance 5/3
        let b = [2.0, 4.0, 6.0]; // mean 4, variance 4
        let e = difference_ci95(&a, &b).unwrap();
        assert_eq!(e.mean, 1.5);
        let (va, vb) = (5.0 / 3.0 / 4.0, 4.0 / 3.0);
        assert!((e.std_err - f64::sqrt(va + vb)).abs() < 1e-12);
        // Welch–Satterthwaite: (va + vb)^2 / (va^2 / 3 + vb^2 / 2) = 3.12..., so 3 degrees of freedom.
        assert!((e.half_width() - 3.182446305284263 * e.std_err).abs() < 1e-6, "{}", e.half_width());
    }

    #[test]
    fn bad_inputs_name_the_side() {
        let e = paired_difference_ci95(&[1.0, 2.0], &[1.0]).unwrap_err().to_string();
        assert!(e.contains("`b`") && e.contains("(2)"), "{e}");
        let e = paired_difference_ci95(&[1.0, f64::NAN], &[1.0, 2.0]).unwrap_err().to_string();
        assert!(e.contains("a[1] = NaN"), "{e}");
        let e = difference_ci95(&[1.0, 2.0], &[3.0]).unwrap_err().to_string();
        assert!(e.contains("`b`") && e.contains("at least 2"), "{e}");
    }
}
