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
//! The model runs on the engine with three nodes: the *store* (the cache and the database side by
//! side, so that it can tell a stale hit when it serves one), the *readers* and the *writers*.
//! Reads and writes are Poisson streams over Zipf-distributed keys; a reader that misses gets the
//! database's version and a lease, waits an exponential fill delay (its own work, a GC pause), and
//! sends the fill. Messages take no time, so the only race is the one the fill delay opens.
//!
//! ```
//! use distsim::prelude::*;
//! use concepts::architectures::StaleReadConfig;
//! let race = StaleReadConfig { duration: secs(2), ..Default::default() }.compare(0..2)?;
//! let stale = race.means("stale_fraction")?; // delete-on-write, then leases
//! assert!(stale[0] > 0.0 && stale[1] == 0.0);
//! # Ok::<(), distsim::Error>(())
//! ```

use crate::engine::{Context, Node, NodeId, Simulation};
use crate::error::Result;
use crate::experiment::{Experiment, ExperimentSweep, Parameters, Range, Report};
use crate::network::{Latency, Network};
use crate::render::{Format, MimeBundle, Plot, Render, Table};
use crate::rng::{stream, SimRng, Stream};
use crate::time::{micros, secs, Duration, Time};
use crate::trace::TraceMode;

use super::cache::KeyPicker;
use crate::concepts::queueing::{exponential, exponential_time};

/// How the cache is kept in step with the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalidation {
    /// Write the database, then delete the cache entry; fills always succeed (racy).
    DeleteOnWrite,
    /// As above, but a fill needs a lease that no delete has revoked since the miss.
    Leases,
}

crate::choice_param!(Invalidation { DeleteOnWrite => "delete_on_write", Leases => "leases" });

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
    /// Mean delay from a miss's database read to its cache fill.
    pub fill_delay: Duration,
    /// Simulated time.
    pub duration: Duration,
    /// The invalidation scheme.
    pub invalidation: Invalidation,
}

crate::parameters!(StaleReadConfig {
    keys: Range::count(1, 10_000_000) => "distinct keys",
    zipf_exponent: Range::real(0.0, 10.0) => "Zipf exponent of key popularity",
    read_rate: Range::real(0.001, 1e8) => "reads per second (Poisson)",
    write_rate: Range::real(0.0, 1e8) => "writes per second (Poisson; 0 = none)",
    fill_delay: Range::time(micros(1), secs(60)) => "mean delay from a miss's database read to its cache fill",
    duration: Range::time(Duration::from_millis(1), Duration::from_hours(24)) => "simulated time",
    invalidation: Range::Choice(Invalidation::CHOICES) => "how the cache is kept in step with the database",
});

