//! One simulated year per trial, by sampling failure events rather than ticking machines.

use super::result::{reduce, TrialOutcome, BUCKETS};
use super::{fraction_len, waves, Blast, Config, DatacenterResult, Placement, HOURS_PER_YEAR};
use crate::error::Result;
use crate::faults::{Domain, DomainKind, Topology};
use crate::rng::{stream, SimRng, Stream};
use rand::Rng;
use rand_distr::{Distribution, Poisson};
use rayon::prelude::*;

/// Trial `t` draws from stream `datacenter/year` number `t`: independent of every other trial
/// and of how rayon splits the work.
const TRIAL_STREAM: &str = "datacenter/year";

/// The placements compared in every trial, in table order.
pub(super) const PLACEMENTS: [Placement; 2] = [Placement::SameRack, Placement::AcrossRacks];

/// Machines `first..end` (or one disk of each) down from `start` to `end_time`, in hours.
#[derive(Debug, Clone, Copy)]
struct Outage {
    start: f64,
    end: f64,
    first: u32,
    last: u32, // exclusive
    disk: Option<u8>,
}

/// Buffers reused from one trial to the next on the same thread (only their capacity carries
/// over: every trial clears them), so a year allocates almost nothing.
#[derive(Default)]
struct Scratch {
    down_count: Vec<u16>,
    outages: Vec<Outage>,
    /// Sort keys `time bits << 64 | starts << 32 | outage index` (see `sweep`).
    edges: Vec<u128>,
    /// Replica slots: (machine, slot), sorted by machine.
    by_machine: Vec<(u32, u32)>,
    /// The disk of each slot.
    disk: Vec<u8>,
    /// Outage intervals of each slot.
    intervals: Vec<Vec<(f64, f64)>>,
    interval_bufs: [Vec<(f64, f64)>; 3],
}

pub(super) fn run(config: &Config, seed: u64) -> Result<DatacenterResult> {
    let topology = config.topology()?;
    let outcomes: Vec<TrialOutcome> = (0..config.trials)
        .into_par_iter()
        .map_init(Scratch::default, |scratch, trial| {
            crate::cancel::check()?;
            let mut rng = stream(seed, Stream::named(TRIAL_STREAM, trial));
            Ok(one_year(config, &topology, &mut rng, scratch, trial == 0))
        })
        .collect::<Result<_>>()?;
    Ok(reduce(config, seed, outcomes))
}

/// Splits a block of `len` machines starting at `start` into at most two ranges (it may wrap).
fn push_block(out: &mut Vec<Outage>, n: u32, start: u32, len: u32, t0: f64, t1: f64) {
    let end = start + len;
    if end <= n {
        out.push(Outage { start: t0, end: t1, first: start, last: end, disk: None });
    } else {
        out.push(Outage { start: t0, end: t1, first: start, last: n, disk: None });
        out.push(Outage { start: t0, end: t1, first: 0, last: end - n, disk: None });
    }
}

/// A random domain of `kind`: all of them are equally likely to fail.
fn random_domain(topology: &Topology, kind: DomainKind, rng: &mut SimRng) -> Domain {
    Domain { kind, index: rng.random_range(0..topology.count(kind)) }
}

