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
//!
//! One run simulates one design ([`ArchitectureConfig::architecture`]) on the engine (stations are
//! nodes, see `tiers.rs`); [`ArchitectureConfig::compare`] runs several on the same seeds.
//!
//! ```
//! use distsim::prelude::*;
//! use concepts::architectures::{Architecture, ArchitectureConfig};
//! let small = ArchitectureConfig { requests: 5_000, ..Default::default() };
//! let designs = small.compare(&[Architecture::TwoTier, Architecture::ThreeTier], 0..2)?;
//! let db = designs.sweep.means("db_load")?;
//! assert!(db[1] < 0.7 * db[0]); // the cache takes reads off the database
//! # Ok::<(), distsim::Error>(())
//! ```

pub mod cache;
pub mod stale;
mod tiers;

pub use cache::{
    che_hit_ratio, zipf_probabilities, CacheConfig, CacheCurve, CachePoint, CacheResult, LruCache, CACHE_SIZES,
};
pub use stale::{Invalidation, StaleReadConfig, StaleReadResult};

use crate::error::{Error, Result};
use crate::experiment::{Experiment, ExperimentSweep, ParamField, Parameters, Range, Report};
use crate::metrics::LatencyHistogram;
use crate::render::{Format, MimeBundle, Plot, Render, Table};
use crate::rng::{stream, Stream};
use crate::stats::{proportion_ci95, Estimate};
use crate::time::{micros, millis, secs, Duration, Time};
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

crate::choice_param!(Architecture {
    SingleServer => "single_server",
    WebAndDatabase => "web_and_database",
    TwoTier => "two_tier",
    ThreeTier => "three_tier",
    MultiDataCenter => "multi_data_center",
});

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

/// One design, with the workload, the machines and the network every design shares.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchitectureConfig {
    /// The design to simulate.
    pub architecture: Architecture,
    /// Requests per second (Poisson).
    pub arrival_rate: f64,
    /// Requests simulated.
    pub requests: usize,
    /// Fraction of requests that are writes (always go to the database, invalidate caches).
    pub write_fraction: f64,
    /// Mean web-server CPU per request.
    pub web: Duration,
    /// Mean database time per query.
    pub db: Duration,
    /// Mean cache lookup time.
    pub cache_lookup: Duration,
    /// Front-end servers per data center (two-tier and beyond).
    pub front_ends: usize,
    /// Cache servers per data center (three-tier and multi-DC).
    pub cache_servers: usize,
    /// Cache entries per data center (at most `keys`).
    pub cache_size: usize,
    /// Data centers in the multi-DC design (at least 2).
    pub data_centers: usize,
    /// Distinct keys.
    pub keys: usize,
    /// Zipf exponent of key popularity.
    pub zipf_exponent: f64,
    /// Fraction of users on another continent.
    pub remote_user_fraction: f64,
    /// Round trip between a user and a nearby data center.
    pub user_rtt: Duration,
    /// Round trip across a continent (the chapter's "~500 ms").
    pub cross_dc_rtt: Duration,
    /// Round trip between machines in one data center.
    pub intra_dc_rtt: Duration,
    /// Probability that any one machine is up.
    pub machine_availability: f64,
}

crate::parameters!(ArchitectureConfig {
    architecture: Range::Choice(Architecture::CHOICES) => "the design: single server up to several data centers",
    arrival_rate: Range::real(0.001, 1e8) => "requests per second (Poisson)",
    requests: Range::count(100, 50_000_000) => "requests simulated",
    write_fraction: Range::Probability => "fraction of requests that write (database, cache invalidation)",
    web: Range::time(micros(1), secs(10)) => "mean web-server CPU per request",
    db: Range::time(micros(1), secs(10)) => "mean database time per query",
    cache_lookup: Range::time(micros(1), secs(10)) => "mean cache lookup time",
    front_ends: Range::count(1, 10_000) => "front-end servers per data center (two-tier and beyond)",
    cache_servers: Range::count(1, 10_000) => "cache servers per data center (three-tier and multi-DC)",
    cache_size: Range::count(0, 10_000_000) => "cache entries per data center (at most keys)",
    data_centers: Range::count(2, 100) => "data centers of the multi-DC design",
    keys: Range::count(1, 10_000_000) => "distinct keys",
    zipf_exponent: Range::real(0.0, 10.0) => "Zipf exponent of key popularity",
    remote_user_fraction: Range::Probability => "fraction of users on another continent",
    user_rtt: Range::time(Duration::ZERO, secs(10)) => "round trip between a user and a nearby data center",
    cross_dc_rtt: Range::time(Duration::ZERO, secs(10)) => "round trip across a continent",
    intra_dc_rtt: Range::time(Duration::ZERO, secs(1)) => "round trip between machines in one data center",
    machine_availability: Range::Probability => "probability that any one machine is up",
});

