//! The interactive view of a very large run: counts per pixel column instead of one arrow per
//! message.
//!
//! Above [`AGGREGATE_ABOVE`](super::AGGREGATE_ABOVE) events a picture of every arrow is a solid
//! smear, and its data would run to many megabytes. So the plot's width is cut into one bucket
//! per pixel column, and each bucket counts, for every pair of lanes, the messages sent in it:
//! how many were delivered (and their mean latency, which sets where the drawn line lands), how
//! many a partition blocked and how many were lost otherwise; and for every lane, how many events
//! happened there. Every event of the window is counted; none is cut. The size is bounded by
//! columns × lane pairs, whatever the run's length.

use super::svg::{LEFT, RIGHT};
use super::View;
use crate::trace::{DropReason, EventKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// Numbers per entry of [`Aggregate::flows`].
pub(crate) const FLOW_FIELDS: usize = 7;

/// Per-pixel-column buckets of a view.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub(crate) struct Aggregate {
    /// How many buckets (one per pixel column of the plot).
    pub columns: usize,
    /// Each bucket's length in nanoseconds.
    pub column_ns: u64,
    /// How many events were counted (all events of the view).
    pub events: usize,
    /// `[lane, column, events]` for every non-empty (lane, column) bucket.
    pub lanes: Vec<u64>,
    /// `[from, to, column, delivered, mean latency in ns, blocked by a partition, lost otherwise]`
    /// for every (pair, column) bucket with a message sent in it.
    pub flows: Vec<u64>,
}

#[derive(Default)]
struct Flow {
    delivered: u64,
    latency_sum: u128,
    partitioned: u64,
    lost: u64,
}

pub(crate) fn build(view: &View<'_>) -> Aggregate {
    let columns = (f64::from(view.width) - LEFT - RIGHT).max(1.0) as usize;
    let (from, to) = (view.from.as_nanos(), view.to.as_nanos());
    let column_ns = (to - from).div_ceil(columns as u64).max(1);
    let column = |t: u64| ((t.saturating_sub(from) / column_ns) as usize).min(columns - 1);
    let mut lanes: BTreeMap<(usize, usize), u64> = BTreeMap::new();
    let mut flows: BTreeMap<(usize, usize, usize), Flow> = BTreeMap::new();
    for e in &view.shown {
        if let Some(node) = e.kind.node() {
            *lanes.entry((node, column(e.time.as_nanos()))).or_default() += 1;
        }
        let (msg, dropped) = match &e.kind {
            EventKind::Deliver { msg, .. } => (*msg, None),
            EventKind::Drop { msg, reason, .. } => (*msg, Some(*reason)),
            _ => continue,
        };
        let Some(send) = view.sends.get(&msg) else { continue };
        let sent = send.time.as_nanos().max(from);
        let flow = flows.entry((send.from, send.to, column(sent))).or_default();
        match dropped {
            None => {
                flow.delivered += 1;
                flow.latency_sum += u128::from(e.time.as_nanos() - sent);
            }
            Some(DropReason::Partition) => flow.partitioned += 1,
            Some(_) => flow.lost += 1,
        }
    }
    let lanes: Vec<u64> = lanes.into_iter().flat_map(|((lane, col), n)| [lane as u64, col as u64, n]).collect();
    let flows: Vec<u64> = flows
        .into_iter()
        .flat_map(|((f, t, col), flow)| {
            let mean = if flow.delivered == 0 { 0 } else { (flow.latency_sum / u128::from(flow.delivered)) as u64 };
            [f as u64, t as u64, col as u64, flow.delivered, mean, flow.partitioned, flow.lost]
        })
        .collect();
    debug_assert_eq!(flows.len() % FLOW_FIELDS, 0);
    Aggregate { columns, column_ns, events: view.shown.len(), lanes, flows }
}
