//! Stale reads from a cache-invalidation race.
//!
//! "Write the database, then delete the cache entry" looks safe, but reads and writes interleave:
//!
//! ```text
//! reader:  miss ── read DB (v1) ─────────────────────── fill cache with v1
//! writer:                 write DB (v2) ── delete cache entry
//! ```
//!
//! The delete lands *before* the reader's fill, so the cache now holds v1 while the database holds
//! v2, and every later hit returns stale data until the next write to that key. The fix modelled
//! here is the *lease* (as in Facebook's memcache): a miss hands the reader a token, a delete
//! revokes outstanding tokens, and a fill with a revoked token is refused.
//!
//! Reads and writes are Poisson streams over Zipf-distributed keys; the delay between a miss's
//! database read and its cache fill is exponential. Events run in (time, sequence) order.

use crate::cancel::Checkpoint;
use crate::error::Result;
use crate::render::{Format, MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::validate;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::cache::KeyPicker;
use crate::concepts::queueing::exponential;

/// How the cache is kept in step with the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalidation {
    /// Write the database, then delete the cache entry; fills always succeed (racy).
    DeleteOnWrite,
    /// As above, but a fill needs a lease that no delete has revoked since the miss.
    Leases,
}

/// The invalidation-race experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct StaleReadConfig {
    /// Distinct keys.
    pub keys: usize,
    /// Zipf exponent of key popularity.
    pub zipf_exponent: f64,
    /// Reads per second.
    pub read_rate: f64,
    /// Writes per second.
    pub write_rate: f64,
    /// Mean delay from a miss's database read to its cache fill, milliseconds.
    pub fill_delay_ms: f64,
    /// Simulated time, seconds.
    pub duration_s: f64,
    /// The invalidation scheme.
    pub invalidation: Invalidation,
}

impl Default for StaleReadConfig {
    fn default() -> Self {
        StaleReadConfig {
            keys: 1_000,
            zipf_exponent: 1.0,
            read_rate: 10_000.0,
            write_rate: 200.0,
            fill_delay_ms: 5.0,
            duration_s: 10.0,
            invalidation: Invalidation::DeleteOnWrite,
        }
    }
}

/// Counts from one run.
#[derive(Clone, Debug, PartialEq)]
pub struct StaleReadResult {
    /// The configuration that was run.
    pub config: StaleReadConfig,
    /// Reads served.
    pub reads: u64,
    /// Reads answered from the cache.
    pub hits: u64,
    /// Hits that returned an older version than the database held at that moment.
    pub stale_reads: u64,
    /// Fills that put an already-overwritten value into the cache.
    pub poisoned_fills: u64,
    /// Fills refused because their lease was revoked.
    pub refused_fills: u64,
}

impl StaleReadConfig {
    /// Refuses non-positive rates and durations.
    pub fn validate(&self) -> Result<()> {
        validate::count_in("keys", self.keys, 1, 10_000_000)?;
        validate::in_range("zipf_exponent", self.zipf_exponent, 0.0, 10.0)?;
        validate::positive("read_rate", self.read_rate)?;
        validate::non_negative("write_rate", self.write_rate)?;
        validate::positive("fill_delay_ms", self.fill_delay_ms)?;
        validate::in_range("duration_s", self.duration_s, 1e-3, 1e6)?;
        Ok(())
    }

