//! The eight fallacies: each experiment breaks its assumption, deterministically.

use distsim::concepts::fallacies::{
    self, admins, bandwidth, heterogeneous, latency, reliable, secure, topology, transport, Fallacy, FallacyReport,
};
use distsim::experiment::{Experiment, ParamValue, Report};
use distsim::time::{micros, millis, secs, Duration};

#[test]
fn golden_summaries_for_a_pinned_seed() {
    let broke: Vec<String> = Fallacy::ALL.iter().map(|f| f.run(7).unwrap().what_broke).collect();
    assert_eq!(broke[0], "at 0.1 loss, 88 of 1000 messages vanished and the sender was never told");
    assert_eq!(broke[2], "offered 150% of the link's capacity, the last message waited 1674 ms in the queue");
    assert_eq!(
        broke[3],
        // 16 since the attacker's coin is the named stream "fallacies/forge" (18 with Custom(0xF4)).
        "a trusting receiver paid 16 forged transfers at 1000× the amount; with HMAC tags it paid none"
    );
    assert_eq!(
        broke[4],
        "the route vanished at 2 s for 1.5 s: 150 messages went nowhere while the sender kept sending"
    );
    assert!(broke[5].contains("0 of 100 requests succeeded while the server did 300 requests' work"), "{}", broke[5]);
    assert!(broke[6].contains("took 80.0 s"), "{}", broke[6]);
    assert_eq!(broke[7], "an even split waited 1202 ms for the slowest node; splitting by speed took 372 ms");
}

#[test]
fn same_seed_same_result() {
    for f in Fallacy::ALL {
        let (a, b) = (f.run(11).unwrap(), f.run(11).unwrap());
        assert_eq!(a.what_broke, b.what_broke, "{f:?}");
        assert_eq!(a.table().to_text(), b.table().to_text(), "{f:?}");
        assert_eq!(a.plot().to_svg().unwrap(), b.plot().to_svg().unwrap(), "{f:?}");
    }
    assert_eq!(fallacies::run_all(3).unwrap().rows().len(), 8);
}

#[test]
fn lost_messages_match_the_loss_rate_on_average() {
    let c = reliable::Config { losses: vec![0.1], messages: 1000 };
    let lost: Vec<f64> = (1..=10)
        .map(|s| {
            let e = c.run(s).unwrap();
            e.table.rows()[0][3].as_f64().unwrap()
        })
        .collect();
    let mean = lost.iter().sum::<f64>() / 10.0;
    // Binomial(1000, 0.1): mean 100, sd of the 10-run mean = sqrt(90 / 10) = 3.
    assert!((mean - 100.0).abs() < 12.0, "mean lost {mean}");
}

#[test]
fn chain_latency_matches_its_closed_form() {
    let c = latency::Config { depths: vec![4], requests: 2000, ..Default::default() };
    let e = c.run(1).unwrap();
    let mean = e.table.rows()[0][1].as_f64().unwrap();
    assert!((mean - c.analytic_mean_ms(4)).abs() / c.analytic_mean_ms(4) < 0.03, "{mean} vs {}", c.analytic_mean_ms(4));
}

#[test]
fn each_assumption_breaks_as_described() {
    let hmac = secure::Config { forge: 0.5, ..Default::default() }.run(2).unwrap();
    assert_eq!(hmac.table.rows()[1][3].as_f64(), Some(0.0), "HMAC receiver accepted a forgery");
    assert!(hmac.table.rows()[0][3].as_f64().unwrap() > 50.0);
    let agreed = admins::Config { server_work: millis(50), ..Default::default() }.run(1).unwrap();
    assert_eq!(agreed.table.rows()[1][3].as_f64(), Some(100.0));
    let even = heterogeneous::Config { speeds: vec![1.0, 1.0], ..Default::default() }.run(1).unwrap();
    assert_eq!(even.table.rows()[0][1], even.table.rows()[1][1]);
    let under = bandwidth::Config { loads: vec![0.5], ..Default::default() }.run(1).unwrap();
    assert_eq!(under.table.rows()[0][3].as_f64(), Some(11.0)); // 1 ms latency + 10 ms on the wire
    let t = topology::Config::default().run(1).unwrap();
    assert_eq!(t.table.rows()[1][4].as_f64(), Some(0.0), "nothing arrives while there is no route");
    let cost = transport::Config { usd_per_gb: 0.0, ..Default::default() }.run(1).unwrap();
    assert_eq!(cost.table.rows()[0][3].as_f64(), Some(0.0));
}

