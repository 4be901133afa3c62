//! Architectures: from one server to several data centers.
//!
//! The same workload (reads and writes of Zipf-popular keys, users near and far) runs on five
//! designs, the path a growing web site typically takes:
//!
//! 1. **Single server** — web and database on one machine. Simple; capacity is one machine.
//! 2. **Web + database** — two machines. More capacity, but *either* failing takes the site down,
//!    so it is down about twice as often as one machine (availability `A²` instead of `A`).
//! 3. **Two-tier** — a pool of stateless front-ends over one database: any front-end can take any
//!    request, so losing one costs capacity, not availability. The database is now the bottleneck.
//! 4. **Three-tier** — a cache between the two: popular keys are answered without the database,
//!    which cuts latency and database load, but the cache must be kept in step (see [`stale`]).
//! 5. **Multiple data centers** — remote users get a nearby data center with front-ends and a
//!    cache; misses and writes still cross the ocean to the one storage site.
//!
//! Per design we measure latency (p50/p99), throughput, availability and database load, and
//! compare with what the design predicts: bottleneck capacity, `A` per machine composed in series
//! and parallel, and database load `λ·(w + (1 − w)(1 − h))` for write fraction `w` and hit ratio `h`.
//! Cache sizing is in [`cache`]; stale reads from the invalidation race in [`stale`].

pub mod cache;
pub mod stale;
mod tiers;

pub use cache::{che_hit_ratio, zipf_probabilities, CacheConfig, CacheCurve, CachePoint, LruCache};
pub use stale::{Invalidation, StaleComparison, StaleReadConfig, StaleReadResult};

use crate::error::Result;
use crate::metrics::LatencyHistogram;
use crate::render::{Format, MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::stats::{proportion_ci95, Estimate};
use crate::time::Duration;
use crate::validate;
use rand::Rng;

/// The five designs, in the order a site usually adopts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Architecture {
    /// Web server and database on one machine.
    SingleServer,
    /// One web server and one database server.
    WebAndDatabase,
    /// `front_ends` stateless web servers over one database.
    TwoTier,
    /// Two-tier plus `cache_servers` cache servers.
    ThreeTier,
    /// `data_centers` sites with front-ends and a cache each; storage only in the first.
    MultiDataCenter,
}

impl Architecture {
    /// All five, in order.
    pub const ALL: [Architecture; 5] = [
        Architecture::SingleServer,
        Architecture::WebAndDatabase,
        Architecture::TwoTier,
        Architecture::ThreeTier,
        Architecture::MultiDataCenter,
    ];
}

/// The workload, the machines and the network shared by every architecture.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchitectureConfig {
    /// Designs to compare.
    pub architectures: Vec<Architecture>,
    /// Requests per second (Poisson).
    pub arrival_rate: f64,
    /// Requests simulated per design.
    pub requests: usize,
    /// Fraction of requests that are writes (always go to the database, invalidate caches).
    pub write_fraction: f64,
    /// Mean web-server CPU per request, ms.
    pub web_ms: f64,
    /// Mean database time per query, ms.
    pub db_ms: f64,
    /// Mean cache lookup time, ms.
    pub cache_ms: f64,
    /// Front-end servers per data center (two-tier and beyond).
    pub front_ends: usize,
    /// Cache servers per data center (three-tier and multi-DC).
    pub cache_servers: usize,
    /// Cache entries per data center.
    pub cache_size: usize,
    /// Data centers in the multi-DC design (at least 2).
    pub data_centers: usize,
    /// Distinct keys.
    pub keys: usize,
    /// Zipf exponent of key popularity.
    pub zipf_exponent: f64,
    /// Fraction of users on another continent.
    pub remote_user_fraction: f64,
    /// Round trip between a user and a nearby data center, ms.
    pub user_rtt_ms: f64,
    /// Round trip across a continent, ms (the chapter's "~500 ms").
    pub cross_dc_rtt_ms: f64,
    /// Round trip between machines in one data center, ms.
    pub intra_dc_rtt_ms: f64,
    /// Probability that any one machine is up.
    pub machine_availability: f64,
}

impl Default for ArchitectureConfig {
    fn default() -> Self {
        ArchitectureConfig {
            architectures: Architecture::ALL.to_vec(),
            arrival_rate: 1_500.0,
            requests: 50_000,
            write_fraction: 0.1,
            web_ms: 0.2,
            db_ms: 0.3,
            cache_ms: 0.05,
            front_ends: 4,
            cache_servers: 2,
            cache_size: 1_000,
            data_centers: 2,
            keys: 10_000,
            zipf_exponent: 1.0,
            remote_user_fraction: 0.5,
            user_rtt_ms: 20.0,
            cross_dc_rtt_ms: 500.0,
            intra_dc_rtt_ms: 0.5,
            machine_availability: 0.999,
        }
    }
}

