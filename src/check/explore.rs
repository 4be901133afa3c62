//! Breadth-first search, level by level on all cores (depth-first search is in [`dfs`]).
//!
//! **Determinism.** A level's states are expanded in parallel, but every successor is tagged with
//! its parent's position and its step number, and the visited set is split into 64 shards by the
//! fingerprint's top bits; each shard is filled by one task in (parent, step) order. So the states
//! kept, their order in the next level, and hence the counterexample, are the same on every run
//! and with any number of threads.
//!
//! **Memory.** For each level the explorer keeps, besides the fingerprints, two `u16` per state:
//! how many new children it has and which step reached it. Children are stored in parent order,
//! so a child's parent is found by a prefix sum: 4 bytes per state rather than a 16-byte parent
//! fingerprint. A counterexample is rebuilt by running those steps again from the start. The
//! level being explored and the next one are kept compact, a few interned ids per state
//! ([`super::frontier`]); a state is decoded only while it is expanded. All of it counts against
//! [`Checker::max_memory`](super::Checker::max_memory).

mod dfs;
#[cfg(test)]
mod tests;

pub(crate) use dfs::depth_first;

use super::frontier::Codec;
use super::model::{Model, Next};
use super::options::{Lookup, Options, Search};
use super::progress::Meter;
use super::property::{Expectation, Property};
use super::state::State;
use super::table::FpTable;
use super::CheckState;
use crate::engine::{Harness, Node};
use crate::error::{Error, Result};
use rayon::prelude::*;

const SHARDS: usize = 64;
const CHUNK: usize = 1024;
/// Under [`Lookup::Sampled`], every this many chunks looks up its successors whatever the previous
/// level found, so that the search notices when steps start leading back to earlier levels.
const SAMPLE_EVERY: usize = 16;

/// Where a search ended, by position: (depth, position in that level) for BFS.
pub(crate) struct Found {
    pub(crate) property: usize,
    pub(crate) path: Vec<u16>,
}

pub(crate) struct Explored {
    /// Which search ran, and on how many threads.
    pub(crate) search: Search,
    pub(crate) threads: usize,
    pub(crate) violation: Option<Found>,
    pub(crate) witnesses: Vec<Found>,
    pub(crate) explored: u64,
    pub(crate) unique: u64,
    /// Successors looked up in the visited set before deduplication ([`Lookup`]), and how many of
    /// them it had.
    pub(crate) looked_up: u64,
    pub(crate) known: u64,
    pub(crate) max_depth: usize,
    /// Bytes kept for the whole search: fingerprints and path records.
    pub(crate) bytes: usize,
    /// The most bytes held at once: those, plus the levels and the interned tables (BFS).
    pub(crate) peak_bytes: usize,
}

impl Explored {
    /// A search that has seen only the initial state, and found nothing yet.
    pub(crate) fn at_the_initial_state(search: Search, threads: usize) -> Self {
        Explored {
            search,
            threads,
            violation: None,
            witnesses: Vec::new(),
            explored: 1,
            unique: 1,
            looked_up: 0,
            known: 0,
            max_depth: 0,
            bytes: 0,
            peak_bytes: 0,
        }
    }
}

/// One breadth-first level: each state's ids (one after another), where each run of `CHUNK`
/// states starts, whether a state's history is its parent's, and (only if a property is
/// `eventually`) its remaining `eventually` bits.
struct Level {
    ids: Vec<u32>,
    starts: Vec<usize>,
    same_history: Vec<bool>,
    ebits: Vec<u64>,
}

impl Level {
    fn bytes(&self) -> usize {
        self.ids.capacity() * 4 + self.starts.capacity() * 8 + self.same_history.capacity() + self.ebits.capacity() * 8
    }

    /// The ids of each run of `CHUNK` states.
    fn chunks(&self) -> Vec<&[u32]> {
        (0..self.starts.len())
            .map(|c| &self.ids[self.starts[c]..*self.starts.get(c + 1).unwrap_or(&self.ids.len())])
            .collect()
    }

    /// Finds where each run of `CHUNK` states starts, once `ids` is complete.
    fn index(&mut self, system: &dyn Chunks) {
        self.starts = system.starts(&self.ids);
    }
}

