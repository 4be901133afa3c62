//! Cache hit ratio vs cache size, for a skewed (Zipf) workload and an LRU cache.
//!
//! Real workloads are skewed: a few keys are asked for all the time, most rarely. Under a Zipf law
//! with exponent `s`, the key of rank `i` is requested with probability proportional to `1/iˢ`, so a
//! cache holding 1% of the keys can absorb far more than 1% of the reads. An LRU cache keeps the
//! most recently used keys and evicts the least recently used one.
//!
//! Two references sit next to the simulation: the *ideal static* cache (the `C` most popular keys,
//! an upper bound for any cache that cannot see the future) and Che's approximation for LRU: find
//! the "characteristic time" `T` with `Σᵢ (1 − e^(−pᵢT)) = C`; then the hit ratio is
//! `Σᵢ pᵢ (1 − e^(−pᵢT))`. It is an approximation (labelled as such), usually within a percent or two.
//!
//! ```
//! use distsim::prelude::*;
//! use concepts::architectures::{CacheConfig, CACHE_SIZES};
//! let curve = CacheConfig { requests: 20_000, ..Default::default() }.hit_ratio_curve(&CACHE_SIZES, 0..2)?;
//! assert!(curve.points.iter().all(|p| (p.hit_ratio.mean - p.che).abs() < 0.03));
//! # Ok::<(), distsim::Error>(())
//! ```

use crate::cancel::Checkpoint;
use crate::error::{Error, Result};
use crate::experiment::{Experiment, ExperimentSweep, Parameters, Range, Report};
use crate::render::{Format, MimeBundle, Plot, Render, Table};
use crate::rng::{stream, SimRng, Stream};
use crate::stats::{proportion_ci95, Estimate};
use rand_distr::{Distribution, Zipf};

/// An LRU cache over keys `0..capacity_keys`, O(1) per access (an intrusive doubly linked list).
#[derive(Clone, Debug)]
pub struct LruCache {
    capacity: usize,
    len: usize,
    prev: Vec<usize>,
    next: Vec<usize>,
    cached: Vec<bool>,
    head: usize, // most recent
    tail: usize, // least recent
}

const NIL: usize = usize::MAX;

impl LruCache {
    /// A cache of `capacity` entries for keys `0..keys`.
    pub fn new(capacity: usize, keys: usize) -> Self {
        LruCache {
            capacity,
            len: 0,
            prev: vec![NIL; keys],
            next: vec![NIL; keys],
            cached: vec![false; keys],
            head: NIL,
            tail: NIL,
        }
    }
    fn unlink(&mut self, k: usize) {
        let (p, n) = (self.prev[k], self.next[k]);
        if p != NIL {
            self.next[p] = n
        } else {
            self.head = n
        }
        if n != NIL {
            self.prev[n] = p
        } else {
            self.tail = p
        }
    }
    fn push_front(&mut self, k: usize) {
        self.prev[k] = NIL;
        self.next[k] = self.head;
        if self.head != NIL {
            self.prev[self.head] = k
        }
        self.head = k;
        if self.tail == NIL {
            self.tail = k
        }
    }
    /// Whether `key` is cached, without changing recency.
    pub fn contains(&self, key: usize) -> bool {
        self.cached[key]
    }
    /// Drops `key` (an invalidation); a no-op if it is not cached.
    pub fn remove(&mut self, key: usize) {
        if self.cached[key] {
            self.unlink(key);
            self.cached[key] = false;
            self.len -= 1;
        }
    }
    /// Reads `key`: `true` on a hit. A miss inserts it, evicting the least recently used key if full.
    pub fn access(&mut self, key: usize) -> bool {
        if self.cached[key] {
            self.unlink(key);
            self.push_front(key);
            return true;
        }
        if self.capacity == 0 {
            return false;
        }
        if self.len == self.capacity {
            let victim = self.tail;
            self.unlink(victim);
            self.cached[victim] = false;
            self.len -= 1;
        }
        self.cached[key] = true;
        self.push_front(key);
        self.len += 1;
        false
    }
}

/// Draws key indices `0..keys` (0 the most popular) from a Zipf law.
pub(crate) struct KeyPicker(Zipf<f64>);

impl KeyPicker {
    pub(crate) fn new(keys: usize, exponent: f64) -> Result<Self> {
        Zipf::new(keys as f64, exponent)
            .map(KeyPicker)
            .map_err(|_| Error::invalid("zipf_exponent", exponent, "a finite number >= 0"))
    }
    pub(crate) fn pick(&self, rng: &mut SimRng) -> usize {
        (self.0.sample(rng) as usize).saturating_sub(1)
    }
}