    /// Runs the race. Reads use stream `Workload`, writes `Custom(200)`, fill delays `Custom(201)`.
    pub fn run(&self, seed: u64) -> Result<StaleReadResult> {
        self.validate()?;
        let picker = KeyPicker::new(self.keys, self.zipf_exponent)?;
        let (mut reads_rng, mut writes_rng, mut delay_rng) =
            (stream(seed, Stream::Workload), stream(seed, Stream::Custom(200)), stream(seed, Stream::Custom(201)));
        let mut db = vec![0u64; self.keys]; // current version per key
        let mut cache: Vec<Option<u64>> = vec![None; self.keys];
        let mut lease = vec![0u64; self.keys]; // bumped by every delete
                                               // Fill events: (time ns, seq, key, version read, lease at miss).
        let mut fills: BinaryHeap<Reverse<(u64, u64, usize, u64, u64)>> = BinaryHeap::new();
        let ns = |s: f64| (s * 1e9).round() as u64;
        let end = ns(self.duration_s);
        let mut next_read = ns(exponential(&mut reads_rng, self.read_rate));
        let mut next_write =
            if self.write_rate > 0.0 { ns(exponential(&mut writes_rng, self.write_rate)) } else { u64::MAX };
        let mut r = StaleReadResult {
            config: self.clone(),
            reads: 0,
            hits: 0,
            stale_reads: 0,
            poisoned_fills: 0,
            refused_fills: 0,
        };
        let (mut seq, mut checkpoint) = (0u64, Checkpoint::every(4096));
        loop {
            checkpoint.tick()?;
            let next_fill = fills.peek().map_or(u64::MAX, |Reverse(f)| f.0);
            // Tie-break at equal times: fills, then writes, then reads.
            let now = next_fill.min(next_write).min(next_read);
            if now >= end {
                break;
            }
            if next_fill == now {
                let Reverse((_, _, key, version, token)) = fills.pop().expect("peeked");
                if self.invalidation == Invalidation::Leases && token != lease[key] {
                    r.refused_fills += 1;
                } else {
                    r.poisoned_fills += u64::from(version < db[key]);
                    cache[key] = Some(version);
                }
            } else if next_write == now {
                let key = picker.pick(&mut writes_rng);
                db[key] += 1;
                cache[key] = None;
                lease[key] += 1;
                next_write = now + ns(exponential(&mut writes_rng, self.write_rate));
            } else {
                let key = picker.pick(&mut reads_rng);
                r.reads += 1;
                match cache[key] {
                    Some(v) => {
                        r.hits += 1;
                        r.stale_reads += u64::from(v < db[key]);
                    }
                    None => {
                        let delay = ns(exponential(&mut delay_rng, 1e3 / self.fill_delay_ms));
                        fills.push(Reverse((now + delay, seq, key, db[key], lease[key])));
                        seq += 1;
                    }
                }
                next_read = now + ns(exponential(&mut reads_rng, self.read_rate));
            }
        }
        Ok(r)
    }

    /// Runs the same workload under both schemes, for side-by-side display.
    pub fn compare(&self, seed: u64) -> Result<StaleComparison> {
        let racy = StaleReadConfig { invalidation: Invalidation::DeleteOnWrite, ..self.clone() }.run(seed)?;
        let leases = StaleReadConfig { invalidation: Invalidation::Leases, ..self.clone() }.run(seed)?;
        Ok(StaleComparison { runs: vec![racy, leases] })
    }
}

impl StaleReadResult {
    /// Fraction of reads that returned stale data.
    pub fn stale_fraction(&self) -> f64 {
        if self.reads == 0 {
            0.0
        } else {
            self.stale_reads as f64 / self.reads as f64
        }
    }
    /// One-row table.
    pub fn table(&self) -> Table {
        StaleComparison { runs: vec![self.clone()] }.table()
    }
    /// Counts as bars.
    pub fn plot(&self) -> Plot {
        StaleComparison { runs: vec![self.clone()] }.plot()
    }
}

/// Several invalidation schemes on the same workload.
#[derive(Clone, Debug, PartialEq)]
pub struct StaleComparison {
    /// One run per scheme.
    pub runs: Vec<StaleReadResult>,
}

impl StaleComparison {
    /// Scheme against reads, hits, poisoned fills and stale reads.
    pub fn table(&self) -> Table {
        let mut t =
            Table::new(["invalidation", "reads", "hits", "poisoned fills", "refused fills", "stale reads", "stale %"])
                .title("Stale reads caused by the invalidation race");
        for r in &self.runs {
            t.row(vec![
                format!("{:?}", r.config.invalidation).into(),
                r.reads.into(),
                r.hits.into(),
                r.poisoned_fills.into(),
                r.refused_fills.into(),
                r.stale_reads.into(),
                r.stale_fraction().into(),
            ])
            .expect("seven columns");
        }
        t.format("stale %", Format::Percent(3)).expect("column exists")
    }
    /// Stale reads per scheme.
    pub fn plot(&self) -> Plot {
        Plot::new("Stale reads by invalidation scheme").y_label("stale reads").bar(
            "stale reads",
            self.runs.iter().map(|r| (format!("{:?}", r.config.invalidation), r.stale_reads as f64)).collect(),
        )
    }
}

impl Render for StaleReadResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
impl Render for StaleComparison {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(StaleReadResult, StaleComparison);
