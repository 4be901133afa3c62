//! Breadth-first search, level by level on all cores, and depth-first search on one.
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
//! fingerprint. A counterexample is rebuilt by running those steps again from the start.

use super::model::Model;
use super::options::Options;
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

/// Where a search ended, by position: (depth, position in that level) for BFS.
pub(crate) struct Found {
    pub(crate) property: usize,
    pub(crate) path: Vec<u16>,
}

pub(crate) struct Explored {
    pub(crate) violation: Option<Found>,
    pub(crate) witnesses: Vec<Found>,
    pub(crate) explored: u64,
    pub(crate) unique: u64,
    pub(crate) max_depth: usize,
    pub(crate) bytes: usize,
}

struct Entry<N: Node> {
    state: State<N>,
    ebits: u64,
    parent_history: u64,
}

/// A successor not seen at an earlier level: its shard key and the step that reaches it.
struct Candidate {
    fp: u64,
    step: u16,
}

struct ChunkOut {
    candidates: Vec<Candidate>,
    /// Per frontier state of the chunk: how many successors it has (all), and how many of them
    /// are candidates (not seen at an earlier level).
    degree: Vec<(u16, u16)>,
    buckets: Vec<Vec<u32>>,
    /// Successors dropped because an earlier level had them.
    known: u64,
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

/// What properties say about one state: the first `Always` violated, the `Sometimes` that hold,
/// and the remaining `Eventually` bits.
fn evaluate<N: Node>(props: &[Property<N>], e: &Entry<N>) -> (Option<usize>, u64, u64)
where
    N::Msg: std::hash::Hash,
{
    let (mut sometimes, mut ebits) = (0u64, e.ebits);
    let same_history = e.state.history.fingerprint() == e.parent_history;
    for (i, p) in props.iter().enumerate() {
        if p.history_only && same_history {
            continue;
        }
        match p.expectation {
            Expectation::Always if !(p.holds)(&e.state) => return (Some(i), sometimes, ebits),
            Expectation::Sometimes if (p.holds)(&e.state) => sometimes |= 1 << i,
            Expectation::Eventually if ebits >> i & 1 == 1 && (p.holds)(&e.state) => ebits &= !(1 << i),
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
        _ => ("max_states", options.max_states),
    };
    Error::invalid(
        parameter,
        reached,
        format!("a model whose reachable states fit the bound ({limit}); raise `{parameter}` or check a smaller configuration"),
    )
}

pub(crate) fn breadth_first<N>(model: &Model<N>, props: &[Property<N>], meter: &Meter) -> Result<Explored>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    let o = &model.options;
    let mut h = model.harness();
    let init = model.initial_state(&mut h)?;
    let mut shards: Vec<FpTable> = (0..SHARDS).map(|_| FpTable::new()).collect();
    let (s0, key) = shard(model.fingerprint(&init));
    shards[s0].insert(key);
    let mut frontier = vec![Entry { state: init, ebits: eventually_bits(props), parent_history: u64::MAX }];
    let mut degrees: Vec<Vec<u16>> = Vec::new(); // per level: new children of each state
    let mut steps: Vec<Vec<u16>> = vec![Vec::new()]; // per level: the step that reached each state
    let mut out = Explored { violation: None, witnesses: Vec::new(), explored: 1, unique: 1, max_depth: 0, bytes: 0 };
    let mut witnessed = 0u64;
    let path_to = |degrees: &[Vec<u16>], steps: &[Vec<u16>], depth: usize, pos: usize| {
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
    };
    for depth in 0.. {
        crate::cancel::check()?;
        meter.show(out.unique, depth, false);
        // 1. Properties of this level, in parallel; the first violation by position wins.
        let verdicts: Vec<(Option<usize>, u64, u64)> = frontier.par_iter().map(|e| evaluate(props, e)).collect();
        if let Some((pos, (Some(p), ..))) = verdicts.iter().enumerate().find(|(_, v)| v.0.is_some()) {
            out.violation = Some(Found { property: *p, path: path_to(&degrees, &steps, depth, pos) });
            break;
        }
        for (pos, v) in verdicts.iter().enumerate() {
            let fresh = v.1 & !witnessed;
            for i in (0..props.len()).filter(|i| fresh >> i & 1 == 1) {
                out.witnesses.push(Found { property: i, path: path_to(&degrees, &steps, depth, pos) });
            }
            witnessed |= fresh;
        }
        for (e, v) in frontier.iter_mut().zip(&verdicts) {
            e.ebits = v.2;
        }
        drop(verdicts);
        // 2. Successors, in parallel by chunk.
        // States seen at earlier levels are dropped here, while the shards are only read; the
        // step counter still counts them, so a step number names the same successor on replay.
        let seen = &shards;
        let chunks: Vec<ChunkOut> = frontier
            .par_chunks(CHUNK)
            .map_init(
                || (model.harness(), Vec::new()),
                |(h, steps), chunk| -> Result<ChunkOut> {
                    crate::cancel::check()?;
                    let buckets = vec![Vec::new(); SHARDS];
                    let mut c = ChunkOut { candidates: Vec::new(), degree: Vec::new(), buckets, known: 0 };
                    for e in chunk {
                        expand(model, h, &e.state, steps)?;
                        let before = c.candidates.len();
                        for &(step, fp) in steps.iter() {
                            let (s, key) = shard(fp);
                            if seen[s].contains(key) {
                                c.known += 1;
                            } else {
                                c.buckets[s].push(c.candidates.len() as u32);
                                c.candidates.push(Candidate { fp: key, step });
                            }
                        }
                        c.degree.push((steps.len() as u16, (c.candidates.len() - before) as u16));
                    }
                    Ok(c)
                },
            )
            .collect::<Result<_>>()?;
        // An execution that ends here without meeting an `Eventually` property violates it.
        let ended = frontier.iter().enumerate().flat_map(|(pos, e)| {
            let ch = &chunks[pos / CHUNK];
            (ch.degree[pos % CHUNK].0 == 0 && e.ebits != 0).then_some((pos, e.ebits.trailing_zeros() as usize))
        });
        if let Some((pos, p)) = ended.into_iter().next() {
            out.violation = Some(Found { property: p, path: path_to(&degrees, &steps, depth, pos) });
            break;
        }
        // 3. Deduplicate, one task per shard, in (parent, step) order.
        let wins: Vec<Vec<(u32, u32)>> = shards
            .par_iter_mut()
            .enumerate()
            .map(|(s, table)| {
                let mut wins = Vec::new();
                for (ci, c) in chunks.iter().enumerate() {
                    for &ix in &c.buckets[s] {
                        if table.insert(c.candidates[ix as usize].fp) {
                            wins.push((ci as u32, ix));
                        }
                    }
                }
                wins
            })
            .collect();
        let mut new: Vec<Vec<bool>> = chunks.iter().map(|c| vec![false; c.candidates.len()]).collect();
        for (ci, ix) in wins.into_iter().flatten() {
            new[ci as usize][ix as usize] = true;
        }
        // 4. The next level, in order: only now are the new states built, each from its parent.
        let built: Vec<(Vec<Entry<N>>, Vec<u16>, Vec<u16>)> = chunks
            .par_iter()
            .zip(new)
            .zip(frontier.par_chunks(CHUNK))
            .map_init(
                || model.harness(),
                |h, ((c, new), parents)| -> Result<_> {
                    let (mut next, mut level_degrees, mut level_steps) = (Vec::new(), Vec::new(), Vec::new());
                    let mut cands = c.candidates.iter().zip(new);
                    for (&(_, d), parent) in c.degree.iter().zip(parents) {
                        let mut kept = 0u16;
                        for (cand, is_new) in cands.by_ref().take(d as usize) {
                            if is_new {
                                kept += 1;
                                level_steps.push(cand.step);
                                let (_, state) = model.successor(h, &parent.state, cand.step)?;
                                let parent_history = parent.state.history.fingerprint();
                                next.push(Entry { state, ebits: parent.ebits, parent_history });
                            }
                        }
                        level_degrees.push(kept);
                    }
                    Ok((next, level_degrees, level_steps))
                },
            )
            .collect::<Result<_>>()?;
        out.explored += chunks.iter().map(|c| c.candidates.len() as u64 + c.known).sum::<u64>();
        drop(chunks);
        let mut next = Vec::with_capacity(built.iter().map(|b| b.0.len()).sum());
        let mut level_degrees = Vec::with_capacity(frontier.len());
        let mut level_steps = Vec::with_capacity(next.capacity());
        for (states, d, st) in built {
            next.extend(states);
            level_degrees.extend(d);
            level_steps.extend(st);
        }
        drop(frontier);
        degrees.push(level_degrees);
        steps.push(level_steps);
        out.unique += next.len() as u64;
        if next.is_empty() {
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
    out.bytes = shards.iter().map(FpTable::bytes).sum::<usize>()
        + degrees.iter().chain(&steps).map(|v| v.capacity() * 2).sum::<usize>();
    Ok(out)
}

pub(crate) fn depth_first<N>(model: &Model<N>, props: &[Property<N>], meter: &Meter) -> Result<Explored>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    let o = &model.options;
    let mut h = model.harness();
    let init = model.initial_state(&mut h)?;
    let mut table = FpTable::new();
    table.insert(model.fingerprint(&init));
    let mut out = Explored { violation: None, witnesses: Vec::new(), explored: 1, unique: 1, max_depth: 0, bytes: 0 };
    let mut witnessed = 0u64;
    let mut checkpoint = crate::cancel::Checkpoint::every(4096);
    // Each frame: a state, its successors not yet tried (last first), the step that led to it.
    struct Frame<N: Node> {
        state: State<N>,
        ebits: u64,
        todo: Vec<(u16, u64)>,
        step: u16,
    }
    let todo_of = |h: &mut _, s: &State<N>| -> Result<Vec<(u16, u64)>> {
        let mut todo = Vec::new();
        expand(model, h, s, &mut todo)?;
        todo.reverse();
        Ok(todo)
    };
    let first = Entry { state: init, ebits: eventually_bits(props), parent_history: u64::MAX };
    let (bad, sometimes, ebits) = evaluate(props, &first);
    if let Some(p) = bad {
        out.violation = Some(Found { property: p, path: Vec::new() });
        return Ok(out);
    }
    for i in (0..props.len()).filter(|i| sometimes >> i & 1 == 1) {
        out.witnesses.push(Found { property: i, path: Vec::new() });
    }
    witnessed |= sometimes;
    let todo = todo_of(&mut h, &first.state)?;
    out.explored += todo.len() as u64;
    let mut stack = vec![Frame { state: first.state, ebits, todo, step: 0 }];
    let path = |stack: &[Frame<N>], last: u16| stack.iter().skip(1).map(|f| f.step).chain([last]).collect::<Vec<_>>();
    while let Some(top) = stack.last_mut() {
        let Some((step, fp)) = top.todo.pop() else {
            stack.pop();
            continue;
        };
        if checkpoint.tick().is_err() {
            return Err(Error::Interrupted);
        }
        if !table.insert(fp) {
            continue;
        }
        let (_, state) = model.successor(&mut h, &top.state, step)?;
        let (ebits, parent_history) = (top.ebits, top.state.history.fingerprint());
        out.unique += 1;
        if out.unique % 65_536 == 0 {
            meter.show(out.unique, out.max_depth, false);
        }
        if out.unique > o.max_states as u64 {
            return Err(bound_error(o, "max_states", format!("{} unique states", out.unique)));
        }
        let depth = stack.len();
        if depth > o.max_depth {
            return Err(bound_error(o, "max_depth", format!("a new state at depth {depth}")));
        }
        out.max_depth = out.max_depth.max(depth);
        let e = Entry { state, ebits, parent_history };
        let (bad, sometimes, ebits) = evaluate(props, &e);
        if let Some(p) = bad {
            out.violation = Some(Found { property: p, path: path(&stack, step) });
            break;
        }
        for i in (0..props.len()).filter(|i| (sometimes & !witnessed) >> i & 1 == 1) {
            out.witnesses.push(Found { property: i, path: path(&stack, step) });
        }
        witnessed |= sometimes;
        let todo = todo_of(&mut h, &e.state)?;
        out.explored += todo.len() as u64;
        if todo.is_empty() && ebits != 0 {
            out.violation = Some(Found { property: ebits.trailing_zeros() as usize, path: path(&stack, step) });
            break;
        }
        stack.push(Frame { state: e.state, ebits, todo, step });
    }
    meter.show(out.unique, out.max_depth, true);
    out.bytes = table.bytes();
    Ok(out)
}