#[test]
fn bad_parameters_are_refused_with_their_range() {
    let has = |r: distsim::Result<FallacyReport>, name: &str| {
        let err = r.unwrap_err().to_string();
        assert!(err.contains(&format!("`{name}`")), "{err}");
    };
    has(reliable::Config { losses: vec![0.1, 2.0], ..Default::default() }.run(1), "losses[1]");
    has(reliable::Config { losses: vec![], ..Default::default() }.run(1), "losses");
    has(latency::Config { depths: vec![0], ..Default::default() }.run(1), "depths[0]");
    has(latency::Config { hop_median: Duration::ZERO, ..Default::default() }.run(1), "hop_median");
    has(bandwidth::Config { bandwidth_bytes_per_sec: -1.0, ..Default::default() }.run(1), "bandwidth_bytes_per_sec");
    has(bandwidth::Config { loads: vec![11.0], ..Default::default() }.run(1), "loads[0]");
    has(secure::Config { forge: 1.1, ..Default::default() }.run(1), "forge");
    has(topology::Config { change_at: secs(9), ..Default::default() }.run(1), "change_at");
    has(admins::Config { client_timeout: Duration::ZERO, ..Default::default() }.run(1), "client_timeout");
    has(transport::Config { result_fraction: 2.0, ..Default::default() }.run(1), "result_fraction");
    has(heterogeneous::Config { speeds: vec![1.0, 0.0], ..Default::default() }.run(1), "speeds[1]");
    has(heterogeneous::Config { speeds: vec![], ..Default::default() }.run(1), "speeds");
    has(heterogeneous::Config { unit: Duration::ZERO, ..Default::default() }.run(1), "unit");
    let err = topology::Config { change_at: secs(9), ..Default::default() }.run(1).unwrap_err().to_string();
    assert!(err.contains("`change_at`") && err.contains("run_for = 5s"), "{err}");
}

/// Sweeps every named parameter of `config` over its two `values`, checks that a sweep's sample is
/// the direct run with that value, and that a misspelt name is refused with the valid names.
fn sweeps_by_name<E: Experiment>(config: E, values: &[(&str, [ParamValue; 2])]) {
    let names: Vec<&str> = config.params().iter().map(|p| p.name).collect();
    let swept: Vec<&str> = values.iter().map(|v| v.0).collect();
    assert_eq!(names, swept, "every named parameter is swept");
    let measures: Vec<String> = config.run(1).unwrap().measures().into_iter().map(|m| m.0).collect();
    assert!(!measures.is_empty());
    for (name, values) in values {
        let sweep = config.sweep(name, values, 0..2).unwrap();
        assert_eq!(sweep.measures(), measures.as_slice(), "{name}");
        // Each seed's run at a value is the experiment's own run with that value set.
        let direct = config.with(name, values[1].clone()).unwrap().run(1).unwrap().measures();
        for (m, (measure, value)) in direct.iter().enumerate() {
            assert_eq!(sweep.result.points[1].samples[m][1], *value, "{name}: {measure}");
        }
    }
    let err = config.sweep("no_such_knob", &[1], 0..2).unwrap_err().to_string();
    assert!(err.contains("`no_such_knob`") && err.contains(&names.join(", ")), "{err}");
}