/// The candidates of one chunk (successors not seen at an earlier level) that fall in one shard
/// of the visited set: each one's key in that shard, and its number among the chunk's candidates.
/// The deduplication pass of a shard reads only these two arrays, front to back. (Storing only the
/// numbers, and reading each key from the chunk's list of all candidates, was rejected: that pass
/// then gathered keys scattered over the whole level, a cache miss each, and took a fifth of the
/// search's time.)
#[derive(Clone, Default)]
struct Bucket {
    keys: Vec<u64>,
    candidates: Vec<u32>,
}

#[derive(Default)]
struct ChunkOut {
    /// The step that reaches each candidate, in (parent, step) order.
    candidates: Vec<u16>,
    /// Per frontier state of the chunk: how many successors it has (all), and how many of them
    /// are candidates (not dropped by the look-up in the visited set).
    degree: Vec<(u16, u16)>,
    buckets: Vec<Bucket>,
    /// Whether the chunk looked its successors up in the visited set ([`Lookup`]).
    looked_up: bool,
    /// Successors dropped because an earlier level had them (only if it looked them up).
    known: u64,
    /// The first state of the chunk that violates an `always` property: (its index, property).
    violation: Option<(usize, usize)>,
    /// The states where some `sometimes` property holds: (index, properties as bits).
    sometimes: Vec<(usize, u64)>,
    /// Each state's `eventually` bits after it (empty if no property is `eventually`).
    ebits: Vec<u64>,
}

/// The enabled steps from `s` and their successors' fingerprints, in step order, into `out`:
/// what both searches expand a state into. No successor is built; the searches build only those
/// they have not seen.
fn expand<N>(model: &Model<N>, h: &mut Harness<N::Msg, N::Timer>, s: &State<N>, out: &mut Vec<(u16, u64)>) -> Result<()>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    out.clear();
    model.successor_fingerprints(h, s, |step, fp| out.push((step, fp)))
}

/// The shard of a fingerprint (its top bits) and the key its shard stores: the fingerprint with
/// those bits rotated to the bottom, so that keys spread over the whole shard.
#[inline]
fn shard(fp: u64) -> (usize, u64) {
    ((fp >> 58) as usize, fp.rotate_left(6))
}

/// The shard of a key that [`shard`] made: the fingerprint's top bits, now its bottom ones.
#[inline]
fn shard_of_key(key: u64) -> usize {
    (key % SHARDS as u64) as usize
}

/// Whether chunk `ci` of a level looks its successors up in the visited set (see [`Lookup`]),
/// given `(seen before, looked up)`: how many of the successors that the previous level looked
/// up had been seen at an earlier level.
fn looks_up(policy: Lookup, ci: usize, previous: (u64, u64)) -> bool {
    match policy {
        Lookup::Always => true,
        Lookup::Never => false,
        Lookup::Sampled => ci.is_multiple_of(SAMPLE_EVERY) || previous.0 * 8 >= previous.1,
    }
}

/// What properties say about state `s`, which still owes the `eventually` properties `ebits`:
/// the first `Always` violated, the `Sometimes` that hold, and the remaining `Eventually` bits.
/// Properties of the history alone are skipped when it is the parent's (`same_history`), and
/// otherwise remembered with the history ([`History::verdict`](super::history::History::verdict)).
fn evaluate<N: Node>(props: &[Property<N>], s: &State<N>, ebits: u64, same_history: bool) -> (Option<usize>, u64, u64)
where
    N::Msg: std::hash::Hash,
{
    let (mut sometimes, mut ebits) = (0u64, ebits);
    for (i, p) in props.iter().enumerate() {
        if p.history_only && same_history {
            continue;
        }
        let holds = || if p.history_only { s.history().verdict(i, || (p.holds)(s)) } else { (p.holds)(s) };
        match p.expectation {
            Expectation::Always if !holds() => return (Some(i), sometimes, ebits),
            Expectation::Sometimes if holds() => sometimes |= 1 << i,
            Expectation::Eventually if ebits >> i & 1 == 1 && holds() => ebits &= !(1 << i),
            _ => {}
        }
    }
    (None, sometimes, ebits)
}

