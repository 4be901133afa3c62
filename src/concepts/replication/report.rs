//! What a replication run measured: what the clients were told, and what survived.

use super::{Config, Replica};
use crate::engine::Simulation;
use crate::experiment::{ExperimentSweep, Report};
use crate::render::{MimeBundle, Plot, Render, Table, Value};
use crate::time::{Duration, Time};

/// One replica as the run left it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicaEnd {
    /// Whether it believes it is the primary.
    pub primary: bool,
    /// The highest epoch it accepted.
    pub epoch: u64,
    /// Writes in its log.
    pub log_len: usize,
    /// How many times it became primary.
    pub reigns: usize,
}

/// The outcome of one replication run.
#[derive(Debug, Clone)]
pub struct ReplicationResult {
    /// The run's settings.
    pub config: Config,
    /// The seed it ran with.
    pub seed: u64,
    /// Writes the clients sent.
    pub written: usize,
    /// Writes the clients were told are durable.
    pub acked: usize,
    /// Acknowledged writes missing from the surviving log (the newest primary's).
    pub lost_acked: usize,
    /// The ids of those writes, in the order they were acknowledged.
    pub lost: Vec<u32>,
    /// Time during which two or more replicas acted as primary.
    pub split_brain: Duration,
    /// Every replica at the end, in id order.
    pub replicas: Vec<ReplicaEnd>,
    /// `(when, acknowledged so far, of them lost)` after each acknowledgement, in time order.
    pub timeline: Vec<(Time, usize, usize)>,
}

/// Total time during which at least two of `reigns` overlap (an open reign ends at `end`).
fn overlap(reigns: &[(Time, Option<Time>)], end: Time) -> Duration {
    // +1 at each start, -1 at each end; ties end first, so back-to-back reigns do not overlap.
    let mut edges: Vec<(Time, i32)> = reigns.iter().flat_map(|&(s, e)| [(s, 1), (e.unwrap_or(end), -1)]).collect();
    edges.sort();
    let (mut open, mut since, mut total) = (0, Time::ZERO, Duration::ZERO);
    for (t, step) in edges {
        if open >= 2 {
            total = total + t.since(since);
        }
        open += step;
        since = t;
    }
    total
}

impl ReplicationResult {
    pub(super) fn measure(config: &Config, seed: u64, sim: &Simulation<Replica>) -> Self {
        let replicas = &sim.nodes()[..config.replicas];
        // The surviving log is the newest primary's (or, if none reigns, the newest log).
        let survivor = replicas
            .iter()
            .filter(|r| r.primary)
            .max_by_key(|r| r.epoch)
            .or_else(|| replicas.iter().max_by_key(|r| (r.log_epoch, r.log.len())))
            .expect("at least two replicas");
        let mut acks: Vec<(Time, u32)> =
            config.clients().iter().flat_map(|&c| sim.node(c).acked.iter().map(|&(id, t)| (t, id))).collect();
        acks.sort();
        let kept: std::collections::BTreeSet<u32> = survivor.log.iter().copied().collect();
        let mut timeline = Vec::with_capacity(acks.len());
        let mut lost = Vec::new();
        for (i, &(t, id)) in acks.iter().enumerate() {
            if !kept.contains(&id) {
                lost.push(id);
            }
            timeline.push((t, i + 1, lost.len()));
        }
        let reigns: Vec<(Time, Option<Time>)> = replicas.iter().flat_map(|r| r.reigns.iter().copied()).collect();
        ReplicationResult {
            config: config.clone(),
            seed,
            written: 2 * config.writes_per_client() as usize,
            acked: acks.len(),
            lost_acked: lost.len(),
            lost,
            split_brain: overlap(&reigns, sim.now()),
            replicas: replicas
                .iter()
                .map(|r| ReplicaEnd {
                    primary: r.primary,
                    epoch: r.epoch,
                    log_len: r.log.len(),
                    reigns: r.reigns.len(),
                })
                .collect(),
            timeline,
        }
    }
}

