//! The eight fallacies: each experiment breaks its assumption, deterministically.

use distsim::concepts::fallacies::{
    self, admins, bandwidth, heterogeneous, latency, reliable, secure, topology, transport, Fallacy,
};

#[test]
fn golden_summaries_for_a_pinned_seed() {
    let broke: Vec<String> = Fallacy::ALL.iter().map(|f| f.run(7).unwrap().what_broke).collect();
    assert_eq!(broke[0], "at 0.1 loss, 88 of 1000 messages vanished and the sender was never told");
    assert_eq!(broke[2], "offered 150% of the link's capacity, the last message waited 1674 ms in the queue");
    assert_eq!(
        broke[3],
        "a trusting receiver paid 18 forged transfers at 1000× the amount; with HMAC tags it paid none"
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
    let agreed = admins::Config { server_work_ms: 50.0, ..Default::default() }.run(1).unwrap();
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
    let has = |r: distsim::Result<fallacies::Experiment>, name: &str| {
        let err = r.unwrap_err().to_string();
        assert!(err.contains(&format!("`{name}`")), "{err}");
    };
    has(reliable::Config { losses: vec![0.1, 2.0], ..Default::default() }.run(1), "losses[1]");
    has(reliable::Config { losses: vec![], ..Default::default() }.run(1), "losses");
    has(latency::Config { depths: vec![0], ..Default::default() }.run(1), "depths[0]");
    has(latency::Config { hop_median_ms: 0.0, ..Default::default() }.run(1), "hop_median_ms");
    has(bandwidth::Config { bandwidth_bytes_per_sec: -1.0, ..Default::default() }.run(1), "bandwidth_bytes_per_sec");
    has(bandwidth::Config { loads: vec![11.0], ..Default::default() }.run(1), "loads[0]");
    has(secure::Config { forge: 1.1, ..Default::default() }.run(1), "forge");
    has(topology::Config { change_at_sec: 9.0, ..Default::default() }.run(1), "change_at_sec");
    has(admins::Config { client_timeout_ms: 0.0, ..Default::default() }.run(1), "client_timeout_ms");
    has(transport::Config { result_fraction: 2.0, ..Default::default() }.run(1), "result_fraction");
    has(heterogeneous::Config { speeds: vec![1.0, 0.0], ..Default::default() }.run(1), "speeds[1]");
    has(heterogeneous::Config { speeds: vec![], ..Default::default() }.run(1), "speeds");
}
