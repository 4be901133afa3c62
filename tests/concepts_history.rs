//! Dennard scaling as data: the table is the cited selection, and the trend breaks around 2005.

use distsim::concepts::history::{clock_growth_per_year, dennard_plot, dennard_table, MICROPROCESSOR_TREND};

#[test]
fn the_table_is_ordered_and_plausible() {
    assert_eq!(MICROPROCESSOR_TREND.len(), 20);
    assert!(MICROPROCESSOR_TREND.windows(2).all(|w| w[0].year < w[1].year));
    // The 1971 chip (Intel 4004 era) ran below 1 MHz; none ever reached 5 GHz as typical clock.
    assert!(MICROPROCESSOR_TREND[0].clock_mhz < 1.0);
    assert!(MICROPROCESSOR_TREND.iter().all(|c| c.clock_mhz < 5000.0 && c.watts > 0.0));
    assert_eq!(dennard_table().len(), 20);
    assert_eq!(dennard_plot().series().len(), 2);
    dennard_plot().to_svg().unwrap();
}

#[test]
fn clock_rates_grew_fast_until_2004_and_then_stopped() {
    let before = clock_growth_per_year(1970.0, 2004.0).unwrap();
    let after = clock_growth_per_year(2005.0, 2022.0).unwrap();
    // Fitted to the const table: about 1.31× a year before (a doubling every 2.6 years), slightly falling after.
    assert!((before - 1.31).abs() < 0.01, "{before}");
    assert!(after < 1.0 && after > 0.95, "{after}");
    // Power rose with the clock until the ~100 W wall, then stayed within a few hundred watts.
    let early_max = MICROPROCESSOR_TREND.iter().filter(|c| c.year < 2000.0).map(|c| c.watts).fold(0.0, f64::max);
    assert!(early_max <= 50.0);
    let err = clock_growth_per_year(1900.0, 1950.0).unwrap_err().to_string();
    assert!(err.contains("at least two chips"), "{err}");
}
