//! P(at least one machine down) against fleet size: the table and plot of `vs_machines`.

use super::Config;
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::stats::Estimate;

/// P(at least one machine down) against fleet size.
#[derive(Debug, Clone)]
pub struct AnyDownCurve {
    /// The fleet settings (other than size) used at every point.
    pub config: Config,
    /// `(machines, exact, simulated mean over the seeds with its 95% CI)` per point.
    pub points: Vec<(usize, f64, Estimate)>,
}

impl AnyDownCurve {
    /// One row per fleet size.
    pub fn table(&self) -> Table {
        let mut t = Table::new(["machines", "exact", "simulated", "95% CI low", "95% CI high"])
            .title(format!("P(at least one machine down), each down with p = {:.5}", self.config.p_down()));
        for (n, exact, e) in &self.points {
            t.row(vec![(*n).into(), (*exact).into(), e.mean.into(), e.lo.into(), e.hi.into()]).expect("width");
        }
        t
    }

    /// Exact curve and simulated points with 95% error bars, on a log axis of fleet size.
    pub fn plot(&self) -> Plot {
        Plot::new("P(at least one machine down) vs fleet size")
            .x_label("machines")
            .y_label("P(at least one down)")
            .log_x()
            .line("exact: 1 - (1-p)^N", self.points.iter().map(|(n, e, _)| (*n as f64, *e)).collect())
            .error_bars(
                "simulated (95% CI)",
                self.points.iter().map(|(n, _, s)| (*n as f64, s.mean, s.lo, s.hi)).collect(),
            )
    }
}

impl Render for AnyDownCurve {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(AnyDownCurve);