fn one_year(
    c: &Config,
    topology: &Topology,
    rng: &mut SimRng,
    scratch: &mut Scratch,
    keep_timeline: bool,
) -> TrialOutcome {
    let n = topology.machines() as u32;
    let mut outages = std::mem::take(&mut scratch.outages);
    outages.clear();
    let mut kind_events = Vec::with_capacity(c.failures.len());
    let mut kind_machine_outages = Vec::with_capacity(c.failures.len());
    for kind in &c.failures {
        let mean = c.analytic_events(kind);
        let events = if mean > 0.0 { Poisson::new(mean).map(|p| p.sample(rng) as u64).unwrap_or(0) } else { 0 };
        let before = outages.len();
        for _ in 0..events {
            let t0 = rng.random_range(0.0..HOURS_PER_YEAR);
            let (lo, hi) = (kind.repair.0.as_hours_f64(), kind.repair.1.as_hours_f64());
            let repair = if hi > lo { rng.random_range(lo..hi) } else { lo };
            let t1 = t0 + repair;
            match kind.blast {
                Blast::Domain(DomainKind::Disk) => {
                    // Disks are numbered depth-first: disk d sits in machine d / disks_per_machine.
                    let d = random_domain(topology, DomainKind::Disk, rng).index;
                    let (m, disk) = ((d / c.disks_per_machine) as u32, (d % c.disks_per_machine) as u8);
                    outages.push(Outage { start: t0, end: t1, first: m, last: m + 1, disk: Some(disk) });
                }
                Blast::Domain(kind) => {
                    let machines = topology.machine_range(random_domain(topology, kind, rng));
                    let (first, last) = (machines.start as u32, machines.end as u32);
                    outages.push(Outage { start: t0, end: t1, first, last, disk: None });
                }
                Blast::Fraction(f) => {
                    let len = fraction_len(f, n as usize) as u32;
                    push_block(&mut outages, n, rng.random_range(0..n), len, t0, t1)
                }
                Blast::Rolling(f) => {
                    let w = waves(f) as u32;
                    let chunk = n.div_ceil(w);
                    let step = repair / w as f64;
                    for i in 0..w {
                        let first = (i * chunk).min(n);
                        let len = chunk.min(n - first);
                        if len > 0 {
                            let s = t0 + step * i as f64;
                            push_block(&mut outages, n, first, len, s, t0 + step * (i + 1) as f64);
                        }
                    }
                }
            }
        }
        kind_events.push(events);
        let machines: u64 =
            outages[before..].iter().filter(|o| o.disk.is_none()).map(|o| u64::from(o.last - o.first)).sum();
        kind_machine_outages.push(machines);
    }
    // Only this year counts: cut outages at its end, and drop rolling waves that would start after it.
    for o in &mut outages {
        o.end = o.end.min(HOURS_PER_YEAR);
    }
    outages.retain(|o| o.start < o.end);
    let mut out = sweep(c, &outages, scratch, keep_timeline);
    out.kind_events = kind_events;
    out.kind_machine_outages = kind_machine_outages;
    out.placements = place_replicas(c, topology, rng, &outages, scratch);
    scratch.outages = outages;
    out
}

/// Walks outage starts and ends in time order, keeping a per-machine count of overlapping outages
/// so that a machine hit twice counts once. Ties at equal times: ends before starts (a repair that
/// finishes as the next wave starts does not double-count), then in outage order.
fn sweep(c: &Config, outages: &[Outage], scratch: &mut Scratch, keep_timeline: bool) -> TrialOutcome {
    let down_count = &mut scratch.down_count;
    down_count.clear();
    down_count.resize(c.machines(), 0);
    let edges = &mut scratch.edges;
    edges.clear();
    // Times are non-negative, and for non-negative floats the bit pattern orders like the value,
    // so one integer key sorts by (time, end before start, outage index) without a comparator.
    let key = |t: f64, starts: bool, i: usize| (u128::from(t.to_bits()) << 64) | (u128::from(starts) << 32) | i as u128;
    for (i, o) in outages.iter().enumerate().filter(|(_, o)| o.disk.is_none()) {
        edges.push(key(o.start, true, i));
        edges.push(key(o.end, false, i));
    }
    edges.sort_unstable();
    let mut down = 0u32;
    let (mut last, mut machine_hours, mut peak) = (0.0, 0.0, 0u32);
    let mut buckets = [0.0; BUCKETS.len()];
    let mut timeline = keep_timeline.then(|| vec![(0.0, 0.0)]);
    for &k in edges.iter() {
        let (t, starts, i) = (f64::from_bits((k >> 64) as u64), (k >> 32) & 1 == 1, k as u32);
        let span = t - last;
        machine_hours += down as f64 * span;
        buckets[bucket_of(down)] += span;
        let o = &outages[i as usize];
        let machines = &mut down_count[o.first as usize..o.last as usize];
        if starts {
            for m in machines {
                down += u32::from(*m == 0);
                *m += 1;
            }
        } else {
            for m in machines {
                *m -= 1;
                down -= u32::from(*m == 0);
            }
        }
        peak = peak.max(down);
        last = t;
        if let Some(tl) = timeline.as_mut() {
            tl.push((t / 24.0, down as f64));
        }
    }
    let span = HOURS_PER_YEAR - last;
    machine_hours += down as f64 * span;
    buckets[bucket_of(down)] += span;
    TrialOutcome { mean_down: machine_hours / HOURS_PER_YEAR, peak, buckets, timeline, ..TrialOutcome::default() }
}

