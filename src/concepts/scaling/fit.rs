//! Amdahl's law and the Universal Scalability Law, and least-squares fits of both.
//!
//! Both laws describe throughput `X(N)` on `N` nodes relative to one node's `λ`:
//!
//! * Amdahl: `X(N) = λN / (1 + σ(N − 1))`. A fraction `σ` of the work is serial (a lock, a leader),
//!   so throughput creeps up towards `λ/σ` but never falls.
//! * USL (Gunther): `X(N) = λN / (1 + σ(N − 1) + κN(N − 1))`. The extra `κ` term is *coherence*:
//!   every pair of nodes must exchange something, so the cost grows like `N²`. Throughput peaks at
//!   `N* = √((1 − σ)/κ)` and then falls: adding machines makes the system slower.
//!
//! Fitting trick: `N/X = (1 − σ)/λ + (σ − κ)N/λ + κN²/λ` is a quadratic in `N`, so an ordinary
//! least-squares fit of `N/X` on `(1, N, N²)` gives all three parameters without knowing `X(1)`
//! (Amdahl is the same with the `N²` term left out).

use crate::error::{Error, Result};
use crate::rng::{stream, Stream};
use crate::validate;
use rand::Rng;

/// Amdahl throughput on `n` nodes.
pub fn amdahl_throughput(n: f64, lambda: f64, sigma: f64) -> f64 {
    lambda * n / (1.0 + sigma * (n - 1.0))
}

/// USL throughput on `n` nodes.
pub fn usl_throughput(n: f64, lambda: f64, sigma: f64, kappa: f64) -> f64 {
    lambda * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))
}

/// A fitted USL curve.
#[derive(Clone, Debug, PartialEq)]
pub struct UslFit {
    /// Throughput of one node, λ.
    pub lambda: f64,
    /// Contention σ.
    pub sigma: f64,
    /// Coherence κ.
    pub kappa: f64,
    /// Coefficient of determination of the fit on throughput (1 = perfect).
    pub r_squared: f64,
}

impl UslFit {
    /// Predicted throughput on `n` nodes.
    pub fn predict(&self, n: f64) -> f64 {
        usl_throughput(n, self.lambda, self.sigma, self.kappa)
    }
    /// The node count of peak throughput, `√((1 − σ)/κ)`; `None` when κ ≤ 0 (no peak).
    pub fn peak_nodes(&self) -> Option<f64> {
        (self.kappa > 0.0 && self.sigma < 1.0).then(|| ((1.0 - self.sigma) / self.kappa).sqrt())
    }
}

/// A fitted Amdahl curve.
#[derive(Clone, Debug, PartialEq)]
pub struct AmdahlFit {
    /// Throughput of one node, λ.
    pub lambda: f64,
    /// Serial fraction σ.
    pub sigma: f64,
    /// Coefficient of determination of the fit on throughput.
    pub r_squared: f64,
}

impl AmdahlFit {
    /// Predicted throughput on `n` nodes.
    pub fn predict(&self, n: f64) -> f64 {
        amdahl_throughput(n, self.lambda, self.sigma)
    }
}

fn check_points(points: &[(f64, f64)], min: usize) -> Result<()> {
    if points.is_empty() {
        return Err(Error::empty("points"));
    }
    validate::at_least("points.len()", points.len(), min)?;
    for &(n, x) in points {
        validate::in_range("points.nodes", n, 1.0, 1e9)?;
        validate::positive("points.throughput", x)?;
    }
    Ok(())
}

fn r_squared(points: &[(f64, f64)], predict: impl Fn(f64) -> f64) -> f64 {
    let mean = points.iter().map(|p| p.1).sum::<f64>() / points.len() as f64;
    let ss_tot: f64 = points.iter().map(|p| (p.1 - mean).powi(2)).sum();
    let ss_res: f64 = points.iter().map(|p| (p.1 - predict(p.0)).powi(2)).sum();
    if ss_tot > 0.0 {
        1.0 - ss_res / ss_tot
    } else {
        1.0
    }
}

