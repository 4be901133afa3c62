//! Availability compositions: the two-servers case and series/parallel/majority curves.

use super::{nines, Arrangement, Config};
use crate::error::Result;
use crate::experiment::Experiment;
use crate::render::{MimeBundle, Plot, Render, Table};
use crate::validate;

/// The chapter's case: one server vs a web server plus a database server that both must work.
///
/// Simulates both with `config`'s component and years; returns outages and downtime per year,
/// simulated and analytic, and the ratio two/one.
pub fn two_servers_case(config: &Config, seed: u64) -> Result<Table> {
    let one = Config { components: 1, arrangement: Arrangement::Series, ..config.clone() };
    let two = Config { components: 2, arrangement: Arrangement::Series, ..config.clone() };
    let (r1, r2) = (one.run(seed)?, two.run(seed.wrapping_add(1))?);
    let mut t = Table::new([
        "setup",
        "outages/year (sim)",
        "outages/year (analytic)",
        "downtime h/year (sim)",
        "downtime h/year (analytic)",
    ])
    .title("Two servers that must both work are offline about twice as often");
    for (name, c, r) in [("one server", &one, &r1), ("web + database", &two, &r2)] {
        let row = vec![
            name.into(),
            r.outages.mean.into(),
            c.analytic_outages_per_year().into(),
            r.downtime_hours.mean.into(),
            c.analytic_downtime_hours().into(),
        ];
        t.row(row)?;
    }
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { f64::NAN };
    t.row(vec![
        "ratio two / one".into(),
        ratio(r2.outages.mean, r1.outages.mean).into(),
        ratio(two.analytic_outages_per_year(), one.analytic_outages_per_year()).into(),
        ratio(r2.downtime_hours.mean, r1.downtime_hours.mean).into(),
        ratio(two.analytic_downtime_hours(), one.analytic_downtime_hours()).into(),
    ])?;
    Ok(t)
}

/// Analytic availability of series, parallel and majority arrangements for 1..=`max_components`.
#[derive(Debug, Clone)]
pub struct CompositionCurve {
    /// `(n, series, parallel, majority)` availability per component count.
    pub rows: Vec<(usize, f64, f64, f64)>,
    /// The component everything is built from.
    pub component: Config,
}

/// Series, parallel and majority (k = n/2 + 1) availability as the component count grows.
pub fn composition(component: &Config, max_components: usize) -> Result<CompositionCurve> {
    component.validate()?;
    validate::count_in("max_components", max_components, 1, 1000)?;
    let rows = (1..=max_components)
        .map(|n| {
            let at = |arrangement| Config { components: n, arrangement, ..component.clone() }.analytic_availability();
            (n, at(Arrangement::Series), at(Arrangement::Parallel), at(Arrangement::KOfN(n / 2 + 1)))
        })
        .collect();
    Ok(CompositionCurve { rows, component: component.clone() })
}

impl CompositionCurve {
    /// One row per component count, with the nines of each arrangement.
    pub fn table(&self) -> Table {
        let mut t = Table::new([
            "components",
            "series",
            "parallel",
            "majority",
            "series nines",
            "parallel nines",
            "majority nines",
        ])
        .title(format!("Composition of components with availability {:.5}", self.component.component_availability()));
        for &(n, s, p, m) in &self.rows {
            t.row(vec![n.into(), s.into(), p.into(), m.into(), nines(s).into(), nines(p).into(), nines(m).into()])
                .expect("width");
        }
        t
    }

    /// Unavailability (1 - A) of each arrangement on a log scale.
    pub fn plot(&self) -> Plot {
        // Parallel unavailability underflows to 0 for many components; a log axis cannot show 0.
        let pts = |f: fn(&(usize, f64, f64, f64)) -> f64| {
            self.rows.iter().map(|r| (r.0 as f64, 1.0 - f(r))).filter(|p| p.1 > 1e-300).collect::<Vec<_>>()
        };
        Plot::new("Unavailability vs number of components")
            .x_label("components")
            .y_label("1 - availability")
            .log_y()
            .line("series", pts(|r| r.1))
            .line("parallel", pts(|r| r.2))
            .line("majority", pts(|r| r.3))
    }
}

impl Render for CompositionCurve {
    fn mime_bundle(&self) -> MimeBundle {
        self.table().mime_bundle()
    }
}
crate::impl_evcxr_display!(CompositionCurve);
