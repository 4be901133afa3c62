//! Which steps of a counterexample make its violation stand out, for the diagram to ring.

use super::property::{Expectation, Property};
use super::{History, State};
use crate::engine::Node;

/// Each client's (id, calls made, calls answered) in a history.
pub(super) fn client_progress<M>(h: &History<M>) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    for r in h.ops() {
        match out.last_mut() {
            Some(last) if last.0 == r.client => {
                last.1 += 1;
                last.2 += usize::from(r.ret.is_some());
            }
            _ => out.push((r.client, 1, usize::from(r.ret.is_some()))),
        }
    }
    out
}

/// The steps to highlight in a counterexample, with a note each: for a property that names the
/// history operations of its violation (linearizability), the step where each one's answer
/// arrived (or its call was made, if unanswered); for an `always` property, the last step, after
/// which it is false. An `eventually` counterexample is the whole path: nothing is singled out.
pub(super) fn marks<N: Node>(
    p: &Property<N>,
    last: &State<N>,
    progress: &[Vec<(usize, usize, usize)>],
    names: &[String],
) -> Vec<(usize, String)> {
    let Some(explain) = &p.explain else {
        return match (p.expectation, progress.len()) {
            (Expectation::Always, n) if n > 0 => vec![(n - 1, format!("`{}` is false after this step", p.name))],
            _ => Vec::new(),
        };
    };
    let ops = last.history().ops();
    let mut out = Vec::new();
    for i in explain(last) {
        let r = &ops[i];
        // This operation's position among its client's (ops are grouped by client, in order).
        let k = ops[..i].iter().filter(|o| o.client == r.client).count();
        let reached = |step: &Vec<(usize, usize, usize)>| {
            step.iter()
                .any(|&(c, made, answered)| c == r.client && if r.ret.is_some() { answered > k } else { made > k })
        };
        let Some(step) = progress.iter().position(reached) else { continue };
        let name = names.get(r.client).cloned().unwrap_or_else(|| format!("n{}", r.client));
        let what = match &r.ret {
            Some(ret) => format!("{:?} → {ret:?}", r.invoke),
            None => format!("{:?} (no answer)", r.invoke),
        };
        out.push((step, format!("`{}`: {name} {what}", p.name)));
    }
    out.sort();
    out
}
