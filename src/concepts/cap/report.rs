//! Turning a CAP run's recorded history into availability and consistency figures.

use super::linearizability::{check_register, LinearizabilityReport, Operation, RegisterOp};
use super::replica::{ClientOp, Replica};
use super::CapConfig;
use crate::engine::Simulation;
use crate::error::Result;
use crate::experiment::Report;
use crate::render::{Format, MimeBundle, Plot, Render, Table, Value};
use crate::stats::{proportion_ci95, Estimate};
use std::collections::{BTreeMap, BTreeSet};

/// What a CAP run measured.
#[derive(Clone, Debug, PartialEq)]
pub struct CapResult {
    /// The configuration that was run.
    pub config: CapConfig,
    /// Client operations issued.
    pub operations: u64,
    /// Operations that succeeded.
    pub succeeded: u64,
    /// Fraction of operations that succeeded, with a Wilson 95% CI.
    pub availability: Estimate,
    /// The same, for operations invoked while the partition lasted.
    pub availability_during_partition: Estimate,
    /// Successful reads.
    pub reads: u64,
    /// Successful reads older than a write completed before they began.
    pub stale_reads: u64,
    /// Acknowledged writes.
    pub writes_acked: u64,
    /// Acknowledged writes discarded in favour of a write that completed before they started.
    pub lost_updates: u64,
    /// CP writes that timed out after reaching some replicas.
    pub indeterminate_writes: u64,
    /// The linearizability checker's verdict on the whole history.
    pub linearizability: LinearizabilityReport,
    /// (bucket start in seconds, fraction of operations invoked in it that succeeded).
    pub timeline: Vec<(f64, f64)>,
    /// The engine trace digest: equal seeds give equal digests.
    pub trace_digest: u64,
}

impl CapResult {
    pub(crate) fn analyse(config: &CapConfig, sim: &Simulation<Replica>) -> Result<CapResult> {
        let ops: Vec<&ClientOp> = sim.nodes().iter().flat_map(|r| r.history.iter()).collect();
        let done = |o: &ClientOp| o.complete.map_or(u64::MAX, |t| t.as_nanos());
        // Every write by value: (invoke, completion if acknowledged).
        let writes: BTreeMap<u64, (u64, Option<u64>)> =
            ops.iter().filter_map(|o| o.write.map(|v| (v, (o.invoke.as_nanos(), o.ok.then(|| done(o)))))).collect();
        let acked_complete = |v: u64| if v == 0 { Some(0) } else { writes.get(&v).and_then(|w| w.1) };

        // Stale reads: sort acknowledged writes by completion; keep the running latest invocation.
        let mut by_complete: Vec<(u64, u64)> = writes.values().filter_map(|&(inv, c)| c.map(|c| (c, inv))).collect();
        by_complete.sort_unstable();
        let mut latest_invoke = Vec::with_capacity(by_complete.len());
        let mut running = 0;
        for &(_, inv) in &by_complete {
            running = running.max(inv);
            latest_invoke.push(running);
        }
        let reads: Vec<&&ClientOp> = ops.iter().filter(|o| o.ok && o.write.is_none()).collect();
        let stale_reads = reads
            .iter()
            .filter(|r| {
                let before = by_complete.partition_point(|&(c, _)| c < r.invoke.as_nanos());
                let value = r.read_value.unwrap_or(0);
                before > 0 && acked_complete(value).is_some_and(|c| c < latest_invoke[before - 1])
            })
            .count() as u64;

        // Lost updates: a discarded acknowledged write whose winner completed before it began.
        let lost: BTreeSet<u64> = sim
            .nodes()
            .iter()
            .flat_map(|r| r.discarded.iter())
            .filter(|&&(loser, winner)| {
                let (Some(&(loser_invoke, Some(_))), Some(winner_done)) = (writes.get(&loser), acked_complete(winner))
                else {
                    return false;
                };
                winner_done < loser_invoke
            })
            .map(|&(loser, _)| loser)
            .collect();

        // The history for the checker. An indeterminate write must have taken effect before any
        // read that returned it, so it "completes" at the first such read; unseen, it is left out.
        let mut first_seen: BTreeMap<u64, u64> = BTreeMap::new();
        for r in &reads {
            let e = first_seen.entry(r.read_value.unwrap_or(0)).or_insert(u64::MAX);
            *e = (*e).min(done(r));
        }
        let mut history = Vec::with_capacity(ops.len());
        for o in &ops {
            let (op, complete) = match (o.write, o.ok) {
                (None, true) => (RegisterOp::Read(o.read_value.unwrap_or(0)), done(o)),
                (Some(v), true) => (RegisterOp::Write(v), done(o)),
                (Some(v), false) if o.indeterminate => match first_seen.get(&v) {
                    Some(&t) => (RegisterOp::Write(v), t),
                    None => continue,
                },
                _ => continue,
            };
            history.push(Operation { op, invoke: o.invoke.as_nanos(), complete });
        }
        let linearizability = check_register(&history, 0, config.max_window)?;

        let (cut, heal) = config.partition_window();
        let during: Vec<&&ClientOp> = ops.iter().filter(|o| o.invoke >= cut && o.invoke < heal).collect();
        let succeeded = ops.iter().filter(|o| o.ok).count() as u64;
        let end = ops.iter().map(|o| o.invoke.as_nanos()).max().unwrap_or(0) + 1;
        let buckets = 50u64;
        let mut counts = vec![(0u64, 0u64); buckets as usize];
        for o in &ops {
            let b = ((o.invoke.as_nanos() as u128 * buckets as u128) / end as u128) as usize;
            counts[b].0 += u64::from(o.ok);
            counts[b].1 += 1;
        }
        let timeline = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| c.1 > 0)
            .map(|(b, c)| (b as f64 * end as f64 / buckets as f64 / 1e9, c.0 as f64 / c.1 as f64))
            .collect();
        Ok(CapResult {
            config: config.clone(),
            operations: ops.len() as u64,
            succeeded,
            availability: proportion_ci95(succeeded, ops.len() as u64)?,
            availability_during_partition: proportion_ci95(
                during.iter().filter(|o| o.ok).count() as u64,
                during.len().max(1) as u64,
            )?,
            reads: reads.len() as u64,
            stale_reads,
            writes_acked: writes.values().filter(|w| w.1.is_some()).count() as u64,
            lost_updates: lost.len() as u64,
            indeterminate_writes: ops.iter().filter(|o| o.indeterminate).count() as u64,
            linearizability,
            timeline,
            trace_digest: sim.trace().digest,
        })
    }

    fn column(&self) -> Vec<Value> {
        let l = &self.linearizability;
        vec![
            self.operations.into(),
            self.availability.mean.into(),
            self.availability_during_partition.mean.into(),
            self.stale_reads.into(),
            self.lost_updates.into(),
            self.indeterminate_writes.into(),
            if l.linearizable() { "yes" } else { "NO" }.into(),
            format!("{} of {} ({} unchecked)", l.violating_segments, l.segments, l.unchecked_segments).into(),
        ]
    }

    /// One row per quantity.
    pub fn table(&self) -> Table {
        CapComparison { runs: vec![self.clone()] }.table()
    }

    /// Availability over time; the partition shows as a dip (CP) or not at all (AP).
    pub fn plot(&self) -> Plot {
        CapComparison { runs: vec![self.clone()] }.plot()
    }
}

