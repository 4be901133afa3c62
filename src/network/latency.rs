//! One-way message latency distributions.
//!
//! Real networks are not "1 ms per hop": most messages are quick and a few are very slow. The
//! distributions here cover the usual teaching cases: a fixed delay, a bounded jitter (uniform),
//! a memoryless delay (exponential), a bell curve (normal), and the long right tail of real RPC
//! latencies (log-normal). Samples are drawn from the sender's `network/latency` stream of the run's
//! seed, so a seed fixes them.

use crate::error::{Error, Result};
use crate::rng::SimRng;
use crate::time::Duration;
use rand::Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};
use serde::{Deserialize, Serialize};

/// A one-way latency distribution.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Latency {
    /// Always the same delay.
    Constant(Duration),
    /// Uniform between `lo` and `hi` (inclusive).
    Uniform { lo: Duration, hi: Duration },
    /// Exponential with the given mean: memoryless, many short delays and a few long ones.
    Exponential { mean: Duration },
    /// Normal, truncated at zero (a negative draw becomes zero delay, so keep `std_dev` well
    /// below `mean` if you want the mean to be `mean`).
    Normal { mean: Duration, std_dev: Duration },
    /// Log-normal: `ln(latency)` is normal with median `median` and shape `sigma`. Its mean is
    /// `median · exp(sigma² / 2)`, larger than the median: the long tail of real RPCs.
    LogNormal { median: Duration, sigma: f64 },
}

impl Default for Latency {
    fn default() -> Self {
        Latency::Constant(Duration::from_millis(1))
    }
}

impl Latency {
    /// Refuses parameters the distribution cannot have; `parameter` prefixes the error's name
    /// (`"network.latency"` gives `"network.latency.sigma"`).
    pub fn validate(&self, parameter: &str) -> Result<()> {
        match self {
            Latency::Constant(_) | Latency::Normal { .. } => Ok(()),
            Latency::Uniform { lo, hi } if hi < lo => {
                Err(Error::invalid(format!("{parameter}.hi"), hi, format!("a duration >= lo ({lo})")))
            }
            Latency::Uniform { .. } => Ok(()),
            Latency::Exponential { mean } if mean.as_nanos() == 0 => {
                Err(Error::invalid(format!("{parameter}.mean"), mean, "a duration > 0"))
            }
            Latency::Exponential { .. } => Ok(()),
            Latency::LogNormal { median, sigma } => {
                if median.as_nanos() == 0 {
                    return Err(Error::invalid(format!("{parameter}.median"), median, "a duration > 0"));
                }
                if !(sigma.is_finite() && (0.0..=10.0).contains(sigma)) {
                    return Err(Error::invalid(format!("{parameter}.sigma"), sigma, "a number in [0, 10]"));
                }
                Ok(())
            }
        }
    }

    /// The distribution's mean (for normal: before truncation at zero).
    pub fn mean(&self) -> Duration {
        match *self {
            Latency::Constant(d) => d,
            Latency::Uniform { lo, hi } => Duration::from_nanos((lo.as_nanos() + hi.as_nanos()) / 2),
            Latency::Exponential { mean } | Latency::Normal { mean, .. } => mean,
            Latency::LogNormal { median, sigma } => {
                Duration::from_nanos((median.as_nanos() as f64 * (sigma * sigma / 2.0).exp()) as u64)
            }
        }
    }

    /// Whether every draw is the same (no randomness consumed).
    pub fn is_constant(&self) -> bool {
        matches!(self, Latency::Constant(_))
    }

    /// One draw. Call [`Latency::validate`] first; invalid parameters give arbitrary (not
    /// panicking) results.
    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> Duration {
        self.sample_from(rng)
    }

    /// One draw from any generator (the engine's network uses a counter-based one per message).
    #[inline]
    pub fn sample_from<R: Rng + ?Sized>(&self, rng: &mut R) -> Duration {
        match *self {
            Latency::Constant(d) => d,
            Latency::Uniform { lo, hi } => {
                if hi.as_nanos() <= lo.as_nanos() {
                    lo
                } else {
                    Duration::from_nanos(rng.random_range(lo.as_nanos()..=hi.as_nanos()))
                }
            }
            Latency::Exponential { mean } => {
                let x: f64 = Exp1.sample(rng);
                Duration::from_nanos((x * mean.as_nanos() as f64) as u64)
            }
            Latency::Normal { mean, std_dev } => {
                let z: f64 = StandardNormal.sample(rng);
                Duration::from_nanos((mean.as_nanos() as f64 + z * std_dev.as_nanos() as f64).max(0.0) as u64)
            }
            Latency::LogNormal { median, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                Duration::from_nanos((median.as_nanos() as f64 * (sigma * z).exp()).min(u64::MAX as f64) as u64)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream, Stream};
    use crate::time::{micros, millis};

    fn sample_mean(l: &Latency, seed: u64, n: usize) -> f64 {
        let mut rng = stream(seed, Stream::Network);
        (0..n).map(|_| l.sample(&mut rng).as_nanos() as f64).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_each_distribution_over_fixed_seeds() {
        let cases = [
            Latency::Constant(millis(3)),
            Latency::Uniform { lo: millis(1), hi: millis(9) },
            Latency::Exponential { mean: millis(4) },
            Latency::Normal { mean: millis(10), std_dev: millis(2) },
            Latency::LogNormal { median: millis(2), sigma: 0.5 },
        ];
        for l in &cases {
            for seed in [1, 2, 3, 4, 5] {
                let got = sample_mean(l, seed, 20_000);
                let want = l.mean().as_nanos() as f64;
                // 20k samples: the standard error is <1% of the mean for all of these; allow 3%.
                assert!((got - want).abs() / want < 0.03, "{l:?} seed {seed}: {got} vs {want}");
            }
        }
    }

    #[test]
    fn bad_parameters_name_the_field() {
        let e = Latency::Uniform { lo: millis(5), hi: micros(1) }.validate("network.latency").unwrap_err();
        assert!(e.to_string().contains("`network.latency.hi`"), "{e}");
        let e = Latency::Exponential { mean: Duration::ZERO }.validate("l").unwrap_err();
        assert!(e.to_string().contains("`l.mean`") && e.to_string().contains("> 0"), "{e}");
        for s in [f64::NAN, -1.0, 11.0] {
            let e = Latency::LogNormal { median: millis(1), sigma: s }.validate("l").unwrap_err();
            assert!(e.to_string().contains("`l.sigma`"), "{e}");
        }
        assert!(Latency::Normal { mean: millis(1), std_dev: millis(9) }.validate("l").is_ok());
    }
}
