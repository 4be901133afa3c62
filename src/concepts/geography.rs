//! Geography: the speed of light puts a floor under latency, so data must live near its users.
//!
//! Light in optical fiber covers about 200 km per millisecond, so a round trip between two places
//! can never take less than `2 × distance / 200,000 km/s`: about 66 ms across the Atlantic and
//! about 110 ms from the US east coast to Tokyo, before any router, queue or server adds its share.
//! Real paths are longer than the great circle (`route_inflation`), and servers take time to answer.
//!
//! No amount of engineering removes that floor; the only remedy is to put a replica closer to the
//! users. The model places replicas at named data-center sites ([`SiteMatrix`]), sends each user
//! region to its nearest replica, and samples request latencies as
//! `route_inflation × RTT floor + server time + queueing jitter` (log-normal). Its mean per region
//! has a closed form to check the simulation against, and [`Config::best_placements`] searches
//! every placement of `k` replicas for the lowest user-weighted latency.
//!
//! Replicas far apart are also expensive to keep consistent: [`quorum`] measures a majority write
//! within one region against one across continents.
//!
//! The chapter also quotes a business figure: Amazon found that 100 ms of extra latency cost about
//! 1% of sales. [`RevenueModel`] turns that one anecdote into a curve. It is **illustrative only**:
//! an extrapolation of a single reported number, not a law.
//!
//! ```
//! use distsim::prelude::*;
//! use distsim::concepts::geography as geo;
//! let one_site = geo::Config { requests: 2000, ..Default::default() };
//! let world = one_site.run(1)?; // per region: nearest replica, light floor, latencies
//! assert!(world.p99_ms > world.mean_ms);
//! // Any knob by name, the same seeds at every value: slower servers, slower requests.
//! let slower = one_site.sweep("server", &[millis(1), millis(50)], 0..3)?.means("mean_ms")?;
//! assert!(slower[1] > slower[0] + 40.0);
//! # Ok::<(), distsim::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::experiment::{Experiment, Parameters, Range};
use crate::network::{Site, SiteMatrix};
use crate::rng::{stream, Stream};
use crate::stats;
use crate::time::{secs, Duration};
use crate::validate;
use rand::Rng;
use rand_distr::{Distribution, LogNormal};

/// Where some of the users are, and what share of all users they are.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRegion {
    /// The region's name.
    pub name: String,
    /// Latitude in degrees.
    pub lat: f64,
    /// Longitude in degrees.
    pub lon: f64,
    /// Share of users (weights are normalised; > 0).
    pub share: f64,
}

impl UserRegion {
    /// A region of users.
    pub fn new(name: &str, lat: f64, lon: f64, share: f64) -> UserRegion {
        UserRegion { name: name.to_string(), lat, lon, share }
    }
}

/// Eight metropolitan areas standing in for a worldwide user base (shares are our assumption).
pub fn world_users() -> Vec<UserRegion> {
    vec![
        UserRegion::new("New York", 40.71, -74.01, 0.20),
        UserRegion::new("San Francisco", 37.77, -122.42, 0.10),
        UserRegion::new("São Paulo", -23.55, -46.63, 0.10),
        UserRegion::new("London", 51.51, -0.13, 0.15),
        UserRegion::new("Lagos", 6.52, 3.38, 0.05),
        UserRegion::new("Mumbai", 19.08, 72.88, 0.15),
        UserRegion::new("Tokyo", 35.68, 139.65, 0.15),
        UserRegion::new("Sydney", -33.87, 151.21, 0.10),
    ]
}

/// Replicas at some data-center sites, serving users around the world.
///
/// The sites, the replica set and the user regions are lists, checked by `validate` but not
/// named parameters: compare placements with [`Config::best_placements`].
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Candidate data-center sites (default: [`SiteMatrix::well_known`]).
    pub sites: Vec<Site>,
    /// Names of the sites that hold a replica (at least one, each in `sites`).
    pub replicas: Vec<String>,
    /// Where the users are.
    pub users: Vec<UserRegion>,
    /// How much longer real network paths are than the great circle, in `[1, 10]`.
    pub route_inflation: f64,
    /// Server time per request, in `[0, 10 s]`.
    pub server: Duration,
    /// Median extra queueing delay per request, in `[0, 10 s]`.
    pub jitter_median: Duration,
    /// Spread of the log-normal queueing delay, in `[0, 3]`.
    pub jitter_sigma: f64,
    /// Requests simulated, in `[1, 10_000_000]`.
    pub requests: u64,
}