impl Default for StaleReadConfig {
    fn default() -> Self {
        StaleReadConfig {
            keys: 1_000,
            zipf_exponent: 1.0,
            read_rate: 10_000.0,
            write_rate: 200.0,
            fill_delay: Duration::from_millis(5),
            duration: secs(10),
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

/// The store's node id; the readers are node 1, the writers node 2.
const STORE: NodeId = 0;
/// What a client's timer is for.
#[derive(Clone, Debug)]
enum Due {
    /// Readers: the next read is due.
    NextRead,
    /// Readers: a fill delay is over; the fill carries what the missed read learned.
    Fill { key: usize, version: u64, lease: u64 },
    /// Writers: the next write is due.
    NextWrite,
}

#[derive(Clone, Debug)]
enum Msg {
    Read {
        key: usize,
    },
    /// The store's answer to a missed read: the database's version and the key's lease.
    Miss {
        key: usize,
        version: u64,
        lease: u64,
    },
    Fill {
        key: usize,
        version: u64,
        lease: u64,
    },
    Write {
        key: usize,
    },
}

struct Store {
    leases: bool,
    db: Vec<u64>,            // current version per key
    cache: Vec<Option<u64>>, // cached version per key
    lease: Vec<u64>,         // bumped by every delete
    counts: StaleReadResult,
}

struct Clients {
    picker: KeyPicker,
    rate: f64,
    arrivals: SimRng,
    /// Readers only: how long a fill takes to reach the cache.
    fill_delay: Duration,
    delays: SimRng,
}

enum Actor {
    Store(Box<Store>),
    Readers(Clients),
    Writers(Clients),
}

impl Clients {
    fn next(&mut self, ctx: &mut Context<Msg, Due>, due: Due) {
        let gap = exponential(&mut self.arrivals, self.rate);
        ctx.set_timer(Duration::from_nanos((gap * 1e9).round() as u64), due);
    }
}

impl Node for Actor {
    type Msg = Msg;
    type Timer = Due;

    fn on_start(&mut self, ctx: &mut Context<Msg, Due>) {
        match self {
            Actor::Readers(r) => r.next(ctx, Due::NextRead),
            Actor::Writers(w) if w.rate > 0.0 => w.next(ctx, Due::NextWrite),
            _ => {}
        }
    }

    fn on_timer(&mut self, ctx: &mut Context<Msg, Due>, due: Due) {
        match (self, due) {
            (Actor::Readers(r), Due::NextRead) => {
                let key = r.picker.pick(&mut r.arrivals);
                ctx.send(STORE, Msg::Read { key });
                r.next(ctx, Due::NextRead);
            }
            (Actor::Readers(_), Due::Fill { key, version, lease }) => {
                ctx.send(STORE, Msg::Fill { key, version, lease });
            }
            (Actor::Writers(w), Due::NextWrite) => {
                let key = w.picker.pick(&mut w.arrivals);
                ctx.send(STORE, Msg::Write { key });
                w.next(ctx, Due::NextWrite);
            }
            _ => {}
        }
    }

    fn on_message(&mut self, ctx: &mut Context<Msg, Due>, from: NodeId, msg: Msg) {
        match (self, msg) {
            (Actor::Store(s), Msg::Read { key }) => {
                s.counts.reads += 1;
                match s.cache[key] {
                    Some(v) => {
                        s.counts.hits += 1;
                        s.counts.stale_reads += u64::from(v < s.db[key]);
                    }
                    None => ctx.send(from, Msg::Miss { key, version: s.db[key], lease: s.lease[key] }),
                }
            }
            (Actor::Store(s), Msg::Fill { key, version, lease }) => {
                if s.leases && lease != s.lease[key] {
                    s.counts.refused_fills += 1;
                } else {
                    s.counts.poisoned_fills += u64::from(version < s.db[key]);
                    s.cache[key] = Some(version);
                }
            }
            (Actor::Store(s), Msg::Write { key }) => {
                s.db[key] += 1;
                s.cache[key] = None;
                s.lease[key] += 1;
            }
            (Actor::Readers(r), Msg::Miss { key, version, lease }) => {
                let delay = exponential_time(&mut r.delays, r.fill_delay);
                ctx.set_timer(delay, Due::Fill { key, version, lease });
            }
            _ => {}
        }
    }
}

impl Experiment for StaleReadConfig {
    type Output = StaleReadResult;

    fn validate(&self) -> Result<()> {
        self.check_ranges()
    }

    /// Runs the race for `duration`. Reads draw from stream `stale/reads`, writes from
    /// `stale/writes`, fill delays from `stale/fill_delay`.
    fn run(&self, seed: u64) -> Result<StaleReadResult> {
        self.validate()?;
        let clients = |name: &'static str, rate: f64| -> Result<Clients> {
            Ok(Clients {
                picker: KeyPicker::new(self.keys, self.zipf_exponent)?,
                rate,
                arrivals: stream(seed, Stream::named(name, 0)),
                fill_delay: self.fill_delay,
                delays: stream(seed, Stream::named("stale/fill_delay", 0)),
            })
        };
        let counts = StaleReadResult {
            config: self.clone(),
            reads: 0,
            hits: 0,
            stale_reads: 0,
            poisoned_fills: 0,
            refused_fills: 0,
        };
        let store = Store {
            leases: self.invalidation == Invalidation::Leases,
            db: vec![0; self.keys],
            cache: vec![None; self.keys],
            lease: vec![0; self.keys],
            counts,
        };
        let actors = vec![
            Actor::Store(Box::new(store)),
            Actor::Readers(clients("stale/reads", self.read_rate)?),
            Actor::Writers(clients("stale/writes", self.write_rate)?),
        ];
        let instant = Network::new().latency(Latency::Constant(Duration::ZERO));
        let mut sim = Simulation::new(seed, actors)?.with_network(instant)?.with_trace_mode(TraceMode::DigestOnly);
        sim.run_until(Time::ZERO + self.duration)?;
        let Actor::Store(store) = sim.node(STORE) else { unreachable!("node 0 is the store") };
        Ok(store.counts.clone())
    }
}

impl StaleReadConfig {
    /// The same workload under every invalidation scheme with every seed of `seeds`: a thin
    /// wrapper over [`Experiment::sweep`] of `invalidation`.
    pub fn compare(&self, seeds: impl IntoIterator<Item = u64>) -> Result<ExperimentSweep> {
        self.sweep("invalidation", Invalidation::CHOICES, seeds)
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

    /// Fraction of reads answered from the cache.
    pub fn hit_ratio(&self) -> f64 {
        if self.reads == 0 {
            0.0
        } else {
            self.hits as f64 / self.reads as f64
        }
    }

    /// The scheme against reads, hits, poisoned and refused fills, and stale reads.
    pub fn table(&self) -> Table {
        let mut t =
            Table::new(["invalidation", "reads", "hits", "poisoned fills", "refused fills", "stale reads", "stale %"])
                .title("Stale reads caused by the invalidation race");
        t.row(vec![
            format!("{:?}", self.config.invalidation).into(),
            self.reads.into(),
            self.hits.into(),
            self.poisoned_fills.into(),
            self.refused_fills.into(),
            self.stale_reads.into(),
            self.stale_fraction().into(),
        ])
        .expect("seven columns");
        t.format("stale %", Format::Percent(3)).expect("column exists")
    }

    /// The fills and stale reads as bars.
    pub fn plot(&self) -> Plot {
        Plot::new(format!("Invalidation race: {:?}", self.config.invalidation)).y_label("count").bar(
            "count",
            vec![
                ("poisoned fills".into(), self.poisoned_fills as f64),
                ("refused fills".into(), self.refused_fills as f64),
                ("stale reads".into(), self.stale_reads as f64),
            ],
        )
    }
}

impl Report for StaleReadResult {
    /// `stale_fraction` and `hit_ratio` (fractions of the reads), then the counts `stale_reads`,
    /// `poisoned_fills` and `refused_fills`.
    fn measures(&self) -> Vec<(String, f64)> {
        vec![
            ("stale_fraction".into(), self.stale_fraction()),
            ("hit_ratio".into(), self.hit_ratio()),
            ("stale_reads".into(), self.stale_reads as f64),
            ("poisoned_fills".into(), self.poisoned_fills as f64),
            ("refused_fills".into(), self.refused_fills as f64),
        ]
    }
    fn table(&self) -> Table {
        StaleReadResult::table(self)
    }
    fn plot(&self) -> Plot {
        StaleReadResult::plot(self)
    }
}

impl Render for StaleReadResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(StaleReadResult);
