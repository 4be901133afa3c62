//! Nines: how much downtime each availability allows.

use super::{HOURS_PER_YEAR, NINES};
use crate::render::Table;

/// Downtime allowed per year, in hours, at availability `a`.
pub fn downtime_hours_per_year(a: f64) -> f64 {
    (1.0 - a) * HOURS_PER_YEAR
}

/// The number of nines of `a`: `-log10(1 - a)` (3 for 99.9%).
pub fn nines(a: f64) -> f64 {
    -(1.0 - a).log10()
}

fn human_hours(h: f64) -> String {
    match h {
        h if h >= 24.0 => format!("{:.2} days", h / 24.0),
        h if h >= 1.0 => format!("{h:.2} hours"),
        h if h * 60.0 >= 1.0 => format!("{:.2} minutes", h * 60.0),
        h => format!("{:.2} seconds", h * 3600.0),
    }
}

/// Downtime per year, month and week for availability from 90% to 99.9999%.
pub fn downtime_table() -> Table {
    let mut t = Table::new(["availability", "nines", "per year", "per month", "per week"])
        .title("Downtime allowed by each availability");
    for a in NINES {
        let year = downtime_hours_per_year(a);
        let pct = format!("{:.4}", a * 100.0);
        let pct = pct.trim_end_matches('0').trim_end_matches('.');
        let row = vec![
            format!("{pct}%").into(),
            nines(a).into(),
            human_hours(year).into(),
            human_hours(year / 12.0).into(),
            human_hours(year * 7.0 / 365.0).into(),
        ];
        t.row(row).expect("width");
    }
    t
}