/// One design's measurements next to its predictions.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchitectureRow {
    /// The design.
    pub architecture: Architecture,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
    /// Completed requests per second of simulated time.
    pub throughput: f64,
    /// The bottleneck station's capacity, requests per second.
    pub capacity: f64,
    /// Fraction of reads answered by a cache.
    pub hit_ratio: f64,
    /// Database queries per second, measured.
    pub db_load: f64,
    /// `λ·(w + (1 − w)(1 − h))` with the measured `h`.
    pub db_load_theory: f64,
    /// Availability from the machines' `A`, composed.
    pub availability_theory: f64,
    /// Fraction of requests that found every machine they needed up (Monte Carlo), with CI.
    pub availability: Estimate,
}

/// All designs on the same workload.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchitectureResult {
    /// The configuration that was run.
    pub config: ArchitectureConfig,
    /// One row per design, in the order given.
    pub rows: Vec<ArchitectureRow>,
}

impl ArchitectureConfig {
    /// Refuses rates, times and counts out of range.
    pub fn validate(&self) -> Result<()> {
        if self.architectures.is_empty() {
            return Err(crate::Error::empty("architectures"));
        }
        validate::positive("arrival_rate", self.arrival_rate)?;
        validate::count_in("requests", self.requests, 100, 50_000_000)?;
        validate::probability("write_fraction", self.write_fraction)?;
        validate::positive("web_ms", self.web_ms)?;
        validate::positive("db_ms", self.db_ms)?;
        validate::positive("cache_ms", self.cache_ms)?;
        validate::count_in("front_ends", self.front_ends, 1, 10_000)?;
        validate::count_in("cache_servers", self.cache_servers, 1, 10_000)?;
        validate::count_in("keys", self.keys, 1, 10_000_000)?;
        validate::count_in("cache_size", self.cache_size, 0, self.keys)?;
        validate::count_in("data_centers", self.data_centers, 2, 100)?;
        validate::in_range("zipf_exponent", self.zipf_exponent, 0.0, 10.0)?;
        validate::probability("remote_user_fraction", self.remote_user_fraction)?;
        validate::non_negative("user_rtt_ms", self.user_rtt_ms)?;
        validate::non_negative("cross_dc_rtt_ms", self.cross_dc_rtt_ms)?;
        validate::non_negative("intra_dc_rtt_ms", self.intra_dc_rtt_ms)?;
        validate::probability("machine_availability", self.machine_availability)?;
        Ok(())
    }

    /// Data centers, front-ends per DC and caches per DC of a design.
    fn shape(&self, arch: Architecture) -> (usize, usize, usize) {
        match arch {
            Architecture::SingleServer | Architecture::WebAndDatabase => (1, 1, 0),
            Architecture::TwoTier => (1, self.front_ends, 0),
            Architecture::ThreeTier => (1, self.front_ends, self.cache_servers),
            Architecture::MultiDataCenter => (self.data_centers, self.front_ends, self.cache_servers),
        }
    }

    /// Availability of a design for hit ratio `h`: some front-end up somewhere, and the database up
    /// unless a read hits a live cache. The single server is one machine.
    pub fn analytic_availability(&self, arch: Architecture, hit_ratio: f64) -> f64 {
        let a = self.machine_availability;
        if arch == Architecture::SingleServer {
            return a;
        }
        let (dcs, fes, caches) = self.shape(arch);
        let any_up = |n: usize| 1.0 - (1.0 - a).powi(n as i32);
        let serve = 1.0 - (1.0 - any_up(fes)).powi(dcs as i32);
        let (w, hc) = (self.write_fraction, hit_ratio * if caches > 0 { any_up(caches) } else { 0.0 });
        serve * (w * a + (1.0 - w) * (hc + (1.0 - hc) * a))
    }

    /// Capacity of a design: the least, over stations, of servers / (visits per request × service time).
    pub fn analytic_capacity(&self, arch: Architecture, hit_ratio: f64) -> f64 {
        let (dcs, fes, caches) = self.shape(arch);
        let fe_ms = if arch == Architecture::SingleServer { self.web_ms + self.db_ms } else { self.web_ms };
        // Busiest data center: the local one, or the larger share of remote users.
        let share = if dcs > 1 {
            (1.0 - self.remote_user_fraction).max(self.remote_user_fraction / (dcs - 1) as f64)
        } else {
            1.0
        };
        let mut cap = fes as f64 / (share * fe_ms / 1e3);
        if caches > 0 {
            cap = cap.min(caches as f64 / (share * (1.0 - self.write_fraction) * self.cache_ms / 1e3));
        }
        if arch != Architecture::SingleServer {
            let db_visits = self.write_fraction + (1.0 - self.write_fraction) * (1.0 - hit_ratio);
            cap = cap.min(1.0 / (db_visits * self.db_ms / 1e3));
        }
        cap
    }