impl Default for ArchitectureConfig {
    fn default() -> Self {
        ArchitectureConfig {
            architecture: Architecture::ThreeTier,
            arrival_rate: 1_500.0,
            requests: 50_000,
            write_fraction: 0.1,
            web: micros(200),
            db: micros(300),
            cache_lookup: micros(50),
            front_ends: 4,
            cache_servers: 2,
            cache_size: 1_000,
            data_centers: 2,
            keys: 10_000,
            zipf_exponent: 1.0,
            remote_user_fraction: 0.5,
            user_rtt: millis(20),
            cross_dc_rtt: millis(500),
            intra_dc_rtt: micros(500),
            machine_availability: 0.999,
        }
    }
}

/// One design's measurements next to its predictions.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchitectureResult {
    /// The configuration that was run.
    pub config: ArchitectureConfig,
    /// Median latency.
    pub p50: Duration,
    /// 99th percentile latency.
    pub p99: Duration,
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

impl ArchitectureConfig {
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
        let (web, db, lookup) = (self.web.as_secs_f64(), self.db.as_secs_f64(), self.cache_lookup.as_secs_f64());
        let fe = if arch == Architecture::SingleServer { web + db } else { web };
        // Busiest data center: the local one, or the larger share of remote users.
        let share = if dcs > 1 {
            (1.0 - self.remote_user_fraction).max(self.remote_user_fraction / (dcs - 1) as f64)
        } else {
            1.0
        };
        let mut cap = fes as f64 / (share * fe);
        if caches > 0 {
            cap = cap.min(caches as f64 / (share * (1.0 - self.write_fraction) * lookup));
        }
        if arch != Architecture::SingleServer {
            let db_visits = self.write_fraction + (1.0 - self.write_fraction) * (1.0 - hit_ratio);
            cap = cap.min(1.0 / (db_visits * db));
        }
        cap
    }

    /// Runs each design of `designs` with every seed of `seeds`, the same seeds for all: a thin
    /// wrapper over [`Experiment::sweep`] of `architecture`.
    pub fn compare(
        &self,
        designs: &[Architecture],
        seeds: impl IntoIterator<Item = u64>,
    ) -> Result<ArchitectureComparison> {
        let names: Vec<String> = designs.iter().map(|d| d.to_param().to_string()).collect();
        let sweep = self.sweep("architecture", &names, seeds)?;
        Ok(ArchitectureComparison { designs: designs.to_vec(), sweep })
    }

    /// Per request, draws every needed machine's up/down state (stream `tiers/availability`) and
    /// counts the requests that could be served: an independent check of
    /// [`Self::analytic_availability`].
    fn sample_availability(&self, reqs: &[tiers::Request], seed: u64) -> Result<Estimate> {
        let arch = self.architecture;
        let mut rng = stream(seed, Stream::named("tiers/availability", 0));
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

impl Experiment for ArchitectureConfig {
    type Output = ArchitectureResult;

    /// The ranges, then: a cache holds at most every key.
    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        if self.cache_size > self.keys {
            return Err(Error::invalid(
                "cache_size",
                self.cache_size,
                format!("an integer in [0, keys = {}]", self.keys),
            ));
        }
        Ok(())
    }

    /// Simulates the design on the engine and measures it.
    fn run(&self, seed: u64) -> Result<ArchitectureResult> {
        self.validate()?;
        let arch = self.architecture;
        let reqs = tiers::simulate(self, arch, seed)?;
        let mut hist = LatencyHistogram::new();
        for r in &reqs {
            hist.record(r.done - r.arrival);
        }
        let span = reqs.iter().map(|r| r.done).max().unwrap_or(Time::ZERO).since(Time::ZERO).as_secs_f64();
        // Database load is per second of offered traffic (the arrivals' span), so it compares with λ.
        let arrival_span = reqs.last().map_or(1.0, |r| r.arrival.since(Time::ZERO).as_secs_f64());
        let reads = reqs.iter().filter(|r| !r.write).count().max(1);
        let hit_ratio = reqs.iter().filter(|r| r.hit).count() as f64 / reads as f64;
        let single = arch == Architecture::SingleServer;
        let db_queries = if single { reqs.len() } else { reqs.iter().filter(|r| !r.hit).count() };
        let db_load_theory =
            self.arrival_rate * (self.write_fraction + (1.0 - self.write_fraction) * (1.0 - hit_ratio));
        Ok(ArchitectureResult {
            config: self.clone(),
            p50: hist.p50(),
            p99: hist.p99(),
            throughput: reqs.len() as f64 / span,
            capacity: self.analytic_capacity(arch, hit_ratio),
            hit_ratio,
            db_load: db_queries as f64 / arrival_span,
            db_load_theory: if single { self.arrival_rate } else { db_load_theory },
            availability_theory: self.analytic_availability(arch, hit_ratio),
            availability: self.sample_availability(&reqs, seed)?,
        })
    }
}

