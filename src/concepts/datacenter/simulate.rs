//! One simulated year per trial, by sampling failure events rather than ticking machines.

use super::result::{reduce, TrialOutcome, BUCKETS};
use super::{fraction_len, waves, Blast, Config, DatacenterResult, Placement, HOURS_PER_YEAR};
use crate::error::Result;
use crate::rng::{stream, SimRng, Stream};
use rand::Rng;
use rand_distr::{Distribution, Poisson};
use rayon::prelude::*;

/// Trial `t` draws from stream `Custom(TRIAL_STREAM_BASE + t)`: independent of every other trial
/// and of how rayon splits the work.
const TRIAL_STREAM_BASE: u64 = 0x0DC0_0000_0000;

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

/// Replica slots: (machine, disk) pairs that hold a replica, sorted by machine.
struct Replicas {
    by_machine: Vec<(u32, u32)>, // (machine, slot)
    disk: Vec<u8>,               // per slot
    intervals: Vec<Vec<(f64, f64)>>,
}

pub(super) fn run(config: &Config, seed: u64) -> Result<DatacenterResult> {
    let outcomes: Vec<TrialOutcome> = (0..config.trials)
        .into_par_iter()
        .map_init(Vec::new, |down_count, trial| {
            crate::cancel::check()?;
            let mut rng = stream(seed, Stream::Custom(TRIAL_STREAM_BASE + trial));
            Ok(one_year(config, &mut rng, down_count, trial == 0))
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

fn one_year(c: &Config, rng: &mut SimRng, down_count: &mut Vec<u16>, keep_timeline: bool) -> TrialOutcome {
    let n = c.machines as u32;
    let rack = c.machines_per_rack as u32;
    let pdu = rack * c.racks_per_pdu as u32;
    let mut outages = Vec::new();
    let mut kind_events = Vec::with_capacity(c.failures.len());
    let mut kind_machine_outages = Vec::with_capacity(c.failures.len());
    for kind in &c.failures {
        let mean = c.analytic_events(kind);
        let events = if mean > 0.0 { Poisson::new(mean).map(|p| p.sample(rng) as u64).unwrap_or(0) } else { 0 };
        let before = outages.len();
        for _ in 0..events {
            let t0 = rng.random_range(0.0..HOURS_PER_YEAR);
            let (lo, hi) = kind.repair_hours;
            let repair = if hi > lo { rng.random_range(lo..hi) } else { lo };
            let t1 = t0 + repair;
            match kind.blast {
                Blast::Disk => {
                    let m = rng.random_range(0..n);
                    let disk = rng.random_range(0..c.disks_per_machine) as u8;
                    outages.push(Outage { start: t0, end: t1, first: m, last: m + 1, disk: Some(disk) });
                }
                Blast::Machine => push_block(&mut outages, n, rng.random_range(0..n), 1, t0, t1),
                Blast::Rack => {
                    let first = rng.random_range(0..c.racks() as u32) * rack;
                    push_block(&mut outages, n, first, rack.min(n - first), t0, t1);
                }
                Blast::Pdu => {
                    let first = rng.random_range(0..c.pdus() as u32) * pdu;
                    push_block(&mut outages, n, first, pdu.min(n - first), t0, t1);
                }
                Blast::Fraction(f) => push_block(&mut outages, n, rng.random_range(0..n), fraction_len(f, c.machines) as u32, t0, t1),
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
        let machines: u64 = outages[before..].iter().filter(|o| o.disk.is_none()).map(|o| u64::from(o.last - o.first)).sum();
        kind_machine_outages.push(machines);
    }
    // Only this year counts: cut outages at its end, and drop rolling waves that would start after it.
    for o in &mut outages {
        o.end = o.end.min(HOURS_PER_YEAR);
    }
    outages.retain(|o| o.start < o.end);
    let mut out = sweep(c, &outages, down_count, keep_timeline);
    out.kind_events = kind_events;
    out.kind_machine_outages = kind_machine_outages;
    out.placements = place_replicas(c, rng, &outages);
    out
}

/// Walks outage starts and ends in time order, keeping a per-machine count of overlapping outages
/// so that a machine hit twice counts once. Ties at equal times: ends before starts (a repair that
/// finishes as the next wave starts does not double-count), then in outage order.
fn sweep(c: &Config, outages: &[Outage], down_count: &mut Vec<u16>, keep_timeline: bool) -> TrialOutcome {
    down_count.clear();
    down_count.resize(c.machines, 0);
    let mut edges: Vec<(f64, bool, u32)> = Vec::with_capacity(outages.len() * 2);
    for (i, o) in outages.iter().enumerate().filter(|(_, o)| o.disk.is_none()) {
        edges.push((o.start, true, i as u32));
        edges.push((o.end, false, i as u32));
    }
    // `false < true`, so at equal times ends sort before starts.
    edges.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut down = 0u32;
    let (mut last, mut machine_hours, mut peak) = (0.0, 0.0, 0u32);
    let mut buckets = [0.0; BUCKETS.len()];
    let mut timeline = keep_timeline.then(|| vec![(0.0, 0.0)]);
    for &(t, starts, i) in &edges {
        let span = t - last;
        machine_hours += down as f64 * span;
        buckets[bucket_of(down)] += span;
        let o = &outages[i as usize];
        for m in &mut down_count[o.first as usize..o.last as usize] {
            if starts {
                down += u32::from(*m == 0);
                *m += 1;
            } else {
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
fn place_replicas(c: &Config, rng: &mut SimRng, outages: &[Outage]) -> Vec<(u64, f64)> {
    if c.chunks == 0 {
        return vec![(0, 0.0); PLACEMENTS.len()];
    }
    let (r, rack) = (c.replicas, c.machines_per_rack);
    let mut reps = Replicas { by_machine: Vec::new(), disk: Vec::new(), intervals: Vec::new() };
    for placement in PLACEMENTS {
        for _ in 0..c.chunks {
            let machines: Vec<usize> = match placement {
                Placement::SameRack => {
                    let base = rng.random_range(0..c.full_racks()) * rack;
                    rand::seq::index::sample(rng, rack, r).into_iter().map(|i| base + i).collect()
                }
                Placement::AcrossRacks => rand::seq::index::sample(rng, c.full_racks(), r)
                    .into_iter()
                    .map(|k| k * rack + rng.random_range(0..rack))
                    .collect(),
            };
            for m in machines {
                let slot = reps.disk.len() as u32;
                reps.by_machine.push((m as u32, slot));
                reps.disk.push(rng.random_range(0..c.disks_per_machine) as u8);
                reps.intervals.push(Vec::new());
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
                let h = all_down_hours(&reps.intervals[first..first + r]);
                lost += u64::from(h > 0.0);
                hours += h;
            }
            (lost, hours)
        })
        .collect()
}

/// Hours during which every replica had at least one outage covering it.
fn all_down_hours(slots: &[Vec<(f64, f64)>]) -> f64 {
    if slots.iter().any(Vec::is_empty) {
        return 0.0;
    }
    let mut edges: Vec<(f64, bool, usize)> = Vec::new();
    for (s, iv) in slots.iter().enumerate() {
        for &(a, b) in iv {
            edges.push((a, true, s));
            edges.push((b, false, s));
        }
    }
    edges.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut cover = vec![0u32; slots.len()];
    let (mut covered, mut last, mut total) = (0usize, 0.0, 0.0);
    for (t, starts, s) in edges {
        if covered == slots.len() {
            total += t - last;
        }
        if starts {
            covered += usize::from(cover[s] == 0);
            cover[s] += 1;
        } else {
            cover[s] -= 1;
            covered -= usize::from(cover[s] == 0);
        }
        last = t;
    }
    total
}
