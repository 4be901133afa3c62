//! Messages may not arrive: delivery policies on the engine, against their closed forms.

use distsim::concepts::delivery::{Config, DeliveryNode, Semantics};
use distsim::experiment::{Experiment, ParamValue, Parameters, Report};
use distsim::time::{millis, Duration};

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
    let c = Config { requests: 500, latency_jitter: millis(20), ..Default::default() };
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
    let c = Config { loss: 0.0, duplicate: 0.0, requests: 200, latency: millis(5), ..Default::default() };
    let curve = c.vs_timeout(&[millis(5), millis(50)], 1..3).unwrap();
    let (short, long) = (&curve.points[0], &curve.points[1]);
    assert!(short.duplicate_effects.mean > 0.0, "a 5 ms timeout under a 10 ms round trip must retry");
    assert_eq!(long.duplicate_effects.mean, 0.0);
    assert_eq!(long.config.timeout, millis(50));
    curve.plot().to_svg().unwrap();
    assert!(curve.table().to_text().contains("50ms"));
    let by_retries = Config { requests: 300, ..Default::default() }.vs_retries(&[0, 1, 3], 2..4).unwrap();
    assert!(by_retries.points[2].delivered.mean >= by_retries.points[0].delivered.mean);
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
    bad(Config { loss: f64::NAN, ..Default::default() }, "loss");
    bad(Config { duplicate: -0.1, ..Default::default() }, "duplicate");
    bad(Config { requests: 0, ..Default::default() }, "requests");
    bad(Config { retries: 1000, ..Default::default() }, "retries");
    bad(Config { timeout: Duration::ZERO, ..Default::default() }, "timeout");
    bad(Config { latency: Duration::ZERO, ..Default::default() }, "latency");
    bad(Config { interval: distsim::time::secs(7200), ..Default::default() }, "interval");
    assert!(Config::default().vs_retries(&[], 0..1).is_err());
}

#[test]
fn the_generic_sweep_varies_every_named_parameter() {
    let c = Config { requests: 150, loss: 0.2, ..Default::default() };
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        ["semantics", "requests", "loss", "duplicate", "retries", "timeout", "latency", "latency_jitter", "interval"]
    );
    let values: [(&str, [ParamValue; 2]); 9] = [
        ("semantics", ["at_most_once".into(), "at_least_once_idempotent".into()]),
        ("requests", [50.into(), 200.into()]),
        ("loss", [0.0.into(), 0.4.into()]),
        ("duplicate", [0.0.into(), 0.3.into()]),
        ("retries", [0.into(), 5.into()]),
        ("timeout", [millis(8).into(), millis(40).into()]),
        ("latency", [millis(1).into(), millis(9).into()]),
        ("latency_jitter", [Duration::ZERO.into(), millis(7).into()]),
        ("interval", [millis(1).into(), millis(30).into()]),
    ];
    for (name, values) in values {
        let sweep = c.sweep(name, &values, 0..3).unwrap();
        assert_eq!(
            sweep.measures(),
            ["delivered", "acked", "attempts", "duplicate_effects", "messages", "time_to_ack_ms"]
        );
        assert_eq!(sweep.values(), values, "{name}");
        let direct = c.with(name, values[1].clone()).unwrap().run(2).unwrap().measures();
        for (m, (_, v)) in direct.iter().enumerate() {
            assert_eq!(sweep.result.points[1].samples[m][2], *v, "{name}, measure {m}");
        }
    }
    // The policy is a named choice too: at most once delivers less than at least once.
    let by_policy = c.sweep("semantics", &["at_most_once", "at_least_once"], 0..3).unwrap();
    let delivered = by_policy.means("delivered").unwrap();
    assert!(delivered[0] < delivered[1], "{delivered:?}");
    assert_eq!(c.vs("semantics", &["at_most_once"], 0..2).unwrap().points[0].config.semantics, Semantics::AtMostOnce);
    let err = c.sweep("timeout_ms", &[25.0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`timeout_ms`") && err.contains("retries, timeout, latency"), "{err}");
    let err = c.sweep("loss", &[1.0], 0..2).unwrap_err().to_string();
    assert!(err.contains("`loss`") && err.contains("[0, 0.99]"), "{err}");
    let err = c.sweep("semantics", &["exactly_once"], 0..2).unwrap_err().to_string();
    assert!(
        err.contains("`semantics`") && err.contains("at_most_once, at_least_once, at_least_once_idempotent"),
        "{err}"
    );
    let err = c.sweep("retries", &[101], 0..2).unwrap_err().to_string();
    assert!(err.contains("`retries`") && err.contains("[0, 100]"), "{err}");
}
