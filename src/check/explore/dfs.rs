//! Depth-first search, on one thread: it keeps only the fingerprints and the current path, so it
//! needs the least memory; its counterexamples may be longer than the shortest.

use super::{bound_error, evaluate, eventually_bits, expand, shard, Explored, Found, SHARDS};
use crate::check::model::Model;
use crate::check::options::Search;
use crate::check::progress::Meter;
use crate::check::property::Property;
use crate::check::state::State;
use crate::check::table::FpTable;
use crate::check::CheckState;
use crate::engine::Node;
use crate::error::{Error, Result};

pub(crate) fn depth_first<N>(model: &Model<N>, props: &[Property<N>], meter: &Meter) -> Result<Explored>
where
    N: Node + CheckState,
    N::Msg: CheckState,
    N::Timer: CheckState,
{
    let o = &model.options;
    let mut h = model.harness();
    let init = model.initial_state(&mut h)?;
    // Split as the breadth-first search splits it, though one thread fills it: a table grows by
    // copying itself, and one table of 41 million fingerprints held its old copy too, 1.8 times
    // its size, at the peak. A shard's copy is a 64th of that.
    let mut shards: Vec<FpTable> = (0..SHARDS).map(|_| FpTable::new()).collect();
    insert(&mut shards, model.fingerprint(&init));
    let mut out = Explored::at_the_initial_state(Search::DepthFirst, 1);
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
    let (bad, sometimes, ebits) = evaluate(props, &init, eventually_bits(props), false);
    if let Some(p) = bad {
        out.violation = Some(Found { property: p, path: Vec::new() });
        return Ok(out);
    }
    for i in (0..props.len()).filter(|i| sometimes >> i & 1 == 1) {
        out.witnesses.push(Found { property: i, path: Vec::new() });
    }
    witnessed |= sometimes;
    let todo = todo_of(&mut h, &init)?;
    out.explored += todo.len() as u64;
    let mut stack = vec![Frame { state: init, ebits, todo, step: 0 }];
    let path = |stack: &[Frame<N>], last: u16| stack.iter().skip(1).map(|f| f.step).chain([last]).collect::<Vec<_>>();
    while let Some(top) = stack.last_mut() {
        let Some((step, fp)) = top.todo.pop() else {
            stack.pop();
            continue;
        };
        if checkpoint.tick().is_err() {
            return Err(Error::Interrupted);
        }
        if !insert(&mut shards, fp) {
            continue;
        }
        let (_, state) = model.successor(&mut h, &top.state, step)?;
        let (ebits, parent_history) = (top.ebits, top.state.history.fingerprint());
        out.unique += 1;
        if out.unique % 65_536 == 0 {
            meter.show(out.unique, out.max_depth, false);
            let bytes = table_bytes(&shards);
            if bytes > o.max_memory {
                let reached = format!("{:.1} MB of fingerprints for {} unique states", bytes as f64 / 1e6, out.unique);
                return Err(bound_error(o, "max_memory", reached));
            }
        }
        if out.unique > o.max_states as u64 {
            return Err(bound_error(o, "max_states", format!("{} unique states", out.unique)));
        }
        let depth = stack.len();
        if depth > o.max_depth {
            return Err(bound_error(o, "max_depth", format!("a new state at depth {depth}")));
        }
        out.max_depth = out.max_depth.max(depth);
        let same_history = state.history.fingerprint() == parent_history;
        let (bad, sometimes, ebits) = evaluate(props, &state, ebits, same_history);
        if let Some(p) = bad {
            out.violation = Some(Found { property: p, path: path(&stack, step) });
            break;
        }
        for i in (0..props.len()).filter(|i| (sometimes & !witnessed) >> i & 1 == 1) {
            out.witnesses.push(Found { property: i, path: path(&stack, step) });
        }
        witnessed |= sometimes;
        let todo = todo_of(&mut h, &state)?;
        out.explored += todo.len() as u64;
        if todo.is_empty() && ebits != 0 {
            out.violation = Some(Found { property: ebits.trailing_zeros() as usize, path: path(&stack, step) });
            break;
        }
        stack.push(Frame { state, ebits, todo, step });
    }
    meter.show(out.unique, out.max_depth, true);
    out.bytes = table_bytes(&shards);
    out.peak_bytes = out.bytes;
    Ok(out)
}

/// Adds `fp` to its shard; returns whether it was new.
fn insert(shards: &mut [FpTable], fp: u64) -> bool {
    let (s, key) = shard(fp);
    shards[s].insert(key)
}

fn table_bytes(shards: &[FpTable]) -> usize {
    shards.iter().map(FpTable::bytes).sum()
}
