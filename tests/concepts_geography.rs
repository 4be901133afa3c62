//! Geography: light-speed floors, nearest replicas, placements, the illustrative revenue model.

use distsim::concepts::geography::{Config, RevenueModel};
use distsim::experiment::{Experiment, ParamValue, Parameters, Report};
use distsim::time::{millis, secs, Duration};

#[test]
fn golden_values_for_a_pinned_seed() {
    let r = Config { requests: 2000, ..Default::default() }.run(7).unwrap();
    let p99: Vec<f64> = r.regions.iter().map(|g| (g.p99_ms * 1000.0).round() / 1000.0).collect();
    assert_eq!(p99, GOLDEN_P99);
}
const GOLDEN_P99: [f64; 8] = [29.023, 85.716, 142.932, 114.119, 153.604, 218.237, 188.114, 261.117];

#[test]
fn same_seed_same_result() {
    let c = Config { requests: 3000, replicas: vec!["Frankfurt".into(), "Singapore".into()], ..Default::default() };
    let (a, b) = (c.run(9).unwrap(), c.run(9).unwrap());
    assert_eq!(a.table().to_text(), b.table().to_text());
    assert_eq!(a.plot().to_svg().unwrap(), b.plot().to_svg().unwrap());
}

#[test]
fn tokyo_users_pay_for_a_new_york_replica() {
    let r = Config { requests: 2000, ..Default::default() }.run(1).unwrap();
    let tokyo = r.regions.iter().find(|g| g.region == "Tokyo").unwrap();
    assert_eq!(tokyo.replica, "Ashburn");
    assert!((100.0..120.0).contains(&tokyo.floor_ms), "{}", tokyo.floor_ms);
    // Every simulated request is at least the inflated light floor plus server time.
    assert!(r.regions.iter().all(|g| g.p50_ms >= 1.5 * g.floor_ms + 10.0));
    let with_tokyo = Config { replicas: vec!["Ashburn".into(), "Tokyo".into()], requests: 2000, ..Default::default() }
        .run(1)
        .unwrap();
    let tokyo2 = with_tokyo.regions.iter().find(|g| g.region == "Tokyo").unwrap();
    assert_eq!(tokyo2.replica, "Tokyo");
    assert!(with_tokyo.weighted_mean_ms < r.weighted_mean_ms);
}

#[test]
fn simulated_mean_latency_agrees_with_the_closed_form() {
    let c = Config { requests: 4000, ..Default::default() };
    let mut hits = 0;
    let mut total = 0;
    for seed in 1..=10 {
        for g in c.run(seed).unwrap().regions {
            total += 1;
            hits += g.mean.unwrap().contains(g.analytic_mean_ms) as usize;
        }
    }
    assert!(hits as f64 >= 0.9 * total as f64, "{hits}/{total}");
    // Without jitter every request costs exactly its closed form.
    let flat = Config { jitter_sigma: 0.0, requests: 500, ..Default::default() }.run(1).unwrap();
    assert!(flat.regions.iter().all(|g| (g.p99_ms - g.analytic_mean_ms).abs() < 1e-9));
}

#[test]
fn more_replicas_never_hurt_the_best_placement() {
    let curve = Config::default().vs_replicas(3).unwrap();
    assert!(curve.rows.windows(2).all(|w| w[1].2 <= w[0].2));
    let best = Config::default().best_placements(2).unwrap();
    assert_eq!(best.len(), 36); // C(9, 2)
    assert!(best.windows(2).all(|w| w[0].1 <= w[1].1));
    curve.plot().to_svg().unwrap();
    assert!(curve.table().to_text().contains("illustrative"));
}

#[test]
fn revenue_model_is_labelled_and_monotone() {
    let m = RevenueModel::default();
    assert!((m.relative_revenue(100.0).unwrap() - 0.99).abs() < 1e-12);
    assert!(m.relative_revenue(500.0).unwrap() < m.relative_revenue(100.0).unwrap());
    assert!(m.table(300.0).unwrap().to_text().contains("ILLUSTRATIVE"));
    assert!(m.relative_revenue(-1.0).is_err());
    assert!(RevenueModel { loss_per_100ms: 1.5 }
        .relative_revenue(1.0)
        .unwrap_err()
        .to_string()
        .contains("`loss_per_100ms`"));
}

#[test]
fn bad_parameters_are_refused_with_their_range() {
    let bad = |c: Config, name: &str| {
        let err = c.run(1).unwrap_err().to_string();
        assert!(err.contains(&format!("`{name}`")), "{err}");
    };
    bad(Config { replicas: vec!["Atlantis".into()], ..Default::default() }, "replicas");
    bad(Config { replicas: vec![], ..Default::default() }, "replicas");
    bad(Config { route_inflation: 0.5, ..Default::default() }, "route_inflation");
    bad(Config { jitter_sigma: -1.0, ..Default::default() }, "jitter_sigma");
    bad(Config { requests: 0, ..Default::default() }, "requests");
    let mut c = Config::default();
    c.users[0].lat = 123.0;
    bad(c, "sites[9].lat");
    let mut c = Config::default();
    c.users[1].share = 0.0;
    bad(c, "users[1].share");
    assert!(Config::default().best_placements(0).is_err());
}

