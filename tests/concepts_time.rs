//! Time is relative: wall clocks vs Lamport and vector clocks on the same run.

use distsim::concepts::time_relative::*;
use distsim::experiment::{Experiment, ParamValue, Parameters, Report};
use distsim::time::{millis, secs, Duration};

#[test]
fn pinned_seed_golden() {
    let r = TimeConfig::default().run(3).unwrap();
    assert_eq!((r.causal_pairs, r.wall_clock_inversions, r.concurrent_pairs, r.lww_lost_newer), GOLDEN);
}
const GOLDEN: (usize, usize, usize, usize) = (273, 3, 3, 0);

#[test]
fn same_seed_same_result() {
    let (a, b) = (TimeConfig::default().run(5).unwrap(), TimeConfig::default().run(5).unwrap());
    assert_eq!(a.trace.digest, b.trace.digest);
    assert_eq!(a.table().to_text(), b.table().to_text());
    assert_eq!(a.spacetime().to_svg(), b.spacetime().to_svg());
}

#[test]
fn lamport_never_inverts_causality_but_wall_clocks_do() {
    let mut wall = 0;
    for seed in 0..10 {
        let r = TimeConfig::default().run(seed).unwrap();
        assert_eq!(r.lamport_inversions, 0);
        assert!(r.causal_pairs > 0);
        wall += r.wall_clock_inversions;
    }
    assert!(wall > 0, "10 ms of skew against 2 ms messages must invert some causal pairs");
    let perfect = TimeConfig { max_offset: Duration::ZERO, max_drift_ppm: 0.0, ..Default::default() }.run(1).unwrap();
    assert_eq!((perfect.wall_clock_inversions, perfect.lww_lost_newer), (0, 0));
}

#[test]
fn spacetime_diagram_renders() {
    let r = TimeConfig { writes_per_node: 3, ..Default::default() }.run(1).unwrap();
    let svg = r.spacetime().to_svg();
    assert!(svg.starts_with("<svg") || svg.contains("<svg"));
    assert!(r.plot().to_svg().is_ok());
}

#[test]
fn bad_parameters_are_refused_with_names() {
    for (cfg, name) in [
        (TimeConfig { nodes: 1, ..Default::default() }, "nodes"),
        (TimeConfig { mean_gap: Duration::ZERO, ..Default::default() }, "mean_gap"),
        (TimeConfig { max_offset: secs(7200), ..Default::default() }, "max_offset"),
        (TimeConfig { max_drift_ppm: -1.0, ..Default::default() }, "max_drift_ppm"),
    ] {
        let e = cfg.run(1).unwrap_err().to_string();
        assert!(e.contains(&format!("`{name}`")), "{e}");
    }
}

#[test]
fn the_generic_sweep_varies_every_named_parameter() {
    let c = TimeConfig { writes_per_node: 5, ..Default::default() };
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(names, ["nodes", "writes_per_node", "mean_gap", "max_offset", "max_drift_ppm", "latency"]);
    let values: [(&str, [ParamValue; 2]); 6] = [
        ("nodes", [2.into(), 5.into()]),
        ("writes_per_node", [3.into(), 6.into()]),
        ("mean_gap", [millis(3).into(), millis(20).into()]),
        ("max_offset", [Duration::ZERO.into(), millis(20).into()]),
        ("max_drift_ppm", [0.0.into(), 500.0.into()]),
        ("latency", [millis(1).into(), millis(5).into()]),
    ];
    for (name, values) in values {
        let sweep = c.sweep(name, &values, 0..3).unwrap();
        assert_eq!(sweep.measures()[0], "backwards_share", "{name}");
        assert_eq!(sweep.values().len(), 2, "{name}");
        // Each seed's run at a value is the experiment's own run with that value set.
        let direct = c.with(name, values[1].clone()).unwrap().run(2).unwrap().measures();
        for (m, (measure, value)) in direct.iter().enumerate() {
            assert_eq!(sweep.result.points[1].samples[m][2], *value, "{name}: {measure}");
        }
    }
    // Worse clocks stamp more causal pairs backwards; perfect ones none.
    let backwards = c.sweep("max_offset", &[Duration::ZERO, millis(20)], 0..10).unwrap();
    let share = backwards.means("backwards_share").unwrap();
    assert!(share[0] == 0.0 && share[1] > 0.0, "{share:?}");
    // Unknown names and out-of-range values name both the parameter and what is valid.
    let err = c.sweep("offset", &[millis(1)], 0..2).unwrap_err().to_string();
    assert!(err.contains("`offset`") && err.contains("nodes, writes_per_node, mean_gap, max_offset"), "{err}");
    let err = c.sweep("nodes", &[17], 0..2).unwrap_err().to_string();
    assert!(err.contains("`nodes`") && err.contains("[2, 16]"), "{err}");
    let err = c.sweep("max_offset", &[5.0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`max_offset`") && err.contains("a duration in"), "{err}");
}
