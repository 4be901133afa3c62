//! Checks for user-supplied parameters.
//!
//! Every config in distsim validates through these helpers so that the wording of errors is the
//! same everywhere, and so that no value is ever silently clamped into range.

use crate::error::{Error, Result};

/// A probability: finite and in `[0, 1]`.
pub fn probability(parameter: &str, p: f64) -> Result<f64> {
    if p.is_finite() && (0.0..=1.0).contains(&p) {
        Ok(p)
    } else {
        Err(Error::invalid(parameter, p, "a probability in [0, 1]"))
    }
}

/// A finite number strictly greater than zero.
pub fn positive(parameter: &str, x: f64) -> Result<f64> {
    if x.is_finite() && x > 0.0 {
        Ok(x)
    } else {
        Err(Error::invalid(parameter, x, "a finite number > 0"))
    }
}

/// A finite number greater than or equal to zero.
pub fn non_negative(parameter: &str, x: f64) -> Result<f64> {
    if x.is_finite() && x >= 0.0 {
        Ok(x)
    } else {
        Err(Error::invalid(parameter, x, "a finite number >= 0"))
    }
}

/// A finite number in the closed range `[lo, hi]`.
pub fn in_range(parameter: &str, x: f64, lo: f64, hi: f64) -> Result<f64> {
    if x.is_finite() && x >= lo && x <= hi {
        Ok(x)
    } else {
        Err(Error::invalid(parameter, x, format!("a number in [{lo}, {hi}]")))
    }
}

/// A count of at least `min`.
pub fn at_least(parameter: &str, n: usize, min: usize) -> Result<usize> {
    if n >= min {
        Ok(n)
    } else {
        Err(Error::invalid(parameter, n, format!("an integer >= {min}")))
    }
}

/// A count in `[lo, hi]`.
pub fn count_in(parameter: &str, n: usize, lo: usize, hi: usize) -> Result<usize> {
    if (lo..=hi).contains(&n) {
        Ok(n)
    } else {
        Err(Error::invalid(parameter, n, format!("an integer in [{lo}, {hi}]")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probability_rejects_out_of_range_and_nan() {
        assert!(probability("loss", 0.0).is_ok());
        assert!(probability("loss", 1.0).is_ok());
        for bad in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
            let err = probability("loss", bad).unwrap_err().to_string();
            assert!(err.contains("`loss`") && err.contains("[0, 1]"), "{err}");
        }
    }

    #[test]
    fn counts_name_the_range() {
        let err = count_in("replicas", 9, 1, 7).unwrap_err().to_string();
        assert!(err.contains("`replicas`") && err.contains("[1, 7]"), "{err}");
        assert!(at_least("seeds", 0, 1).is_err());
    }
}