fn eventually_bits<N: Node>(props: &[Property<N>]) -> u64 {
    props.iter().enumerate().filter(|(_, p)| p.expectation == Expectation::Eventually).fold(0, |b, (i, _)| b | 1 << i)
}

fn bound_error(options: &Options, what: &str, reached: String) -> Error {
    let (parameter, limit) = match what {
        "max_depth" => ("max_depth", options.max_depth),
        "max_memory" => ("max_memory", options.max_memory),
        _ => ("max_states", options.max_states),
    };
    let remedy = if parameter == "max_memory" {
        "; raise `max_memory` (bytes), declare interchangeable nodes `symmetric`, search `depth_first` (less memory), or check a smaller configuration"
    } else {
        "; raise it or check a smaller configuration"
    };
    Error::invalid(parameter, reached, format!("a model whose search fits the bound `{parameter}` ({limit}){remedy}"))
}

/// The path of steps to state `pos` of level `depth`, from the path records.
fn path_to(degrees: &[Vec<u16>], steps: &[Vec<u16>], depth: usize, pos: usize) -> Vec<u16> {
    let mut path = Vec::with_capacity(depth);
    let mut p = pos;
    for d in (1..=depth).rev() {
        path.push(steps[d][p]);
        let mut seen = 0usize;
        let parent = degrees[d - 1].iter().position(|&k| {
            seen += k as usize;
            seen > p
        });
        p = parent.expect("every state but the first has a parent");
    }
    path.reverse();
    path
}

/// The part of a breadth-first search that depends on the node type, a chunk of a level at a
/// time. The search itself ([`search`]: threads, deduplication, bounds, paths) sees the system only
/// through this trait object, so it is compiled once, inside distsim, and not again in every
/// notebook cell that checks a node type of its own; a cell compiles only these few loops. (With
/// the builder choosing the search, this cut such a cell's compile time by 30%; see
/// `docs/benchmarks.md`.) A call handles a whole chunk, so the indirection costs one call per
/// `CHUNK` states.
trait Chunks: Sync {
    /// Properties and successors of chunk `ci` of `level`, whose states are `ids`. If `look_up`,
    /// successors already in `seen` are only counted.
    fn expand(&self, level: &Level, ci: usize, ids: &[u32], seen: &[FpTable], look_up: bool) -> Result<ChunkOut>;
    /// The chunk's new states (those marked in `new`), each built from its parent in `parents`,
    /// with the chunk's path records: new children per parent and the step to each child.
    fn build(&self, c: &ChunkOut, new: &[bool], parents: &[u32]) -> Result<(Level, Vec<u16>, Vec<u16>)>;
    /// Where each run of `CHUNK` states of a level's `ids` starts.
    fn starts(&self, ids: &[u32]) -> Vec<usize>;
    /// Bytes held by the interned node states, messages and rests.
    fn interned_bytes(&self) -> usize;
}

/// [`Chunks`] for a model of node type `N`.
struct Typed<'a, N: Node> {
    model: &'a Model<N>,
    props: &'a [Property<N>],
    codec: Codec<N>,
    eventually: u64,
}