const COLUMNS: [&str; 11] = [
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
];

fn design_table(title: String, rows: Vec<Vec<crate::render::Value>>) -> Table {
    let mut t = Table::new(COLUMNS).title(title);
    for row in rows {
        t.row(row).expect("eleven columns");
    }
    ["hit ratio", "availability theory", "availability sim"]
        .iter()
        .try_fold(t, |t, c| t.format(c, if *c == "hit ratio" { Format::Percent(1) } else { Format::Percent(3) }))
        .expect("columns exist")
}

impl ArchitectureResult {
    /// One row: latency, throughput, capacity, database load, cache hits, availability.
    pub fn table(&self) -> Table {
        let e = &self.availability;
        design_table(
            format!("{:?} at {} requests/s", self.config.architecture, self.config.arrival_rate),
            vec![vec![
                format!("{:?}", self.config.architecture).into(),
                self.p50.as_millis_f64().into(),
                self.p99.as_millis_f64().into(),
                self.throughput.into(),
                self.capacity.into(),
                self.hit_ratio.into(),
                self.db_load.into(),
                self.db_load_theory.into(),
                self.availability_theory.into(),
                e.mean.into(),
                format!("[{:.5}, {:.5}]", e.lo, e.hi).into(),
            ]],
        )
    }

    /// p50 and p99 latency as bars.
    pub fn plot(&self) -> Plot {
        let name = format!("{:?}", self.config.architecture);
        Plot::new(format!("Latency of {name}"))
            .y_label("latency (ms)")
            .bar("p50", vec![(name.clone(), self.p50.as_millis_f64())])
            .bar("p99", vec![(name, self.p99.as_millis_f64())])
    }
}

/// The measures of one design run, in [`Report::measures`] order.
const MEASURES: [&str; 9] = [
    "p50_ms",
    "p99_ms",
    "throughput",
    "capacity",
    "hit_ratio",
    "db_load",
    "db_load_theory",
    "availability_theory",
    "availability",
];

impl Report for ArchitectureResult {
    /// `p50_ms`, `p99_ms` (latency), `throughput` and `capacity` (requests per second),
    /// `hit_ratio`, `db_load` and `db_load_theory` (queries per second), `availability_theory`
    /// and `availability` (simulated).
    fn measures(&self) -> Vec<(String, f64)> {
        let values = [
            self.p50.as_millis_f64(),
            self.p99.as_millis_f64(),
            self.throughput,
            self.capacity,
            self.hit_ratio,
            self.db_load,
            self.db_load_theory,
            self.availability_theory,
            self.availability.mean,
        ];
        MEASURES.iter().zip(values).map(|(n, v)| (n.to_string(), v)).collect()
    }
    fn table(&self) -> Table {
        ArchitectureResult::table(self)
    }
    fn plot(&self) -> Plot {
        ArchitectureResult::plot(self)
    }
}

/// Several designs on the same workload and seeds.
#[derive(Clone, Debug, PartialEq)]
pub struct ArchitectureComparison {
    /// The designs, in the order given.
    pub designs: Vec<Architecture>,
    /// The generic sweep of `architecture`: every measure's mean and CI per design.
    pub sweep: ExperimentSweep,
}

impl ArchitectureComparison {
    fn means(&self, measure: &str) -> Vec<f64> {
        self.sweep.means(measure).expect("every design run reports every measure")
    }

    /// One row per design: means over the seeds; the CI is that of the simulated availability.
    pub fn table(&self) -> Table {
        let m: Vec<Vec<f64>> = MEASURES.iter().map(|name| self.means(name)).collect();
        let availability = self.sweep.estimates("availability").expect("a measure");
        let rows = self
            .designs
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let mut row: Vec<crate::render::Value> = vec![format!("{d:?}").into()];
                row.extend(m.iter().map(|col| col[i].into()));
                let e = availability[i];
                row.push(format!("[{:.5}, {:.5}]", e.lo, e.hi).into());
                row
            })
            .collect();
        design_table(format!("Architectures (mean of {} seeds)", self.sweep.result.seeds.len()), rows)
    }

    /// Mean p50 and p99 latency per design.
    pub fn plot(&self) -> Plot {
        let bars = |name: &str| {
            self.designs.iter().zip(self.means(name)).map(|(d, v)| (format!("{d:?}"), v)).collect::<Vec<_>>()
        };
        Plot::new("Latency by architecture")
            .y_label("latency (ms)")
            .bar("p50", bars("p50_ms"))
            .bar("p99", bars("p99_ms"))
    }
}

impl Render for ArchitectureResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
impl Render for ArchitectureComparison {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(ArchitectureResult, ArchitectureComparison);
