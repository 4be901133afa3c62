//! Architectures: latency/throughput/availability per design, LRU hit ratio, invalidation race.

use distsim::concepts::architectures::*;

fn small() -> ArchitectureConfig {
    ArchitectureConfig { requests: 10_000, ..Default::default() }
}

#[test]
fn pinned_seed_golden() {
    let r = small().run(5).unwrap();
    let got: Vec<String> = r.rows.iter().map(|r| format!("{:.3}/{:.3}", r.p50_ms, r.p99_ms)).collect();
    assert_eq!(got.join(" "), GOLDEN);
}
const GOLDEN: &str = "28.705/509.608 23.331/503.316 23.200/503.316 22.675/503.316 21.234/522.191";

#[test]
fn same_seed_same_result() {
    assert_eq!(small().run(9).unwrap(), small().run(9).unwrap());
    assert_eq!(small().run(9).unwrap().table().to_text(), small().run(9).unwrap().table().to_text());
}

#[test]
fn designs_behave_as_the_chapter_says() {
    let r = small().run(1).unwrap();
    let row = |a| r.rows.iter().find(|x| x.architecture == a).unwrap();
    let (single, pair, two, three) = (
        row(Architecture::SingleServer),
        row(Architecture::WebAndDatabase),
        row(Architecture::TwoTier),
        row(Architecture::ThreeTier),
    );
    // Two servers in series: down about twice as often as one.
    let ratio = (1.0 - pair.availability_theory) / (1.0 - single.availability_theory);
    assert!((ratio - 2.0).abs() < 0.01, "{ratio}");
    // The cache takes load off the database, as predicted from the hit ratio.
    assert!(three.hit_ratio > 0.3 && three.db_load < 0.7 * two.db_load);
    assert!((three.db_load - three.db_load_theory).abs() < 0.05 * three.db_load_theory);
    // Availability: Monte Carlo CI covers the composed formula.
    for x in &r.rows {
        let e = &x.availability;
        assert!(e.lo - 1e-4 <= x.availability_theory && x.availability_theory <= e.hi + 1e-4, "{:?}", x);
    }
}

#[test]
fn lru_hit_ratio_tracks_che_approximation() {
    let c = CacheConfig { sizes: vec![10, 100, 1000], requests: 50_000, ..Default::default() }.run(3).unwrap();
    for p in &c.points {
        assert!((p.hit_ratio.mean - p.che).abs() < 0.03, "{:?}", p);
        assert!(p.hit_ratio.mean <= p.ideal + 0.01);
    }
    let a = CacheConfig::default().run(1).unwrap();
    assert_eq!(a, CacheConfig::default().run(1).unwrap());
}

#[test]
fn invalidation_race_causes_stale_reads_and_leases_fix_it() {
    let cmp = StaleReadConfig { duration_s: 5.0, ..Default::default() }.compare(2).unwrap();
    let (racy, leases) = (&cmp.runs[0], &cmp.runs[1]);
    assert!(racy.stale_reads > 0 && racy.poisoned_fills > 0, "{racy:?}");
    assert_eq!(leases.stale_reads, 0);
    assert!(leases.refused_fills > 0);
}

#[test]
fn bad_parameters_are_refused_with_names() {
    for (cfg, name) in [
        (ArchitectureConfig { write_fraction: 1.5, ..small() }, "write_fraction"),
        (ArchitectureConfig { front_ends: 0, ..small() }, "front_ends"),
        (ArchitectureConfig { cache_size: 20_000, ..small() }, "cache_size"),
        (ArchitectureConfig { data_centers: 1, ..small() }, "data_centers"),
        (ArchitectureConfig { machine_availability: -0.1, ..small() }, "machine_availability"),
    ] {
        let e = cfg.run(1).unwrap_err().to_string();
        assert!(e.contains(name), "{e}");
    }
    assert!(CacheConfig { sizes: vec![], ..Default::default() }.run(1).unwrap_err().to_string().contains("sizes"));
    assert!(StaleReadConfig { read_rate: 0.0, ..Default::default() }
        .run(1)
        .unwrap_err()
        .to_string()
        .contains("read_rate"));
}