impl<N> Chunks for Typed<'_, N>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    fn expand(&self, level: &Level, ci: usize, ids: &[u32], seen: &[FpTable], look_up: bool) -> Result<ChunkOut> {
        crate::cancel::check()?;
        let (mut h, mut steps) = (self.model.harness(), Vec::new());
        let mut c = ChunkOut { degree: Vec::with_capacity(CHUNK), looked_up: look_up, ..ChunkOut::default() };
        // Every candidate's key, in order; sorted into the shards' buckets at the end, when their
        // sizes are known (growing 128 vectors one push at a time cost 3% of the search).
        let mut keys = Vec::with_capacity(CHUNK * 8);
        c.candidates.reserve(CHUNK * 8);
        let mut scratch: Option<State<N>> = None;
        for (k, ids) in self.codec.states(ids).enumerate() {
            let pos = ci * CHUNK + k;
            // SAFETY: `scratch` is dropped at the end of this call, long before the codec.
            let s = unsafe { self.codec.decode_into(ids, &mut scratch) };
            let ebits = level.ebits.get(pos).copied().unwrap_or(0);
            let (bad, sometimes, ebits) = evaluate(self.props, s, ebits, level.same_history[pos]);
            if let Some(p) = bad {
                // This level ends the search: the rest of the chunk need not be expanded.
                c.violation = Some((k, p));
                break;
            }
            if sometimes != 0 {
                c.sometimes.push((k, sometimes));
            }
            if self.eventually != 0 {
                c.ebits.push(ebits);
            }
            expand(self.model, &mut h, s, &mut steps)?;
            let before = c.candidates.len();
            for &(step, fp) in steps.iter() {
                let (s, key) = shard(fp);
                if look_up && seen[s].contains(key) {
                    c.known += 1;
                } else {
                    keys.push(key);
                    c.candidates.push(step);
                }
            }
            c.degree.push((steps.len() as u16, (c.candidates.len() - before) as u16));
        }
        let mut sizes = [0usize; SHARDS];
        for &key in &keys {
            sizes[shard_of_key(key)] += 1;
        }
        c.buckets =
            sizes.iter().map(|&n| Bucket { keys: Vec::with_capacity(n), candidates: Vec::with_capacity(n) }).collect();
        for (ix, &key) in keys.iter().enumerate() {
            let bucket = &mut c.buckets[shard_of_key(key)];
            bucket.keys.push(key);
            bucket.candidates.push(ix as u32);
        }
        Ok(c)
    }

    fn build(&self, c: &ChunkOut, new: &[bool], parents: &[u32]) -> Result<(Level, Vec<u16>, Vec<u16>)> {
        let mut h = self.model.harness();
        let fresh = new.iter().filter(|&&is_new| is_new).count();
        // A child has about as many ids as its parent, and often one message more.
        let ids_per_state = parents.len() / c.degree.len().max(1) + 1;
        let mut next = Level {
            ids: Vec::with_capacity(fresh * ids_per_state),
            starts: Vec::new(),
            same_history: Vec::with_capacity(fresh),
            ebits: Vec::new(),
        };
        let (mut level_degrees, mut level_steps) = (Vec::with_capacity(c.degree.len()), Vec::with_capacity(fresh));
        let mut cands = c.candidates.iter().zip(new);
        let (mut scratch, mut list): (Option<State<N>>, _) = (None, Vec::new());
        for (k, (&(_, d), ids)) in c.degree.iter().zip(self.codec.states(parents)).enumerate() {
            let mut kept = 0u16;
            for (&step, &is_new) in cands.by_ref().take(d as usize) {
                if is_new {
                    if kept == 0 {
                        // SAFETY: `scratch` and the children are dropped within this call, before
                        // the codec.
                        unsafe { self.codec.decode_into(ids, &mut scratch) };
                    }
                    let p = scratch.as_ref().expect("decoded above");
                    kept += 1;
                    level_steps.push(step);
                    let same_history = match self.model.successor_change(&mut h, p, step)? {
                        Next::Change(change) => {
                            let links = self.model.options.links;
                            self.codec.encode_change((ids, p), &change, links, &mut list, &mut next.ids);
                            change.history.is_none_or(|history| history.fingerprint() == p.history.fingerprint())
                        }
                        Next::State(child) => {
                            self.codec.encode(&child, Some((ids, p)), &mut next.ids);
                            child.history.fingerprint() == p.history.fingerprint()
                        }
                        Next::Sum(_) => unreachable!("asked for the change or the state"),
                    };
                    next.same_history.push(same_history);
                    if self.eventually != 0 {
                        next.ebits.push(c.ebits[k]);
                    }
                }
            }
            level_degrees.push(kept);
        }
        Ok((next, level_degrees, level_steps))
    }

    fn starts(&self, ids: &[u32]) -> Vec<usize> {
        let mut at = 0;
        self.codec
            .states(ids)
            .enumerate()
            .filter_map(|(k, one)| {
                let start = at;
                at += one.len();
                (k % CHUNK == 0).then_some(start)
            })
            .collect()
    }

    fn interned_bytes(&self) -> usize {
        self.codec.bytes()
    }
}

