//! Correctness: money conservation under loss and crashes, per protocol.

use distsim::concepts::correctness::*;
use distsim::experiment::{Experiment, ParamValue, Parameters, Report};
use distsim::time::{millis, Duration};

#[test]
fn pinned_seed_golden() {
    let r = BankConfig::default().run(2).unwrap();
    assert_eq!((r.final_total, r.max_created, r.lost, r.transfers), GOLDEN);
}
const GOLDEN: (u64, u64, u64, usize) = (4540, 581, 41, 200);

#[test]
fn same_seed_same_result() {
    assert_eq!(BankConfig::default().compare(4).unwrap(), BankConfig::default().compare(4).unwrap());
}

#[test]
fn naive_breaks_the_invariant_and_the_others_keep_it() {
    let mut naive_broken = 0;
    for seed in 0..5 {
        let c = BankConfig::default().compare(seed).unwrap();
        let (naive, idem, tpc) = (&c.runs[0], &c.runs[1], &c.runs[2]);
        naive_broken += usize::from(!naive.conserved());
        assert!(idem.conserved(), "{idem:?}");
        assert!(tpc.conserved(), "{tpc:?}");
        assert_eq!(idem.final_total, idem.initial_total);
        assert_eq!(tpc.final_total, tpc.initial_total);
    }
    assert!(naive_broken >= 4, "naive conserved money in {} of 5 runs", 5 - naive_broken);
}

#[test]
fn lossless_crash_free_naive_is_fine() {
    let r = BankConfig { loss: 0.0, crashes: 0, ..Default::default() }.run(1).unwrap();
    assert!(r.conserved(), "{r:?}");
}

#[test]
fn bad_parameters_are_refused_with_names() {
    for (cfg, name) in [
        (BankConfig { accounts: 1, ..Default::default() }, "accounts"),
        (BankConfig { loss: 1.0, ..Default::default() }, "loss"),
        (BankConfig { timeout: Duration::ZERO, ..Default::default() }, "timeout"),
        (BankConfig { mean_gap: Duration::ZERO, ..Default::default() }, "mean_gap"),
        (BankConfig { initial_balance: 0, ..Default::default() }, "initial_balance"),
    ] {
        let e = cfg.run(1).unwrap_err().to_string();
        assert!(e.contains(&format!("`{name}`")), "{e}");
    }
}

#[test]
fn the_generic_sweep_varies_every_named_parameter() {
    let c = BankConfig { transfers_per_account: 20, ..Default::default() };
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        [
            "protocol",
            "accounts",
            "initial_balance",
            "transfers_per_account",
            "mean_gap",
            "loss",
            "crashes",
            "down",
            "timeout"
        ]
    );
    let values: [(&str, [ParamValue; 2]); 9] = [
        ("protocol", ["naive".into(), "two_phase_commit".into()]),
        ("accounts", [2.into(), 6.into()]),
        ("initial_balance", [100.into(), 5000.into()]),
        ("transfers_per_account", [5.into(), 30.into()]),
        ("mean_gap", [millis(2).into(), millis(20).into()]),
        ("loss", [0.0.into(), 0.3.into()]),
        ("crashes", [0.into(), 8.into()]),
        ("down", [millis(5).into(), millis(60).into()]),
        ("timeout", [millis(5).into(), millis(50).into()]),
    ];
    for (name, values) in values {
        let sweep = c.sweep(name, &values, 0..3).unwrap();
        assert_eq!(sweep.measures()[0], "conserved", "{name}");
        assert_eq!(sweep.values().len(), 2, "{name}");
        // Each seed's run at a value is the experiment's own run with that value set.
        let direct = c.with(name, values[1].clone()).unwrap().run(2).unwrap().measures();
        for (m, (measure, value)) in direct.iter().enumerate() {
            assert_eq!(sweep.result.points[1].samples[m][2], *value, "{name}: {measure}");
        }
    }
    // The durable protocols conserve money on every seed; the naive one does not.
    let by_protocol = BankConfig::default().sweep("protocol", &["naive", "idempotent"], 0..5).unwrap();
    let conserved = by_protocol.means("conserved").unwrap();
    assert!(conserved[0] < 1.0 && conserved[1] == 1.0, "{conserved:?}");
    // Unknown names and out-of-range values name both the parameter and what is valid.
    let err = c.sweep("losss", &[0.1], 0..2).unwrap_err().to_string();
    assert!(err.contains("`losss`") && err.contains("protocol, accounts, initial_balance"), "{err}");
    let err = c.sweep("loss", &[0.95], 0..2).unwrap_err().to_string();
    assert!(err.contains("`loss`") && err.contains("[0, 0.9]"), "{err}");
    let err = c.sweep("protocol", &["paxos"], 0..2).unwrap_err().to_string();
    assert!(err.contains("`protocol`") && err.contains("naive, idempotent, two_phase_commit"), "{err}");
    let err = c.sweep("accounts", &[65], 0..2).unwrap_err().to_string();
    assert!(err.contains("`accounts`") && err.contains("[2, 64]"), "{err}");
}

#[test]
fn the_built_simulation_is_the_run_with_a_full_trace() {
    // Stepping `build` to the end gives the balances and created money that `run` reports, and
    // the full trace records every event, so a notebook can draw and audit the same run.
    let config = BankConfig { protocol: Protocol::Naive, transfers_per_account: 10, ..Default::default() };
    let reported = config.run(3).unwrap();
    let mut sim = config.build(3).unwrap();
    let mut first_created = None;
    loop {
        let s = sim.run_events(1).unwrap();
        if first_created.is_none() && money_created(sim.nodes()) > 0 {
            first_created = Some(s.now);
        }
        if s.events == 0 || s.pending == 0 {
            break;
        }
    }
    let total: u64 = sim.nodes().iter().map(|b| b.balance).sum();
    assert_eq!(total, reported.final_total);
    assert_eq!(money_created(sim.nodes()), reported.created);
    assert!(reported.created > 0 && first_created.is_some(), "seed 3 should apply some credit twice: {reported:?}");
    assert!(sim.trace().events.len() > 100, "a full trace: {} events", sim.trace().events.len());
}