#[test]
fn the_generic_sweep_varies_every_named_parameter() {
    let c = Config { requests: 1000, ..Default::default() };
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(names, ["route_inflation", "server", "jitter_median", "jitter_sigma", "requests"]);
    let values: [(&str, [ParamValue; 2]); 5] = [
        ("route_inflation", [1.0.into(), 2.5.into()]),
        ("server", [Duration::ZERO.into(), millis(40).into()]),
        ("jitter_median", [millis(1).into(), millis(30).into()]),
        ("jitter_sigma", [0.0.into(), 1.5.into()]),
        ("requests", [200.into(), 800.into()]),
    ];
    for (name, values) in values {
        let sweep = c.sweep(name, &values, 0..3).unwrap();
        assert_eq!(sweep.measures(), ["expected_mean_ms", "mean_ms", "p99_ms"]);
        assert_eq!(sweep.values(), values, "{name}");
        let direct = c.with(name, values[1].clone()).unwrap().run(2).unwrap().measures();
        for (m, (_, v)) in direct.iter().enumerate() {
            assert_eq!(sweep.result.points[1].samples[m][2], *v, "{name}, measure {m}");
        }
    }
    // A longer route adds its share of the light floor to every request.
    let longer = c.sweep("route_inflation", &[1.0, 2.0], 0..2).unwrap().means("expected_mean_ms").unwrap();
    assert!(longer[1] > longer[0] + 50.0, "{longer:?}");
    let err = c.sweep("server_ms", &[10.0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`server_ms`") && err.contains("route_inflation, server, jitter_median"), "{err}");
    let err = c.sweep("jitter_sigma", &[3.5], 0..2).unwrap_err().to_string();
    assert!(err.contains("`jitter_sigma`") && err.contains("[0, 3]"), "{err}");
    let err = c.sweep("server", &[secs(11)], 0..2).unwrap_err().to_string();
    assert!(err.contains("`server`") && err.contains("a duration in [0ns, 10s]"), "{err}");
}

#[test]
fn a_quorum_write_across_continents_costs_the_light_floor() {
    use distsim::concepts::geography::{quorum_table, QuorumConfig};
    // Pinned seed 7; the floors are great-circle distances at 200,000 km/s, no randomness.
    let region = QuorumConfig::in_region().run(7).unwrap();
    let world = QuorumConfig::across_continents().run(7).unwrap();
    let (r, w) = (region.measures(), world.measures());
    assert_eq!(r[0], ("commit_p50_ms".to_string(), 0.838114));
    assert_eq!(w[0], ("commit_p50_ms".to_string(), 66.075901));
    assert!((r[4].1 - 0.317458).abs() < 1e-6 && (w[4].1 - 65.5378).abs() < 1e-4, "{r:?} {w:?}");
    // Across continents a commit waits for Ashburn (the nearer of the two), and every write pays it:
    // the commit is the floor plus two local delays, and nearly 80 times the in-region commit.
    assert!(w[0].1 > w[4].1 && w[0].1 < w[4].1 + 2.0);
    assert!(w[0].1 > 70.0 * r[0].1);
    // Waiting for all three replicas waits for Tokyo instead.
    assert!(w[3].1 > 90.0, "{w:?}");
    assert!((r[5].1 - 1e3 / r[2].1).abs() < 1e-9);
    assert_eq!(region.commit.len(), 1000);
    assert_eq!(region, QuorumConfig::in_region().run(7).unwrap());
    assert_ne!(region.commit, QuorumConfig::in_region().run(8).unwrap().commit);
    let t = quorum_table(&[region, world]);
    assert_eq!(t.len(), 2);
    assert!(t.to_text().contains("2 of 3: Frankfurt, Ashburn, Tokyo"));
}

#[test]
fn the_quorum_sweep_varies_every_named_parameter_and_refuses_bad_ones() {
    use distsim::concepts::geography::QuorumConfig;
    let c = QuorumConfig { writes: 50, ..QuorumConfig::across_continents() };
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(names, ["quorum", "local_median", "local_sigma", "writes"]);
    let values: [(&str, [ParamValue; 2]); 4] = [
        ("quorum", [2.into(), 3.into()]),
        ("local_median", [millis(1).into(), millis(5).into()]),
        ("local_sigma", [0.0.into(), 1.0.into()]),
        ("writes", [20.into(), 60.into()]),
    ];
    for (name, vs) in values {
        let sweep = c.sweep(name, &vs, 0..2).unwrap();
        let direct = c.with(name, vs[1].clone()).unwrap().run(1).unwrap().measures();
        assert_eq!(sweep.result.points[1].samples[0][1], direct[0].1, "{name}");
    }
    // A majority of 3 waits for Ashburn; all 3 waits for Tokyo.
    let p50 = c.sweep("quorum", &[2, 3], 0..2).unwrap().means("commit_p50_ms").unwrap();
    assert!(p50[1] > p50[0] + 25.0, "{p50:?}");
    let err = QuorumConfig { quorum: 4, ..c.clone() }.run(1).unwrap_err().to_string();
    assert!(err.contains("`quorum`") && err.contains("[2, 3]"), "{err}");
    let err = c.sweep("quorum", &[1], 0..2).unwrap_err().to_string();
    assert!(err.contains("`quorum`") && err.contains("[2, 64]"), "{err}");
    let err = QuorumConfig { sites: c.sites[..1].to_vec(), quorum: 2, ..c.clone() }.run(1).unwrap_err().to_string();
    assert!(err.contains("sites"), "{err}");
}