crate::parameters!(Config {
    route_inflation: Range::real(1.0, 10.0) => "how much longer real paths are than the great circle",
    server: Range::time(Duration::ZERO, secs(10)) => "server time per request",
    jitter_median: Range::time(Duration::ZERO, secs(10)) => "median extra queueing delay per request",
    jitter_sigma: Range::real(0.0, 3.0) => "spread of the log-normal queueing delay",
    requests: Range::count(1, 10_000_000) => "requests simulated",
});

impl Default for Config {
    /// One replica on the US east coast serving the whole world.
    fn default() -> Self {
        Config {
            sites: SiteMatrix::well_known().sites().to_vec(),
            replicas: vec!["Ashburn".to_string()],
            users: world_users(),
            route_inflation: 1.5,
            server: crate::time::millis(10),
            jitter_median: crate::time::millis(5),
            jitter_sigma: 0.5,
            requests: 20_000,
        }
    }
}

impl Experiment for Config {
    type Output = GeographyResult;

    /// The ranges; then every coordinate, at least one replica and each one a site name, and at
    /// least one user region with a positive share.
    fn validate(&self) -> Result<()> {
        self.check_ranges()?;
        self.matrix()?;
        if self.replicas.is_empty() {
            return Err(Error::empty("replicas"));
        }
        self.replica_indices()?;
        if self.users.is_empty() {
            return Err(Error::empty("users"));
        }
        for (i, u) in self.users.iter().enumerate() {
            validate::positive(&format!("users[{i}].share"), u.share)?;
        }
        Ok(())
    }

    /// Samples `requests` requests from users (chosen by share) to their nearest replica.
    fn run(&self, seed: u64) -> Result<GeographyResult> {
        self.simulate(seed)
    }
}

impl Config {
    /// Sites first, then user regions, in one matrix (validates every coordinate).
    fn matrix(&self) -> Result<SiteMatrix> {
        let users = self.users.iter().map(|u| Site::new(u.name.clone(), u.lat, u.lon));
        let m = SiteMatrix::new(self.sites.iter().cloned().chain(users).collect());
        m.map_err(|e| match e {
            Error::Empty { .. } => Error::empty("sites"),
            other => other,
        })
    }

    fn replica_indices(&self) -> Result<Vec<usize>> {
        let names: Vec<&str> = self.sites.iter().map(|s| s.name.as_str()).collect();
        self.replicas
            .iter()
            .map(|r| {
                names
                    .iter()
                    .position(|n| n == r)
                    .ok_or_else(|| Error::invalid("replicas", r, format!("site names from {names:?}")))
            })
            .collect()
    }

    /// For each user region: (nearest replica's site index, RTT floor in ms) for the replica set `at`.
    fn nearest(&self, m: &SiteMatrix, at: &[usize]) -> Result<Vec<(usize, f64)>> {
        let s = self.sites.len();
        (0..self.users.len())
            .map(|u| {
                let mut best = (at[0], f64::INFINITY);
                for &r in at {
                    let rtt = m.rtt_floor(r, s + u)?.as_millis_f64();
                    if rtt < best.1 {
                        best = (r, rtt); // strict <: ties go to the replica listed first
                    }
                }
                Ok(best)
            })
            .collect()
    }

    /// Expected request latency in ms for a region whose RTT floor is `floor_ms`.
    pub fn analytic_mean_ms(&self, floor_ms: f64) -> f64 {
        let jitter = self.jitter_median.as_millis_f64() * (self.jitter_sigma * self.jitter_sigma / 2.0).exp();
        self.route_inflation * floor_ms + self.server.as_millis_f64() + jitter
    }

    fn weighted_mean_ms(&self, nearest: &[(usize, f64)]) -> f64 {
        let total: f64 = self.users.iter().map(|u| u.share).sum();
        self.users.iter().zip(nearest).map(|(u, &(_, f))| u.share * self.analytic_mean_ms(f)).sum::<f64>() / total
    }