/// Solves the normal equations of least squares with `k` regressors (Gaussian elimination with
/// partial pivoting). `None` when the design is singular (e.g. too few distinct node counts).
fn least_squares(rows: &[(Vec<f64>, f64)], k: usize) -> Option<Vec<f64>> {
    let mut a = vec![vec![0.0; k + 1]; k];
    for (x, y) in rows {
        for i in 0..k {
            for j in 0..k {
                a[i][j] += x[i] * x[j];
            }
            a[i][k] += x[i] * y;
        }
    }
    for col in 0..k {
        let pivot = (col..k).max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs()))?;
        a.swap(col, pivot);
        let scale = a[col][col];
        if scale.abs() < 1e-300 {
            return None;
        }
        for row in 0..k {
            if row != col {
                let f = a[row][col] / scale;
                for c in col..=k {
                    a[row][c] -= f * a[col][c];
                }
            }
        }
    }
    Some((0..k).map(|i| a[i][k] / a[i][i]).collect())
}

/// Fits the USL to `(nodes, throughput)` points (at least 3 distinct node counts).
pub fn fit_usl(points: &[(f64, f64)]) -> Result<UslFit> {
    check_points(points, 3)?;
    let rows: Vec<_> = points.iter().map(|&(n, x)| (vec![1.0, n, n * n], n / x)).collect();
    let c = least_squares(&rows, 3)
        .ok_or_else(|| Error::invalid("points", "singular", "at least 3 distinct node counts"))?;
    let lambda = 1.0 / (c[0] + c[1] + c[2]);
    let (sigma, kappa) = ((c[1] + c[2]) * lambda, c[2] * lambda);
    let r2 = r_squared(points, |n| usl_throughput(n, lambda, sigma, kappa));
    Ok(UslFit { lambda, sigma, kappa, r_squared: r2 })
}

/// Fits Amdahl's law to `(nodes, throughput)` points (at least 2 distinct node counts).
pub fn fit_amdahl(points: &[(f64, f64)]) -> Result<AmdahlFit> {
    check_points(points, 2)?;
    let rows: Vec<_> = points.iter().map(|&(n, x)| (vec![1.0, n], n / x)).collect();
    let c = least_squares(&rows, 2)
        .ok_or_else(|| Error::invalid("points", "singular", "at least 2 distinct node counts"))?;
    let lambda = 1.0 / (c[0] + c[1]);
    let sigma = c[1] * lambda;
    Ok(AmdahlFit { lambda, sigma, r_squared: r_squared(points, |n| amdahl_throughput(n, lambda, sigma)) })
}

/// Synthetic measurements: the USL curve at each node count, times `1 + noise·ε` with `ε` uniform
/// in [−1, 1] (stream `scaling/synthetic_noise`). For checking that [`fit_usl`] recovers known parameters.
pub fn synthetic_usl(
    nodes: &[usize],
    lambda: f64,
    sigma: f64,
    kappa: f64,
    noise: f64,
    seed: u64,
) -> Result<Vec<(f64, f64)>> {
    validate::positive("lambda", lambda)?;
    validate::in_range("sigma", sigma, 0.0, 1.0)?;
    validate::non_negative("kappa", kappa)?;
    validate::in_range("noise", noise, 0.0, 0.5)?;
    let mut rng = stream(seed, Stream::named("scaling/synthetic_noise", 0));
    Ok(nodes
        .iter()
        .map(|&n| {
            let eps: f64 = rng.random_range(-1.0..=1.0);
            (n as f64, usl_throughput(n as f64, lambda, sigma, kappa) * (1.0 + noise * eps))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_data_is_recovered_exactly() {
        let pts: Vec<_> = (1..=30).map(|n| (n as f64, usl_throughput(n as f64, 100.0, 0.05, 0.002))).collect();
        let f = fit_usl(&pts).unwrap();
        assert!((f.sigma - 0.05).abs() < 1e-9 && (f.kappa - 0.002).abs() < 1e-9 && (f.lambda - 100.0).abs() < 1e-6);
        assert!((f.peak_nodes().unwrap() - (0.95f64 / 0.002).sqrt()).abs() < 1e-6);
    }
}
