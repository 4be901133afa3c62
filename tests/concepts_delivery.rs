//! Messages may not arrive: delivery policies on the engine, against their closed forms.

use distsim::concepts::delivery::{Config, DeliveryNode, Semantics};

#[test]
fn golden_values_for_a_pinned_seed() {
    let r = Config::default().run(7).unwrap();
    assert_eq!((r.attempts, r.receptions, r.duplicate_effects, r.messages_sent), GOLDEN);
    assert_eq!(r.latency_ms.len(), GOLDEN_ACKED);
}
const GOLDEN: (u64, u64, u64, u64) = (2495, 2253, 253, 4748);
const GOLDEN_ACKED: usize = 1995;

#[test]
fn same_seed_same_result() {
    let c = Config { requests: 500, latency_jitter_ms: 20.0, ..Default::default() };
    let (a, b) = (c.run(3).unwrap(), c.run(3).unwrap());
    assert_eq!(a.latency_ms, b.latency_ms);
    assert_eq!(a.table().to_text(), b.table().to_text());
    assert_eq!(a.plot().to_svg().unwrap(), b.plot().to_svg().unwrap());
}

#[test]
fn delivery_probability_agrees_with_the_closed_form() {
    for (semantics, loss, retries) in
        [(Semantics::AtMostOnce, 0.2, 0), (Semantics::AtLeastOnce, 0.5, 1), (Semantics::AtLeastOnceIdempotent, 0.6, 2)]
    {
        let c = Config { semantics, loss, retries, requests: 1000, ..Default::default() };
        let exact = c.analytic_delivered();
        let hits = (1..=20).filter(|&s| c.run(s).unwrap().delivered.contains(exact)).count();
        assert!(hits >= 17, "{semantics:?}: exact {exact} inside the CI for {hits}/20 seeds");
    }
}

#[test]
fn duplicates_and_latency_follow_the_closed_forms_on_average() {
    let c = Config { loss: 0.3, duplicate: 0.1, requests: 4000, ..Default::default() };
    let runs: Vec<_> = (1..=5).map(|s| c.run(s).unwrap()).collect();
    let dup = runs.iter().map(|r| r.duplicate_effects as f64).sum::<f64>() / (5.0 * 4000.0);
    assert!((dup - c.analytic_duplicate_effects()).abs() < 0.02, "{dup} vs {}", c.analytic_duplicate_effects());
    let lat = runs.iter().map(|r| r.latency().unwrap().mean).sum::<f64>() / 5.0;
    assert!((lat - c.analytic_latency_ms()).abs() < 1.0, "{lat} vs {}", c.analytic_latency_ms());
}

#[test]
fn idempotent_handling_removes_duplicate_effects_but_not_copies() {
    let base = Config { loss: 0.3, duplicate: 0.2, requests: 1000, ..Default::default() };
    let plain = base.run(4).unwrap();
    let idem = Config { semantics: Semantics::AtLeastOnceIdempotent, ..base.clone() }.run(4).unwrap();
    let once = Config { semantics: Semantics::AtMostOnce, ..base.clone() }.run(4).unwrap();
    assert!(plain.duplicate_effects > 100);
    assert_eq!(idem.duplicate_effects, 0);
    assert_eq!(once.duplicate_effects, 0);
    assert!(idem.receptions > idem.config.requests);
    assert!(once.delivered.mean < idem.delivered.mean);
    assert!(base.compare_semantics(4).unwrap().to_text().contains("idempotent"));
}

#[test]
fn a_timeout_shorter_than_the_round_trip_retries_needlessly() {
    let c = Config { loss: 0.0, duplicate: 0.0, requests: 200, latency_ms: 5.0, ..Default::default() };
    let curve = c.vs_timeout(&[5.0, 50.0], 1).unwrap();
    let (short, long) = (&curve.points[0].1, &curve.points[1].1);
    assert!(short.duplicate_effects > 0, "a 5 ms timeout under a 10 ms round trip must retry");
    assert_eq!(long.duplicate_effects, 0);
    curve.plot().to_svg().unwrap();
    let by_retries = Config { requests: 300, ..Default::default() }.vs_retries(&[0, 1, 3], 2).unwrap();
    assert!(by_retries.points[2].1.delivered.mean >= by_retries.points[0].1.delivered.mean);
}

#[test]
fn the_message_flow_is_visible_in_the_trace() {
    let mut sim = Config { requests: 3, loss: 0.5, ..Default::default() }.build(2).unwrap();
    sim.run_until_quiet().unwrap();
    assert!(sim.trace().events.len() > 6);
    assert!(matches!(sim.node(0), DeliveryNode::Client(_)));
}

#[test]
fn bad_parameters_are_refused_with_their_range() {
    let bad = |c: Config, name: &str| {
        let err = c.run(1).unwrap_err().to_string();
        assert!(err.contains(&format!("`{name}`")), "{err}");
    };
    bad(Config { loss: 1.0, ..Default::default() }, "loss");
    bad(Config { duplicate: -0.1, ..Default::default() }, "duplicate");
    bad(Config { requests: 0, ..Default::default() }, "requests");
    bad(Config { retries: 1000, ..Default::default() }, "retries");
    bad(Config { timeout_ms: 0.0, ..Default::default() }, "timeout_ms");
    bad(Config { latency_ms: f64::NAN, ..Default::default() }, "latency_ms");
    bad(Config { interval_ms: -1.0, ..Default::default() }, "interval_ms");
    assert!(Config::default().vs_retries(&[], 1).is_err());
}