pub(crate) fn breadth_first<N>(model: &Model<N>, props: &[Property<N>], meter: &Meter) -> Result<Explored>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    let eventually = eventually_bits(props);
    let system = Typed { model, props, codec: Codec::new(model.initial.len()), eventually };
    let mut h = model.harness();
    let init = model.initial_state(&mut h)?;
    let mut first = Level { ids: Vec::new(), starts: Vec::new(), same_history: vec![false], ebits: Vec::new() };
    system.codec.encode(&init, None, &mut first.ids);
    if eventually != 0 {
        first.ebits.push(eventually);
    }
    search(&system, model.fingerprint(&init), first, &model.options, props.len(), eventually, meter)
}

/// Breadth-first search from the level `frontier` (the initial state, fingerprint `fp0`), with
/// `n_props` properties of which those in `eventually` are `Eventually`.
fn search(
    system: &dyn Chunks,
    fp0: u64,
    mut frontier: Level,
    o: &Options,
    n_props: usize,
    eventually: u64,
    meter: &Meter,
) -> Result<Explored> {
    frontier.index(system);
    let mut shards: Vec<FpTable> = (0..SHARDS).map(|_| FpTable::new()).collect();
    let (s0, key) = shard(fp0);
    shards[s0].insert(key);
    let mut degrees: Vec<Vec<u16>> = Vec::new(); // per level: new children of each state
    let mut steps: Vec<Vec<u16>> = vec![Vec::new()]; // per level: the step that reached each state
    let mut out = Explored::at_the_initial_state(Search::BreadthFirst, rayon::current_num_threads());
    let kept_bytes = |shards: &[FpTable], degrees: &[Vec<u16>], steps: &[Vec<u16>]| {
        shards.iter().map(FpTable::bytes).sum::<usize>()
            + degrees.iter().chain(steps).map(|v| v.capacity() * 2).sum::<usize>()
    };
    let mut witnessed = 0u64;
    // Of the successors the last level looked up, how many an earlier level had: (seen, all).
    let mut seen_before = (0u64, 0u64);
    for depth in 0.. {
        crate::cancel::check()?;
        meter.show(out.unique, depth, false);
        // 1. Properties and successors of this level, in parallel by chunk. States seen at
        // earlier levels may be dropped here, while the shards are only read ([`Lookup`]); the
        // step counter still counts them, so a step number names the same successor on replay.
        let seen = &shards;
        let level = &frontier;
        let chunks: Vec<ChunkOut> = frontier
            .chunks()
            .into_par_iter()
            .enumerate()
            .map(|(ci, ids)| system.expand(level, ci, ids, seen, looks_up(o.lookup, ci, seen_before)))
            .collect::<Result<_>>()?;
        seen_before = chunks
            .iter()
            .filter(|c| c.looked_up)
            .fold((0, 0), |(k, n), c| (k + c.known, n + c.known + c.candidates.len() as u64));
        out.known += seen_before.0;
        out.looked_up += seen_before.1;
        // The first violation by position wins.
        if let Some((pos, p)) =
            chunks.iter().enumerate().find_map(|(ci, c)| c.violation.map(|(k, p)| (ci * CHUNK + k, p)))
        {
            out.violation = Some(Found { property: p, path: path_to(&degrees, &steps, depth, pos) });
            break;
        }
        for (ci, c) in chunks.iter().enumerate() {
            for &(k, sometimes) in &c.sometimes {
                let fresh = sometimes & !witnessed;
                for i in (0..n_props).filter(|i| fresh >> i & 1 == 1) {
                    out.witnesses.push(Found { property: i, path: path_to(&degrees, &steps, depth, ci * CHUNK + k) });
                }
                witnessed |= fresh;
            }
        }
        // An execution that ends here without meeting an `Eventually` property violates it.
        let ended = chunks.iter().enumerate().find_map(|(ci, c)| {
            let k = c.degree.iter().zip(&c.ebits).position(|(d, &e)| d.0 == 0 && e != 0)?;
            Some((ci * CHUNK + k, c.ebits[k].trailing_zeros() as usize))
        });
        if let Some((pos, p)) = ended {
            out.violation = Some(Found { property: p, path: path_to(&degrees, &steps, depth, pos) });
            break;
        }
        // 2. Deduplicate, one task per shard, in (parent, step) order. A candidate seen at an
        // earlier level is not new here either, whether or not its chunk looked it up.
        let wins: Vec<Vec<(u32, u32)>> = shards
            .par_iter_mut()
            .enumerate()
            .map(|(s, table)| {
                let mut wins = Vec::new();
                for (ci, c) in chunks.iter().enumerate() {
                    let bucket = &c.buckets[s];
                    for (&key, &ix) in bucket.keys.iter().zip(&bucket.candidates) {
                        if table.insert(key) {
                            wins.push((ci as u32, ix));
                        }
                    }
                }
                wins
            })
            .collect();
        let fresh: usize = wins.iter().map(Vec::len).sum();
        let mut new: Vec<Vec<bool>> = chunks.iter().map(|c| vec![false; c.candidates.len()]).collect();
        for (ci, ix) in wins.into_iter().flatten() {
            new[ci as usize][ix as usize] = true;
        }
        // Before the next level is built: will it fit?
        let candidates: usize = chunks
            .iter()
            .map(|c| {
                let buckets: usize =
                    c.buckets.iter().map(|b| b.keys.capacity() * 8 + b.candidates.capacity() * 4).sum();
                c.candidates.capacity() * 2 + c.degree.capacity() * 4 + buckets
            })
            .sum();
        let per_state = frontier.ids.len() as f64 / frontier.same_history.len() as f64 + 1.0; // a message more
        let next_bytes = fresh * ((per_state * 4.0) as usize + 1 + if eventually != 0 { 8 } else { 0 } + 4);
        let held = kept_bytes(&shards, &degrees, &steps) + frontier.bytes() + system.interned_bytes() + candidates;
        out.peak_bytes = out.peak_bytes.max(held + next_bytes);
        if held + next_bytes > o.max_memory {
            let reached = format!(
                "about {:.1} MB (fingerprints, paths, two levels, interned parts) for depth {} with {} unique states",
                (held + next_bytes) as f64 / 1e6,
                depth + 1,
                out.unique + fresh as u64
            );
            return Err(bound_error(o, "max_memory", reached));
        }
        // 3. The next level, in order: only now are the new states built, each from its parent.
        let built: Vec<(Level, Vec<u16>, Vec<u16>)> = chunks
            .par_iter()
            .zip(new)
            .zip(frontier.chunks().into_par_iter())
            .map(|((c, new), parents)| system.build(c, &new, parents))
            .collect::<Result<_>>()?;
        out.explored += chunks.iter().map(|c| c.candidates.len() as u64 + c.known).sum::<u64>();
        drop(chunks);
        let mut next = Level {
            ids: Vec::with_capacity(built.iter().map(|b| b.0.ids.len()).sum()),
            starts: Vec::new(),
            same_history: Vec::with_capacity(fresh),
            ebits: Vec::with_capacity(if eventually != 0 { fresh } else { 0 }),
        };
        let mut level_degrees = Vec::with_capacity(frontier.same_history.len());
        let mut level_steps = Vec::with_capacity(fresh);
        for (level, d, st) in built {
            next.ids.extend(level.ids);
            next.same_history.extend(level.same_history);
            next.ebits.extend(level.ebits);
            level_degrees.extend(d);
            level_steps.extend(st);
        }
        next.index(system);
        drop(frontier);
        degrees.push(level_degrees);
        steps.push(level_steps);
        out.unique += fresh as u64;
        if fresh == 0 {
            break;
        }
        if depth + 1 > o.max_depth {
            return Err(bound_error(
                o,
                "max_depth",
                format!("new states at depth {} ({} unique so far)", depth + 1, out.unique),
            ));
        }
        if out.unique > o.max_states as u64 {
            return Err(bound_error(o, "max_states", format!("{} unique states by depth {}", out.unique, depth + 1)));
        }
        out.max_depth = depth + 1;
        frontier = next;
    }
    meter.show(out.unique, out.max_depth, true);
    out.bytes = kept_bytes(&shards, &degrees, &steps);
    out.peak_bytes = out.peak_bytes.max(out.bytes + system.interned_bytes());
    Ok(out)
}