impl Report for ReplicationResult {
    /// `acked` and `lost_acked` (counts of writes), `split_brain_ms` (time with two primaries).
    fn measures(&self) -> Vec<(String, f64)> {
        vec![
            ("acked".into(), self.acked as f64),
            ("lost_acked".into(), self.lost_acked as f64),
            ("split_brain_ms".into(), self.split_brain.as_millis_f64()),
        ]
    }

    /// One row per replica as the run left it, under a title with the run's totals.
    fn table(&self) -> Table {
        let c = &self.config;
        let title = format!(
            "{} replicas, fencing {}, partition {}: {} writes, {} acknowledged, {} of them lost; two primaries for {}",
            c.replicas, c.fencing, c.partition, self.written, self.acked, self.lost_acked, self.split_brain
        );
        let mut t =
            Table::new(["replica", "role at the end", "epoch", "writes in its log", "times primary"]).title(title);
        for (i, r) in self.replicas.iter().enumerate() {
            let role = if r.primary { "primary" } else { "backup" };
            let row: Vec<Value> = vec![i.into(), role.into(), r.epoch.into(), r.log_len.into(), r.reigns.into()];
            t.row(row).expect("five columns");
        }
        t
    }

    /// Acknowledged writes over time, and how many of them the surviving log does not have.
    fn plot(&self) -> Plot {
        let ms = |t: Time| t.as_millis_f64();
        let acked = self.timeline.iter().map(|&(t, a, _)| (ms(t), a as f64)).collect();
        let lost = self.timeline.iter().map(|&(t, _, l)| (ms(t), l as f64)).collect();
        Plot::new(format!("Acknowledged writes (fencing {})", self.config.fencing))
            .x_label("time (ms)")
            .y_label("writes")
            .line("acknowledged so far", acked)
            .line("of them lost", lost)
    }
}

impl Render for ReplicationResult {
    fn mime_bundle(&self) -> MimeBundle {
        Report::table(self).mime_bundle()
    }
}
crate::impl_evcxr_display!(ReplicationResult);

/// Lost acknowledged writes against the partition's length, without and with fencing.
#[derive(Debug, Clone)]
pub struct FencingCurve {
    /// The partition lengths.
    pub lengths: Vec<Duration>,
    /// The sweep without fencing.
    pub naive: ExperimentSweep,
    /// The same sweep, same seeds, with fencing.
    pub fenced: ExperimentSweep,
}

impl FencingCurve {
    /// One row per length: acknowledged and lost writes (means and 95% CI half-widths) both ways.
    pub fn table(&self) -> Table {
        let mut t = Table::new([
            "partition",
            "acked, no fencing",
            "lost, no fencing",
            "lost ±95%",
            "acked, fencing",
            "lost, fencing",
            "lost ±95%",
        ])
        .title(format!("Lost acknowledged writes, mean over {} seeds", self.naive.result.seeds.len()));
        let get = |s: &ExperimentSweep, m: &str| s.estimates(m).expect("a measure of every run");
        let (na, nl, fa, fl) = (
            get(&self.naive, "acked"),
            get(&self.naive, "lost_acked"),
            get(&self.fenced, "acked"),
            get(&self.fenced, "lost_acked"),
        );
        for (i, len) in self.lengths.iter().enumerate() {
            let row: Vec<Value> = vec![
                (*len).into(),
                na[i].mean.into(),
                nl[i].mean.into(),
                nl[i].half_width().into(),
                fa[i].mean.into(),
                fl[i].mean.into(),
                fl[i].half_width().into(),
            ];
            t.row(row).expect("seven columns");
        }
        t
    }

    /// Lost acknowledged writes against the partition's length, both ways, with 95% CIs.
    pub fn plot(&self) -> Plot {
        let bars = |s: &ExperimentSweep| {
            let est = s.estimates("lost_acked").expect("a measure of every run");
            self.lengths.iter().zip(est).map(|(l, e)| (l.as_millis_f64(), e.mean, e.lo, e.hi)).collect()
        };
        Plot::new("Acknowledged writes lost to split brain")
            .x_label("partition (ms)")
            .y_label("lost acknowledged writes")
            .line_with_error_bars("no fencing (mean, 95% CI)", bars(&self.naive))
            .line_with_error_bars("fencing (mean, 95% CI)", bars(&self.fenced))
    }
}

impl Render for FencingCurve {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(FencingCurve);
