//! Time is relative: wall clocks vs Lamport and vector clocks on the same run.

use distsim::concepts::time_relative::*;

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
    let perfect = TimeConfig { max_offset_ms: 0.0, max_drift_ppm: 0.0, ..Default::default() }.run(1).unwrap();
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
        (TimeConfig { mean_gap_ms: 0.0, ..Default::default() }, "mean_gap_ms"),
        (TimeConfig { max_offset_ms: -1.0, ..Default::default() }, "max_offset_ms"),
    ] {
        let e = cfg.run(1).unwrap_err().to_string();
        assert!(e.contains(name), "{e}");
    }
}