    /// Simulates every design on the same seed.
    pub fn run(&self, seed: u64) -> Result<ArchitectureResult> {
        self.validate()?;
        let rows = self.architectures.iter().map(|&a| self.run_one(a, seed)).collect::<Result<_>>()?;
        Ok(ArchitectureResult { config: self.clone(), rows })
    }

    fn run_one(&self, arch: Architecture, seed: u64) -> Result<ArchitectureRow> {
        let reqs = tiers::simulate(self, arch, seed)?;
        let mut hist = LatencyHistogram::new();
        for r in &reqs {
            hist.record(Duration::from_secs_f64("latency", r.done - r.arrival)?);
        }
        let span = reqs.iter().map(|r| r.done).fold(0.0, f64::max);
        // Database load is per second of offered traffic (the arrivals' span), so it compares with λ.
        let arrival_span = reqs.last().map_or(1.0, |r| r.arrival);
        let reads = reqs.iter().filter(|r| !r.write).count().max(1);
        let hit_ratio = reqs.iter().filter(|r| r.hit).count() as f64 / reads as f64;
        let db_queries =
            if arch == Architecture::SingleServer { reqs.len() } else { reqs.iter().filter(|r| !r.hit).count() };
        let db_load_theory =
            self.arrival_rate * (self.write_fraction + (1.0 - self.write_fraction) * (1.0 - hit_ratio));
        Ok(ArchitectureRow {
            architecture: arch,
            p50_ms: hist.p50().as_millis_f64(),
            p99_ms: hist.p99().as_millis_f64(),
            throughput: reqs.len() as f64 / span,
            capacity: self.analytic_capacity(arch, hit_ratio),
            hit_ratio,
            db_load: db_queries as f64 / arrival_span,
            db_load_theory: if arch == Architecture::SingleServer { self.arrival_rate } else { db_load_theory },
            availability_theory: self.analytic_availability(arch, hit_ratio),
            availability: self.sample_availability(arch, &reqs, seed)?,
        })
    }

    /// Per request, draws every needed machine's up/down state (stream `Failures`) and counts the
    /// requests that could be served: an independent check of [`Self::analytic_availability`].
    fn sample_availability(&self, arch: Architecture, reqs: &[tiers::Request], seed: u64) -> Result<Estimate> {
        let mut rng = stream(seed, Stream::Failures);
        let a = self.machine_availability;
        let (dcs, fes, caches) = self.shape(arch);
        let mut up = |n: usize| (0..n).map(|_| rng.random::<f64>() < a).fold(false, |x, y| x | y);
        let mut ok = 0u64;
        for r in reqs {
            let served = if arch == Architecture::SingleServer {
                up(1)
            } else {
                let front = (0..dcs).map(|_| up(fes)).fold(false, |x, y| x | y);
                let cache_answers = r.hit && caches > 0 && up(caches);
                front && (cache_answers || up(1))
            };
            ok += u64::from(served);
        }
        proportion_ci95(ok, reqs.len() as u64)
    }
}

impl ArchitectureResult {
    /// One row per design: latency, throughput, capacity, database load, cache hits, availability.
    pub fn table(&self) -> Table {
        let mut t = Table::new([
            "architecture",
            "p50 (ms)",
            "p99 (ms)",
            "throughput/s",
            "capacity/s",
            "hit ratio",
            "DB load/s",
            "DB load theory/s",
            "availability theory",
            "availability sim",
            "95% CI",
        ])
        .title(format!("Architectures at {} requests/s", self.config.arrival_rate));
        for r in &self.rows {
            let e = &r.availability;
            t.row(vec![
                format!("{:?}", r.architecture).into(),
                r.p50_ms.into(),
                r.p99_ms.into(),
                r.throughput.into(),
                r.capacity.into(),
                r.hit_ratio.into(),
                r.db_load.into(),
                r.db_load_theory.into(),
                r.availability_theory.into(),
                e.mean.into(),
                format!("[{:.5}, {:.5}]", e.lo, e.hi).into(),
            ])
            .expect("eleven columns");
        }
        ["hit ratio", "availability theory", "availability sim"]
            .iter()
            .try_fold(t, |t, c| t.format(c, if *c == "hit ratio" { Format::Percent(1) } else { Format::Percent(3) }))
            .expect("columns exist")
    }

    /// p50 and p99 latency per design.
    pub fn plot(&self) -> Plot {
        let bars = |f: fn(&ArchitectureRow) -> f64| {
            self.rows.iter().map(|r| (format!("{:?}", r.architecture), f(r))).collect()
        };
        Plot::new("Latency by architecture")
            .y_label("latency (ms)")
            .bar("p50", bars(|r| r.p50_ms))
            .bar("p99", bars(|r| r.p99_ms))
    }
}

impl Render for ArchitectureResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(ArchitectureResult);