/// Zipf popularity of each key, most popular first, summing to 1.
pub fn zipf_probabilities(keys: usize, exponent: f64) -> Vec<f64> {
    let w: Vec<f64> = (1..=keys).map(|i| (i as f64).powf(-exponent)).collect();
    let total: f64 = w.iter().sum();
    w.into_iter().map(|x| x / total).collect()
}

/// Che's approximation of the LRU hit ratio for independent requests with popularities `p`.
pub fn che_hit_ratio(p: &[f64], size: usize) -> f64 {
    if size == 0 {
        return 0.0;
    }
    if size >= p.len() {
        return 1.0;
    }
    let occupancy = |t: f64| p.iter().map(|&q| 1.0 - (-q * t).exp()).sum::<f64>();
    let (mut lo, mut hi) = (0.0, 1.0);
    while occupancy(hi) < size as f64 {
        hi *= 2.0;
    }
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if occupancy(mid) < size as f64 {
            lo = mid
        } else {
            hi = mid
        }
    }
    p.iter().map(|&q| q * (1.0 - (-q * hi).exp())).sum()
}

/// The hit-ratio experiment: one LRU cache of `size` entries under a Zipf workload.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheConfig {
    /// Distinct keys in the workload.
    pub keys: usize,
    /// Zipf exponent `s` (0 = uniform; around 1 for web objects).
    pub zipf_exponent: f64,
    /// Cache entries (at most `keys`).
    pub size: usize,
    /// Reads counted, after warm-up.
    pub requests: usize,
    /// Reads used to fill the cache before counting.
    pub warmup: usize,
}

crate::parameters!(CacheConfig {
    keys: Range::count(1, 10_000_000) => "distinct keys in the workload",
    zipf_exponent: Range::real(0.0, 10.0) => "Zipf exponent of key popularity (0 = uniform, ~1 for the web)",
    size: Range::count(0, 10_000_000) => "cache entries (at most keys)",
    requests: Range::count(100, 100_000_000) => "reads counted after the warm-up",
    warmup: Range::count(0, 100_000_000) => "reads that fill the cache before counting",
});

/// The cache sizes the course compares by default.
pub const CACHE_SIZES: [usize; 6] = [10, 30, 100, 300, 1000, 3000];

/// The requests of every cache run: the same sequence at every size (common random numbers).
const REQUESTS: Stream = Stream::named("cache/requests", 0);

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig { keys: 10_000, zipf_exponent: 1.0, size: 1000, requests: 100_000, warmup: 20_000 }
    }
}

/// What one cache run measured, next to the references.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheResult {
    /// The configuration that was run.
    pub config: CacheConfig,
    /// Measured hit ratio with a Wilson 95% CI.
    pub hit_ratio: Estimate,
    /// Che's approximation.
    pub che: f64,
    /// The ideal static cache (the `size` most popular keys).
    pub ideal: f64,
}

/// One cache size of a [`CacheCurve`].
#[derive(Clone, Debug, PartialEq)]
pub struct CachePoint {
    /// Entries.
    pub size: usize,
    /// Measured hit ratio: mean and 95% CI over the seeds.
    pub hit_ratio: Estimate,
    /// Che's approximation.
    pub che: f64,
    /// The ideal static cache (the `size` most popular keys).
    pub ideal: f64,
}

/// Hit ratio per cache size.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheCurve {
    /// The configuration the sizes were set on.
    pub config: CacheConfig,
    /// One point per size, in the order given.
    pub points: Vec<CachePoint>,
    /// The generic sweep of `size` behind it.
    pub sweep: ExperimentSweep,
}

impl Experiment for CacheConfig {
    type Output = CacheResult;

    /// The ranges, then: the cache holds at most every key.
    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        if self.size > self.keys {
            return Err(Error::invalid("size", self.size, format!("an integer in [0, keys = {}]", self.keys)));
        }
        Ok(())
    }

    /// Simulates one LRU cache; the reads come from stream `cache/requests`.
    fn run(&self, seed: u64) -> Result<CacheResult> {
        self.validate()?;
        let picker = KeyPicker::new(self.keys, self.zipf_exponent)?;
        let p = zipf_probabilities(self.keys, self.zipf_exponent);
        let mut checkpoint = Checkpoint::every(8192);
        let mut rng = stream(seed, REQUESTS);
        let mut cache = LruCache::new(self.size, self.keys);
        let mut hits = 0u64;
        for r in 0..self.warmup + self.requests {
            checkpoint.tick()?;
            let hit = cache.access(picker.pick(&mut rng));
            if r >= self.warmup && hit {
                hits += 1;
            }
        }
        Ok(CacheResult {
            config: self.clone(),
            hit_ratio: proportion_ci95(hits, self.requests as u64)?,
            che: che_hit_ratio(&p, self.size),
            ideal: p[..self.size].iter().sum(),
        })
    }
}

