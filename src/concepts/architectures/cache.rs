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

use crate::cancel::Checkpoint;
use crate::error::{Error, Result};
use crate::render::{Format, MimeBundle, Plot, Render, Table};
use crate::rng::{stream, SimRng, Stream};
use crate::stats::{proportion_ci95, Estimate};
use crate::validate;
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

/// The hit-ratio-vs-size experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheConfig {
    /// Distinct keys in the workload.
    pub keys: usize,
    /// Zipf exponent `s` (0 = uniform; around 1 for web objects).
    pub zipf_exponent: f64,
    /// Cache sizes (entries) to compare.
    pub sizes: Vec<usize>,
    /// Reads per size, after warm-up.
    pub requests: usize,
    /// Reads used to fill the cache before counting.
    pub warmup: usize,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            keys: 10_000,
            zipf_exponent: 1.0,
            sizes: vec![10, 30, 100, 300, 1000, 3000],
            requests: 100_000,
            warmup: 20_000,
        }
    }
}

/// One cache size.
#[derive(Clone, Debug, PartialEq)]
pub struct CachePoint {
    /// Entries.
    pub size: usize,
    /// Measured hit ratio with a Wilson 95% CI.
    pub hit_ratio: Estimate,
    /// Che's approximation.
    pub che: f64,
    /// The ideal static cache (the `size` most popular keys).
    pub ideal: f64,
}

/// Hit ratio per cache size.
#[derive(Clone, Debug, PartialEq)]
pub struct CacheCurve {
    /// The configuration that was run.
    pub config: CacheConfig,
    /// One point per size, in the order given.
    pub points: Vec<CachePoint>,
}

impl CacheConfig {
    /// Refuses an empty key space, a negative exponent and empty sizes.
    pub fn validate(&self) -> Result<()> {
        validate::count_in("keys", self.keys, 1, 10_000_000)?;
        validate::in_range("zipf_exponent", self.zipf_exponent, 0.0, 10.0)?;
        if self.sizes.is_empty() {
            return Err(Error::empty("sizes"));
        }
        for &s in &self.sizes {
            validate::count_in("sizes", s, 0, self.keys)?;
        }
        validate::count_in("requests", self.requests, 100, 100_000_000)?;
        Ok(())
    }

    /// Simulates one LRU cache per size; size `i` reads its own stream `Custom(100 + i)`.
    pub fn run(&self, seed: u64) -> Result<CacheCurve> {
        self.validate()?;
        let picker = KeyPicker::new(self.keys, self.zipf_exponent)?;
        let p = zipf_probabilities(self.keys, self.zipf_exponent);
        let mut checkpoint = Checkpoint::every(8192);
        let mut points = Vec::new();
        for (i, &size) in self.sizes.iter().enumerate() {
            let mut rng = stream(seed, Stream::Custom(100 + i as u64));
            let mut cache = LruCache::new(size, self.keys);
            let mut hits = 0u64;
            for r in 0..self.warmup + self.requests {
                checkpoint.tick()?;
                let hit = cache.access(picker.pick(&mut rng));
                if r >= self.warmup && hit {
                    hits += 1;
                }
            }
            points.push(CachePoint {
                size,
                hit_ratio: proportion_ci95(hits, self.requests as u64)?,
                che: che_hit_ratio(&p, size),
                ideal: p[..size].iter().sum(),
            });
        }
        Ok(CacheCurve { config: self.clone(), points })
    }
}

impl CacheCurve {
    /// Size against simulated hit ratio (with CI), Che's approximation and the ideal cache.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["cache size", "hit ratio (LRU sim)", "95% CI", "Che approx.", "ideal static"])
            .title(format!("LRU hit ratio, Zipf(s = {}) over {} keys", self.config.zipf_exponent, self.config.keys));
        for p in &self.points {
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
crate::impl_evcxr_display!(CacheCurve);