#[test]
fn the_generic_sweep_varies_every_named_parameter() {
    sweeps_by_name(
        reliable::Config { losses: vec![0.0, 0.2], messages: 200 },
        &[("messages", [100.into(), 300.into()])],
    );
    sweeps_by_name(
        latency::Config { depths: vec![1, 3], requests: 50, ..Default::default() },
        &[
            ("hop_median", [micros(200).into(), millis(2).into()]),
            ("hop_sigma", [0.0.into(), 1.0.into()]),
            ("requests", [20.into(), 60.into()]),
        ],
    );
    sweeps_by_name(
        bandwidth::Config { loads: vec![0.5, 1.2], messages: 100, ..Default::default() },
        &[
            ("bandwidth_bytes_per_sec", [5e5.into(), 2e6.into()]),
            ("message_bytes", [1000.into(), 20_000.into()]),
            ("messages", [50.into(), 150.into()]),
        ],
    );
    sweeps_by_name(
        secure::Config { transfers: 50, ..Default::default() },
        &[
            ("transfers", [20.into(), 80.into()]),
            ("forge", [0.0.into(), 0.5.into()]),
            ("amount", [1.into(), 100.into()]),
        ],
    );
    sweeps_by_name(
        topology::Config { rate_per_sec: 20, ..Default::default() },
        &[
            ("rate_per_sec", [10.into(), 50.into()]),
            ("run_for", [secs(4).into(), secs(8).into()]),
            ("change_at", [secs(1).into(), secs(3).into()]),
            ("outage", [millis(500).into(), secs(2).into()]),
        ],
    );
    sweeps_by_name(
        admins::Config { requests: 20, ..Default::default() },
        &[
            ("client_timeout", [millis(100).into(), millis(400).into()]),
            ("client_retries", [0.into(), 3.into()]),
            ("server_work", [millis(50).into(), millis(150).into()]),
            ("server_work_before", [millis(10).into(), millis(80).into()]),
            ("requests", [5.into(), 30.into()]),
        ],
    );
    sweeps_by_name(
        transport::Config { dataset_mb: 1000.0, ..Default::default() },
        &[
            ("dataset_mb", [100.0.into(), 2000.0.into()]),
            ("code_mb", [1.0.into(), 50.0.into()]),
            ("result_fraction", [0.0.into(), 0.1.into()]),
            ("bandwidth_mb_per_sec", [10.0.into(), 1000.0.into()]),
            ("usd_per_gb", [0.0.into(), 0.2.into()]),
            ("chunk_mb", [16.0.into(), 128.0.into()]),
        ],
    );
    sweeps_by_name(
        heterogeneous::Config { units: 120, ..Default::default() },
        &[("units", [60.into(), 240.into()]), ("unit", [micros(500).into(), millis(3).into()])],
    );

    // The knobs do what they say: more forgery, more forgeries accepted by a trusting receiver;
    // a longer outage, more messages lost.
    let forged = secure::Config::default().sweep("forge", &[0.0, 0.3], 0..4).unwrap();
    let accepted = forged.means("accepted_trusting").unwrap();
    assert!(accepted[0] == 0.0 && accepted[1] > 0.0, "{accepted:?}");
    assert_eq!(forged.means("accepted_authenticating").unwrap(), [0.0, 0.0]);
    let outage = topology::Config::default().sweep("outage", &[millis(500), secs(2)], 0..2).unwrap();
    let lost = outage.means("lost").unwrap();
    assert_eq!(lost, [50.0, 200.0]);
    // Out-of-range values name both the parameter and its range.
    let err = secure::Config::default().sweep("forge", &[1.5], 0..2).unwrap_err().to_string();
    assert!(err.contains("`forge`") && err.contains("[0, 1]"), "{err}");
    let err = topology::Config::default().sweep("run_for", &[millis(10)], 0..2).unwrap_err().to_string();
    assert!(err.contains("`run_for`") && err.contains("a duration in"), "{err}");
    let err = admins::Config::default().sweep("client_retries", &[11], 0..2).unwrap_err().to_string();
    assert!(err.contains("`client_retries`") && err.contains("[0, 10]"), "{err}");
}

#[test]
fn a_replay_gets_past_a_mac_and_not_past_sequence_numbers() {
    use secure::{Defence, ReplayConfig};
    let r = ReplayConfig::default().run(7).unwrap();
    // Every replayed copy carries a genuine tag: the MAC-only receiver pays each one again.
    assert_eq!(r.accepted(Defence::MacOnly), 20);
    assert_eq!(r.accepted(Defence::MacAndSequence), 0);
    let m = r.measures();
    assert_eq!(m[0], ("replays_sent".to_string(), 20.0));
    assert_eq!(m[3], ("overpaid_mac_only".to_string(), 200.0)); // 20 replays × amount 10
    assert_eq!(m[4], ("overpaid_numbered".to_string(), 0.0));
    // With no attack, both receivers pay exactly the genuine orders: the defence costs no real order.
    let quiet = ReplayConfig { replays: 0, ..Default::default() }.run(7).unwrap();
    assert!(quiet.receivers.iter().all(|&(_, again, paid)| again == 0 && paid == 2000));
    assert!(r.table().to_text().contains("checks the tag and the sequence number"));
    assert_eq!(r, ReplayConfig::default().run(7).unwrap());
    sweeps_by_name(
        ReplayConfig { transfers: 30, replays: 5, amount: 1 },
        &[("transfers", [10.into(), 40.into()]), ("replays", [0.into(), 8.into()]), ("amount", [1.into(), 100.into()])],
    );
    let err = ReplayConfig { replays: 100_001, ..Default::default() }.run(1).unwrap_err().to_string();
    assert!(err.contains("`replays`") && err.contains("[0, 100000]"), "{err}");
}

#[test]
fn a_report_reads_its_headline_numbers_by_name() {
    let r = Fallacy::ReliableNetwork.run(7).unwrap();
    assert_eq!(r.measure("lost").unwrap(), 88.0); // as in the pinned summary above
    let err = r.measure("los").unwrap_err().to_string();
    assert!(err.contains("los") && err.contains("lost, lost_share"), "{err}");
}