/// Index of the bucket holding `down` machines: the last bucket whose lower bound is <= down.
fn bucket_of(down: u32) -> usize {
    BUCKETS.iter().rposition(|&(lo, _)| down >= lo).unwrap_or(0)
}

/// Places `chunks` pieces of data per placement and measures, for each, whether and for how long
/// all of its replicas were down at once during the year.
fn place_replicas(
    c: &Config,
    topology: &Topology,
    rng: &mut SimRng,
    outages: &[Outage],
    scratch: &mut Scratch,
) -> Vec<(u64, f64)> {
    if c.chunks == 0 {
        return vec![(0, 0.0); PLACEMENTS.len()];
    }
    let r = c.replicas;
    let rack = |index| topology.machine_range(Domain { kind: DomainKind::Rack, index });
    let slots = PLACEMENTS.len() * c.chunks * r;
    let reps = scratch;
    reps.by_machine.clear();
    reps.disk.clear();
    reps.intervals.resize_with(slots, Vec::new);
    reps.intervals.iter_mut().for_each(Vec::clear);
    let mut machines = Vec::with_capacity(r);
    for placement in PLACEMENTS {
        for _ in 0..c.chunks {
            machines.clear();
            match placement {
                Placement::SameRack => {
                    let these = rack(random_domain(topology, DomainKind::Rack, rng).index);
                    let picks = rand::seq::index::sample(rng, these.len(), r);
                    machines.extend(picks.into_iter().map(|i| these.start + i));
                }
                Placement::AcrossRacks => {
                    let racks = rand::seq::index::sample(rng, topology.count(DomainKind::Rack), r);
                    machines.extend(racks.into_iter().map(|k| {
                        let these = rack(k);
                        these.start + rng.random_range(0..these.len())
                    }));
                }
            }
            for &m in &machines {
                let slot = reps.disk.len() as u32;
                reps.by_machine.push((m as u32, slot));
                reps.disk.push(rng.random_range(0..c.disks_per_machine) as u8);
            }
        }
    }
    reps.by_machine.sort_unstable();
    for o in outages {
        let from = reps.by_machine.partition_point(|&(m, _)| m < o.first);
        for &(m, slot) in &reps.by_machine[from..] {
            if m >= o.last {
                break;
            }
            if o.disk.is_none() || o.disk == Some(reps.disk[slot as usize]) {
                reps.intervals[slot as usize].push((o.start, o.end));
            }
        }
    }
    PLACEMENTS
        .iter()
        .enumerate()
        .map(|(p, _)| {
            let (mut lost, mut hours) = (0u64, 0.0);
            for chunk in 0..c.chunks {
                let first = (p * c.chunks + chunk) * r;
                let h = all_down_hours(&mut reps.intervals[first..first + r], &mut reps.interval_bufs);
                lost += u64::from(h > 0.0);
                hours += h;
            }
            (lost, hours)
        })
        .collect()
}

/// Hours during which every replica had at least one outage covering it: the measure of the
/// intersection, over replicas, of the union of each replica's outage intervals.
fn all_down_hours(slots: &mut [Vec<(f64, f64)>], bufs: &mut [Vec<(f64, f64)>; 3]) -> f64 {
    if slots.iter().any(Vec::is_empty) {
        return 0.0;
    }
    let [acc, next, out] = bufs;
    union_into(&mut slots[0], acc);
    for slot in slots[1..].iter_mut() {
        union_into(slot, next);
        intersect_into(acc, next, out);
        std::mem::swap(acc, out);
        if acc.is_empty() {
            return 0.0;
        }
    }
    acc.iter().map(|(a, b)| b - a).sum()
}

/// Sorts `iv` by start and writes its union, as disjoint sorted intervals, to `out`.
fn union_into(iv: &mut [(f64, f64)], out: &mut Vec<(f64, f64)>) {
    iv.sort_unstable_by(|x, y| x.0.total_cmp(&y.0).then(x.1.total_cmp(&y.1)));
    out.clear();
    for &(a, b) in iv.iter() {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
}

/// Intersection of two sorted lists of disjoint intervals (two pointers).
fn intersect_into(x: &[(f64, f64)], y: &[(f64, f64)], out: &mut Vec<(f64, f64)>) {
    out.clear();
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        let (a, b) = (x[i].0.max(y[j].0), x[i].1.min(y[j].1));
        if a < b {
            out.push((a, b));
        }
        if x[i].1 < y[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
}