const ROWS: [&str; 8] = [
    "operations",
    "availability",
    "availability during partition",
    "stale reads",
    "lost updates",
    "indeterminate writes",
    "linearizable",
    "violating segments",
];

/// CP and AP side by side on the same seed.
#[derive(Clone, Debug, PartialEq)]
pub struct CapComparison {
    /// One run per mode.
    pub runs: Vec<CapResult>,
}

impl CapComparison {
    /// Quantities down, modes across.
    pub fn table(&self) -> Table {
        let mut cols = vec!["quantity".to_string()];
        cols.extend(self.runs.iter().map(|r| format!("{:?}", r.config.mode)));
        let c = self.runs.first().map(|r| r.config.clone()).unwrap_or_default();
        let (cut, heal) = c.partition_window();
        let mut t = Table::new(cols).title(format!(
            "Replicated register on {} replicas; replicas {:?} cut off from {:.1} s to {:.1} s",
            c.replicas,
            c.minority(),
            cut.as_secs_f64(),
            heal.as_secs_f64()
        ));
        let columns: Vec<Vec<Value>> = self.runs.iter().map(CapResult::column).collect();
        for (i, name) in ROWS.iter().enumerate() {
            let mut row: Vec<Value> = vec![(*name).into()];
            for col in &columns {
                row.push(match (i, &col[i]) {
                    (1 | 2, Value::Float(x)) => Value::Text(Format::Percent(2).apply(&Value::Float(*x))),
                    (_, v) => v.clone(),
                });
            }
            t.row(row).expect("one column per mode");
        }
        t
    }

    /// Availability over time, one line per mode.
    pub fn plot(&self) -> Plot {
        self.runs.iter().fold(
            Plot::new("Fraction of operations that succeeded, over time").x_label("time (s)").y_label("availability"),
            |p, r| p.line(format!("{:?}", r.config.mode), r.timeline.clone()),
        )
    }
}

impl Render for CapResult {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
impl Render for CapComparison {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(CapResult, CapComparison);

impl Report for CapResult {
    /// `availability` and `availability_during_partition` (fractions of operations that
    /// succeeded), `stale_read_fraction` (of successful reads), the counts `stale_reads`,
    /// `lost_updates`, `indeterminate_writes` and `violating_segments`, and `linearizable` (1 or 0).
    fn measures(&self) -> Vec<(String, f64)> {
        let l = &self.linearizability;
        vec![
            ("availability".into(), self.availability.mean),
            ("availability_during_partition".into(), self.availability_during_partition.mean),
            ("stale_read_fraction".into(), self.stale_reads as f64 / self.reads.max(1) as f64),
            ("stale_reads".into(), self.stale_reads as f64),
            ("lost_updates".into(), self.lost_updates as f64),
            ("indeterminate_writes".into(), self.indeterminate_writes as f64),
            ("violating_segments".into(), l.violating_segments as f64),
            ("linearizable".into(), f64::from(u8::from(l.linearizable()))),
        ]
    }
    fn table(&self) -> Table {
        CapResult::table(self)
    }
    fn plot(&self) -> Plot {
        CapResult::plot(self)
    }
}
