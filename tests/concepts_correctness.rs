//! Correctness: money conservation under loss and crashes, per protocol.

use distsim::concepts::correctness::*;

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
        (BankConfig { timeout_ms: 0.0, ..Default::default() }, "timeout_ms"),
        (BankConfig { initial_balance: 0, ..Default::default() }, "initial_balance"),
    ] {
        let e = cfg.run(1).unwrap_err().to_string();
        assert!(e.contains(name), "{e}");
    }
}
