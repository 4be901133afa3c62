//! The end of Dennard scaling, as data: clock rate and power of microprocessors over fifty years.
//!
//! Dennard et al. (1974) observed that when a transistor shrinks, its voltage and current shrink
//! with it, so the power per unit of chip area stays the same. For thirty years each chip
//! generation could therefore run faster at about the same power density. Around 2005 the voltage
//! could not fall further (leakage current grows as it does), chips hit the heat a package can shed
//! (a little over 100 W), and clock rates stopped rising. Performance since then has come from more
//! cores, and at scale from more machines.
//!
//! [`MICROPROCESSOR_TREND`] is a small selection from **Karl Rupp's "Microprocessor Trend Data"**
//! (<https://github.com/karlrupp/microprocessor-trend-data>, `50yrs/frequency.dat` and
//! `50yrs/watts.dat`, CC BY 4.0). Rupp's figures up to 2010 were collected by M. Horowitz,
//! F. Labonte, O. Shacham, K. Olukotun, L. Hammond and C. Batten; he added 2010–2021. Each row here
//! is one processor: a clock rate and a typical power (TDP) listed in the two files at the same
//! date, rounded to three significant digits. Power here is per chip, not per area: the dataset has
//! no die sizes, and chip power alone shows the same wall.
//!
//! ```
//! use distsim::concepts::history;
//! let before = history::clock_growth_per_year(1970.0, 2004.0)?;
//! let after = history::clock_growth_per_year(2005.0, 2022.0)?;
//! assert!(before > 1.2 && after < 1.05); // about +30% a year, then nothing
//! # Ok::<(), distsim::Error>(())
//! ```

use crate::error::{Error, Result};
use crate::render::{Plot, Table};

/// One processor: when it appeared, its clock rate and its typical power.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChipPoint {
    /// Year of introduction (fractional, as in the dataset).
    pub year: f64,
    /// Clock rate in MHz.
    pub clock_mhz: f64,
    /// Typical power (TDP) in watts.
    pub watts: f64,
}

const fn chip(year: f64, clock_mhz: f64, watts: f64) -> ChipPoint {
    ChipPoint { year, clock_mhz, watts }
}

/// Clock rate and power of 20 processors, 1971–2021, from Karl Rupp's Microprocessor Trend Data
/// (see the module documentation for the source and how the rows were chosen).
pub const MICROPROCESSOR_TREND: [ChipPoint; 20] = [
    chip(1971.9, 0.704, 0.445),
    chip(1979.6, 5.05, 1.72),
    chip(1982.3, 6.10, 3.02),
    chip(1985.9, 16.1, 1.54),
    chip(1988.7, 40.3, 3.96),
    chip(1992.4, 65.5, 5.94),
    chip(1993.0, 198.0, 35.2),
    chip(1995.4, 297.0, 50.0),
    chip(1997.5, 538.0, 36.2),
    chip(2000.7, 1000.0, 48.7),
    chip(2001.2, 2020.0, 73.0),
    chip(2002.4, 2250.0, 48.7),
    chip(2004.9, 3650.0, 101.0),
    chip(2006.9, 3650.0, 129.0),
    chip(2008.5, 3020.0, 65.5),
    chip(2012.7, 3700.0, 200.0),
    chip(2014.5, 3700.0, 200.0),
    chip(2018.4, 3400.0, 190.0),
    chip(2020.1, 2900.0, 280.0),
    chip(2021.3, 2300.0, 290.0),
];

/// The factor by which clock rates grew per year between `from` and `to`: `exp(slope)` of a
/// least-squares line through `ln(clock)` against the year, over the chips of that span.
pub fn clock_growth_per_year(from: f64, to: f64) -> Result<f64> {
    let chips: Vec<&ChipPoint> = MICROPROCESSOR_TREND.iter().filter(|c| (from..=to).contains(&c.year)).collect();
    if chips.len() < 2 {
        return Err(Error::invalid("from..to", format!("{from}..{to}"), "a span of years holding at least two chips"));
    }
    let n = chips.len() as f64;
    let mean_x = chips.iter().map(|c| c.year).sum::<f64>() / n;
    let mean_y = chips.iter().map(|c| c.clock_mhz.ln()).sum::<f64>() / n;
    let sxy: f64 = chips.iter().map(|c| (c.year - mean_x) * (c.clock_mhz.ln() - mean_y)).sum();
    let sxx: f64 = chips.iter().map(|c| (c.year - mean_x).powi(2)).sum();
    Ok((sxy / sxx).exp())
}

/// The chips as a table.
pub fn dennard_table() -> Table {
    let mut t = Table::new(["year", "clock (MHz)", "typical power (W)"])
        .title("Microprocessors 1971–2021 (selection from K. Rupp's Microprocessor Trend Data)");
    for c in MICROPROCESSOR_TREND {
        t.row(vec![c.year.into(), c.clock_mhz.into(), c.watts.into()]).expect("three columns");
    }
    t
}

/// Clock rate and power over the years, on a logarithmic scale.
pub fn dennard_plot() -> Plot {
    let series = |f: fn(&ChipPoint) -> f64| MICROPROCESSOR_TREND.iter().map(|c| (c.year, f(c))).collect();
    Plot::new("The end of Dennard scaling: clock rate and power")
        .x_label("year")
        .y_label("MHz, watts (log scale)")
        .log_y()
        .line("clock rate (MHz)", series(|c| c.clock_mhz))
        .line("typical power (W)", series(|c| c.watts))
}