impl CacheConfig {
    /// The hit ratio at every size of `sizes` with every seed of `seeds` (a thin wrapper over
    /// [`Experiment::sweep`] of `size`), with Che's approximation and the ideal cache beside it.
    pub fn hit_ratio_curve(&self, sizes: &[usize], seeds: impl IntoIterator<Item = u64>) -> Result<CacheCurve> {
        let sweep = self.sweep("size", sizes, seeds)?;
        let p = zipf_probabilities(self.keys, self.zipf_exponent);
        let points = sizes
            .iter()
            .zip(sweep.estimates("hit_ratio")?)
            .map(|(&size, hit_ratio)| CachePoint {
                size,
                hit_ratio,
                che: che_hit_ratio(&p, size),
                ideal: p[..size].iter().sum(),
            })
            .collect();
        Ok(CacheCurve { config: self.clone(), points, sweep })
    }
}

impl CacheResult {
    /// One row: the size, the simulated hit ratio with its CI, Che's approximation, the ideal.
    pub fn table(&self) -> Table {
        let point = CachePoint { size: self.config.size, hit_ratio: self.hit_ratio, che: self.che, ideal: self.ideal };
        CacheCurve::table_of(&self.config, &[point])
    }
    /// Simulated hit ratio against both references, as bars.
    pub fn plot(&self) -> Plot {
        Plot::new(format!("LRU cache of {} entries", self.config.size)).y_label("hit ratio").bar(
            "hit ratio",
            vec![("LRU simulated".into(), self.hit_ratio.mean), ("Che".into(), self.che), ("ideal".into(), self.ideal)],
        )
    }
}

impl Report for CacheResult {
    /// `hit_ratio` (simulated), `che` (Che's approximation) and `ideal` (the best static cache).
    fn measures(&self) -> Vec<(String, f64)> {
        vec![("hit_ratio".into(), self.hit_ratio.mean), ("che".into(), self.che), ("ideal".into(), self.ideal)]
    }
    fn table(&self) -> Table {
        CacheResult::table(self)
    }
    fn plot(&self) -> Plot {
        CacheResult::plot(self)
    }
}

impl CacheCurve {
    fn table_of(config: &CacheConfig, points: &[CachePoint]) -> Table {
        let mut t = Table::new(["cache size", "hit ratio (LRU sim)", "95% CI", "Che approx.", "ideal static"])
            .title(format!("LRU hit ratio, Zipf(s = {}) over {} keys", config.zipf_exponent, config.keys));
        for p in points {
            let e = &p.hit_ratio;
            t.row(vec![
                p.size.into(),
                e.mean.into(),
                format!("[{:.3}, {:.3}]", e.lo, e.hi).into(),
                p.che.into(),
                p.ideal.into(),
            ])
            .expect("five columns");
        }
        ["hit ratio (LRU sim)", "Che approx.", "ideal static"]
            .iter()
            .try_fold(t, |t, c| t.format(c, Format::Percent(1)))
            .expect("columns exist")
    }

    /// Size against simulated hit ratio (with CI), Che's approximation and the ideal cache.
    pub fn table(&self) -> Table {
        CacheCurve::table_of(&self.config, &self.points)
    }

    /// Hit ratio against cache size on a log axis.
    pub fn plot(&self) -> Plot {
        let pts = |f: fn(&CachePoint) -> f64| {
            self.points.iter().filter(|p| p.size > 0).map(|p| (p.size as f64, f(p))).collect()
        };
        Plot::new("Cache hit ratio vs size")
            .x_label("cache size (entries)")
            .y_label("hit ratio")
            .log_x()
            .error_bars(
                "LRU simulated",
                self.points
                    .iter()
                    .filter(|p| p.size > 0)
                    .map(|p| (p.size as f64, p.hit_ratio.mean, p.hit_ratio.lo, p.hit_ratio.hi))
                    .collect(),
            )
            .line("Che approximation", pts(|p| p.che))
            .line("ideal static cache", pts(|p| p.ideal))
    }
}

impl Render for CacheCurve {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
impl Render for CacheResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(CacheCurve, CacheResult);