    fn simulate(&self, seed: u64) -> Result<GeographyResult> {
        self.validate()?;
        let m = self.matrix()?;
        let nearest = self.nearest(&m, &self.replica_indices()?)?;
        let (server_ms, jitter_ms) = (self.server.as_millis_f64(), self.jitter_median.as_millis_f64());
        let jitter = LogNormal::new(jitter_ms.max(f64::MIN_POSITIVE).ln(), self.jitter_sigma)
            .map_err(|_| Error::invalid("jitter_sigma", self.jitter_sigma, "a number in [0, 3]"))?;
        let total: f64 = self.users.iter().map(|u| u.share).sum();
        let mut rng = stream(seed, Stream::Workload);
        let mut samples = vec![Vec::new(); self.users.len()];
        let mut checkpoint = crate::cancel::Checkpoint::every(4096);
        for _ in 0..self.requests {
            checkpoint.tick()?;
            let mut pick = rng.random_range(0.0..total);
            let u = self
                .users
                .iter()
                .position(|r| {
                    pick -= r.share;
                    pick < 0.0
                })
                .unwrap_or(self.users.len() - 1);
            let extra = if jitter_ms > 0.0 { jitter.sample(&mut rng) } else { 0.0 };
            samples[u].push(self.route_inflation * nearest[u].1 + server_ms + extra);
        }
        let mut all: Vec<f64> = samples.iter().flatten().copied().collect();
        all.sort_by(f64::total_cmp);
        let mean_ms = all.iter().sum::<f64>() / all.len() as f64;
        let p99_ms = quantile(&all, 0.99);
        let regions = self
            .users
            .iter()
            .zip(&nearest)
            .zip(samples)
            .map(|((u, &(site, floor)), mut xs)| {
                xs.sort_by(f64::total_cmp);
                let (p50, p99) = (quantile(&xs, 0.5), quantile(&xs, 0.99));
                let mean = if xs.is_empty() { None } else { Some(stats::mean_ci95(&xs)?) };
                Ok(RegionLatency {
                    region: u.name.clone(),
                    replica: self.sites[site].name.clone(),
                    floor_ms: floor,
                    analytic_mean_ms: self.analytic_mean_ms(floor),
                    mean,
                    p50_ms: p50,
                    p99_ms: p99,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let weighted_mean_ms = self.weighted_mean_ms(&nearest);
        Ok(GeographyResult { config: self.clone(), seed, weighted_mean_ms, mean_ms, p99_ms, regions })
    }

    /// Every placement of `k` replicas among the sites, best (lowest user-weighted mean latency) first.
    pub fn best_placements(&self, k: usize) -> Result<Vec<(Vec<String>, f64)>> {
        self.validate()?;
        validate::count_in("k", k, 1, self.sites.len().min(6))?;
        let m = self.matrix()?;
        let mut out = Vec::new();
        let mut pick: Vec<usize> = (0..k).collect();
        loop {
            let mean = self.weighted_mean_ms(&self.nearest(&m, &pick)?);
            out.push((pick.iter().map(|&i| self.sites[i].name.clone()).collect(), mean));
            // Next k-combination in lexicographic order.
            let n = self.sites.len();
            let Some(i) = (0..k).rev().find(|&i| pick[i] < n - k + i) else { break };
            pick[i] += 1;
            for j in i + 1..k {
                pick[j] = pick[j - 1] + 1;
            }
        }
        out.sort_by(|a, b| a.1.total_cmp(&b.1)); // stable: ties keep lexicographic order
        Ok(out)
    }

    /// The best placement's user-weighted mean latency for 1..=`max_k` replicas, with the
    /// illustrative revenue model beside it. An exhaustive search over the closed form, not a
    /// simulation, so it takes no seeds; vary a named knob with [`Experiment::sweep`].
    pub fn vs_replicas(&self, max_k: usize) -> Result<ReplicaCurve> {
        validate::count_in("max_k", max_k, 1, self.sites.len().min(6))?;
        let rows = (1..=max_k).map(|k| Ok((k, self.best_placements(k)?.swap_remove(0)))).collect::<Result<Vec<_>>>()?;
        Ok(ReplicaCurve {
            rows: rows.into_iter().map(|(k, (names, ms))| (k, names.join(", "), ms)).collect(),
            revenue: RevenueModel::default(),
        })
    }
}

/// Quantile `q` of sorted `xs` (nearest rank; NaN when empty).
fn quantile(xs: &[f64], q: f64) -> f64 {
    xs.get(((xs.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN)
}

pub mod quorum;
mod report;
pub use quorum::{quorum_plot, quorum_table, QuorumConfig, QuorumResult};
pub use report::{GeographyResult, RegionLatency, ReplicaCurve, RevenueModel};
