//! A cheap stand-in for [`LatencyHistogram::record`] on the engine's hot path.
//!
//! The engine records one delivery latency per message. `hdrhistogram`'s `record` is an out-of-line
//! call that checks ranges and updates the count, min, max and total on every sample: 6% of the
//! fan-out benchmark. A [`LatencyTally`] only bumps a counter in an array laid out exactly like
//! hdrhistogram's counts (same index for the same value), and [`LatencyTally::fold_into`] later
//! records each non-empty bin once, with its count, as the bin's lowest value. hdrhistogram reports
//! everything from its counts and from min and max rounded to their bins, so the folded histogram
//! answers every query exactly as if each sample had been recorded on its own (a test checks it).
//! The engine folds at the end of every run call and before a handler reads the metrics.
//!
//! A plain `Vec<u64>` of samples folded later was the simpler alternative, but it grows with the
//! run and folding it would cost what recording costs today.

use super::{LatencyHistogram, SIGNIFICANT_DIGITS};
use crate::time::Duration;

// The layout below is hdrhistogram's for 2 significant digits and a lowest value of 1:
// 256 sub-buckets per bucket (the smallest power of two >= 2 * 10^2), the upper 128 used from
// bucket 1 on, and bucket `b` covering values `[128 << b, 256 << b)`.
const _: () = assert!(SIGNIFICANT_DIGITS == 2, "LatencyTally mirrors the 2-digit layout");
const HALF_MAGNITUDE: u32 = 7;
const HALF: usize = 1 << HALF_MAGNITUDE;
const SUB_MASK: u64 = (2 * HALF as u64) - 1;
/// `64 - log2(256)`: leading zeros of the largest value of bucket 0.
const BUCKET_BASE: u32 = 56;

/// hdrhistogram's counts index of `value`.
#[inline(always)]
fn index_of(value: u64) -> usize {
    let bucket = BUCKET_BASE - (value | SUB_MASK).leading_zeros();
    let sub = (value >> bucket) as usize;
    ((bucket as usize + 1) << HALF_MAGNITUDE) + sub - HALF
}

/// The lowest value whose index is `index`.
fn lowest_value(index: usize) -> u64 {
    match (index >> HALF_MAGNITUDE).checked_sub(1) {
        None | Some(0) => index as u64,
        Some(bucket) => ((index & (HALF - 1)) as u64 + HALF as u64) << bucket,
    }
}

/// Sample counts per hdrhistogram bin, not yet folded into a histogram.
#[derive(Clone, Debug, Default)]
pub(crate) struct LatencyTally {
    counts: Vec<u64>,
    /// Range of indices touched since the last fold, so that a fold after a few samples (a run of
    /// one event) does not scan every bin.
    lo: usize,
    hi: usize,
    samples: u64,
}

impl LatencyTally {
    /// Counts one sample.
    #[inline(always)]
    pub(crate) fn record(&mut self, d: Duration) {
        let i = index_of(d.as_nanos());
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        if self.samples == 0 {
            (self.lo, self.hi) = (i, i);
        } else {
            self.lo = self.lo.min(i);
            self.hi = self.hi.max(i);
        }
        self.samples += 1;
    }

    /// Moves every sample counted so far into `h`.
    pub(crate) fn fold_into(&mut self, h: &mut LatencyHistogram) {
        if self.samples == 0 {
            return;
        }
        for (i, count) in self.counts.iter_mut().enumerate().take(self.hi + 1).skip(self.lo) {
            if *count != 0 {
                h.record_n(lowest_value(i), *count);
                *count = 0;
            }
        }
        self.samples = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn bins_match_hdrhistogram() {
        let h = hdrhistogram::Histogram::<u64>::new_with_bounds(1, u64::MAX, SIGNIFICANT_DIGITS).unwrap();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let edges = (0..64).flat_map(|b| [1u64 << b, (1u64 << b) - 1, (1u64 << b) + 1]);
        for v in edges.chain((0..100_000).map(|_| rng.random::<u64>() >> rng.random_range(0..64))) {
            let i = index_of(v);
            assert_eq!(lowest_value(i), h.lowest_equivalent(v), "value {v}");
            assert_eq!(index_of(lowest_value(i)), i, "value {v}");
        }
    }

    #[test]
    fn a_folded_tally_answers_like_direct_recording() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let (mut direct, mut folded, mut tally) =
            (LatencyHistogram::new(), LatencyHistogram::new(), LatencyTally::default());
        for round in 0..5 {
            for _ in 0..(1 + round * 3000) {
                let d = Duration::from_nanos(rng.random_range(0..2_000_000u64) >> rng.random_range(0..20));
                direct.record(d);
                tally.record(d);
            }
            tally.fold_into(&mut folded);
            assert_eq!(folded.count(), direct.count());
            assert_eq!((folded.min(), folded.max(), folded.mean()), (direct.min(), direct.max(), direct.mean()));
            for q in [0.0, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0] {
                assert_eq!(folded.quantile(q).unwrap(), direct.quantile(q).unwrap(), "q {q}");
            }
        }
    }
}
