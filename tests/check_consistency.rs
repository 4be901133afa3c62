//! The consistency ladder: for each rung a history it accepts and one it rejects (worked by hand
//! in the comments), the strictness chain, and the diagram of a rejected history.

use distsim::check::consistency::{ClientHistory, Consistency, Consistency::*};
use distsim::render::Render;
use distsim::trace::EventKind;
use rand::{Rng, SeedableRng};

type H = ClientHistory<&'static str, u32>;

fn verdicts(h: &H) -> Vec<bool> {
    Consistency::LADDER.iter().map(|&m| h.check(m).unwrap().accepted()).collect()
}

/// c0 writes x=1 (0..10); c1 reads x after that write returned and gets nothing.
fn stale_read() -> H {
    let mut h = H::new();
    h.put(0, (0, 10), "x", 1).get(1, (20, 30), "x", None);
    h
}

#[test]
fn linearizable_accepts_a_read_overlapping_the_write_and_rejects_a_stale_read() {
    // The first read overlaps the write (may go before it), the second starts after it ended.
    let mut ok = H::new();
    ok.put(0, (0, 10), "x", 1).get(1, (5, 6), "x", None).get(1, (12, 14), "x", Some(1));
    assert_eq!(verdicts(&ok), [true; 5]);

    let v = stale_read().check(Linearizable).unwrap();
    let x = v.violation.expect("the read began 10 ms after the write returned");
    assert_eq!((x.rule, x.ops), (Linearizable, vec![0, 1]));
    // Without real time the read may simply go first: every weaker rung accepts.
    assert_eq!(verdicts(&stale_read()), [false, true, true, true, true]);
}

/// Dekker's test: each client writes its own key, then reads the other's and finds nothing.
fn both_read_nothing() -> H {
    let mut h = H::new();
    h.put(0, (0, 1), "x", 1).get(0, (2, 3), "y", None);
    h.put(1, (0, 1), "y", 1).get(1, (2, 3), "x", None);
    h
}

#[test]
fn sequential_rejects_two_clients_that_each_miss_the_others_write() {
    // One order would need put x < get y < put y < get x < put x: a loop. All four are needed.
    let v = both_read_nothing().check(Sequential).unwrap();
    let x = v.violation.expect("no single order");
    assert_eq!((x.rule, x.ops.clone()), (Sequential, vec![0, 1, 2, 3]));
    assert!(x.reason.contains("no single order"), "{}", x.reason);
    // Each client may see the other's write late: causal and below accept.
    assert_eq!(verdicts(&both_read_nothing()), [false, false, true, true, true]);
    // One client seeing the other's write makes it sequential (c0's put, c0's get, c1's put,
    // c1's get), but not linearizable while c1's put returned before c0's get began.
    let mut ok = H::new();
    ok.put(0, (0, 1), "x", 1).get(0, (2, 3), "y", None);
    ok.put(1, (0, 1), "y", 1).get(1, (2, 3), "x", Some(1));
    assert_eq!(verdicts(&ok), [false, true, true, true, true]);
    // Started later, c1's put may follow c0's get in real time too.
    let mut ok = H::new();
    ok.put(0, (0, 1), "x", 1).get(0, (2, 3), "y", None);
    ok.put(1, (4, 5), "y", 1).get(1, (6, 7), "x", Some(1));
    assert_eq!(verdicts(&ok), [true; 5]);
}

/// c0 writes x=1; c1 reads it and then writes y=2; c2 reads y=2 and then x as absent (and,
/// later, x=1, so the replicas do converge).
fn effect_before_cause() -> H {
    let mut h = H::new();
    h.put(0, (0, 1), "x", 1);
    h.get(1, (2, 3), "x", Some(1)).put(1, (4, 5), "y", 2);
    h.get(2, (6, 7), "y", Some(2)).get(2, (8, 9), "x", None).get(2, (10, 11), "x", Some(1));
    h
}

#[test]
fn causal_rejects_seeing_an_effect_without_its_cause() {
    let v = effect_before_cause().check(Causal).unwrap();
    let x = v.violation.expect("x=1 causally precedes y=2, which c2 saw");
    // The chain put x=1 → get x → put y=2 → get y → get x: removing any link removes the violation.
    assert_eq!((x.rule, x.ops.clone()), (Causal, vec![0, 1, 2, 3, 4]));
    assert!(x.reason.starts_with("c2 cannot see the writes"), "{}", x.reason);
    // c2 wrote nothing, so read-your-writes has nothing to say.
    assert_eq!(verdicts(&effect_before_cause()), [false, false, false, true, true]);
    // Reading x=1 instead is causal (and linearizable).
    let mut ok = H::new();
    ok.put(0, (0, 1), "x", 1);
    ok.get(1, (2, 3), "x", Some(1)).put(1, (4, 5), "y", 2);
    ok.get(2, (6, 7), "y", Some(2)).get(2, (8, 9), "x", Some(1));
    assert_eq!(verdicts(&ok), [true; 5]);
}

#[test]
fn causal_rejects_a_causal_loop() {
    // Each client reads the value the other writes only afterwards.
    let mut h = H::new();
    h.get(0, (0, 1), "x", Some(1)).put(0, (2, 3), "y", 1);
    h.get(1, (0, 1), "y", Some(1)).put(1, (2, 3), "x", 1);
    let x = h.check(Causal).unwrap().violation.expect("a loop");
    assert_eq!(x.ops, vec![0, 1, 2, 3]);
    assert!(x.reason.contains("loop"), "{}", x.reason);
    assert_eq!(verdicts(&h), [false, false, false, true, true]);
}

/// c0 writes x=1, then reads x as absent (a replica that has not got it), then x=1; c1 reads x=1.
fn own_write_missing() -> H {
    let mut h = H::new();
    h.put(0, (0, 1), "x", 1).get(0, (2, 3), "x", None).get(0, (10, 11), "x", Some(1));
    h.get(1, (12, 13), "x", Some(1));
    h
}

#[test]
fn read_your_writes_rejects_a_client_missing_its_own_write() {
    let x = own_write_missing().check(ReadYourWrites).unwrap().violation.expect("stale own read");
    assert_eq!((x.rule, x.ops.clone()), (ReadYourWrites, vec![0, 1]));
    assert!(x.reason.contains("c0 wrote (op 0, put x=1) and then read (op 1, get x → none)"), "{}", x.reason);
    // The final reads agree, so only eventual consistency accepts.
    assert_eq!(verdicts(&own_write_missing()), [false, false, false, false, true]);
    // Reading another client's later write after one's own is fine; reading one's own older one is not.
    let mut ok = H::new();
    ok.put(0, (0, 1), "x", 1).put(1, (2, 3), "x", 2).get(0, (4, 5), "x", Some(2));
    assert!(ok.check(ReadYourWrites).unwrap().accepted());
    let mut older = H::new();
    older.put(0, (0, 1), "x", 1).put(0, (2, 3), "x", 2).get(0, (4, 5), "x", Some(1));
    let x = older.check(ReadYourWrites).unwrap().violation.expect("its own overwritten value");
    assert_eq!(x.ops, vec![0, 1, 2]);
}

/// c0 and c1 write x concurrently and each keeps reading its own value after both returned.
fn divergent() -> H {
    let mut h = H::new();
    h.put(0, (0, 1), "x", 1).put(1, (0, 1), "x", 2);
    h.get(0, (5, 6), "x", Some(1)).get(1, (5, 6), "x", Some(2));
    h
}

#[test]
fn eventual_rejects_replicas_that_never_agree_and_values_from_thin_air() {
    let x = divergent().check(Eventual).unwrap().violation.expect("no convergence");
    assert_eq!((x.rule, x.ops.clone()), (Eventual, vec![0, 1, 2, 3]));
    assert!(x.reason.contains("did not converge"), "{}", x.reason);
    // Causal order alone allows it (each client may order the two writes its own way): the causal
    // rung rejects it through the convergence rule it keeps from below.
    let causal = divergent().check(Causal).unwrap().violation.unwrap();
    assert_eq!(causal.rule, Eventual);
    assert_eq!(verdicts(&divergent()), [false; 5]);

    let mut thin = H::new();
    thin.put(0, (0, 1), "x", 1).get(1, (2, 3), "x", Some(7));
    let x = thin.check(Eventual).unwrap().violation.expect("nobody wrote 7");
    assert_eq!(x.ops, vec![1]);
    assert!(x.reason.contains("thin air"));
    // A lagging read before the final ones is allowed: only the final reads must agree.
    let mut lag = divergent();
    lag.get(1, (7, 8), "x", Some(1));
    assert!(lag.check(Eventual).unwrap().accepted());
}

#[test]
fn a_pending_write_may_or_may_not_have_happened() {
    let mut h = H::new();
    h.pending_put(0, 0, "x", 1).get(1, (5, 6), "x", Some(1)).get(1, (7, 8), "x", Some(1));
    assert_eq!(verdicts(&h), [true; 5]);
    let mut h = H::new();
    h.pending_put(0, 0, "x", 1).get(1, (5, 6), "x", Some(1)).get(1, (7, 8), "x", None);
    assert_eq!(verdicts(&h), [false, false, false, true, true]);
}

#[test]
fn invalid_histories_are_errors_naming_the_operation() {
    let mut h = H::new();
    h.put(0, (0, 1), "x", 1).put(1, (2, 3), "x", 1);
    let err = h.check(Eventual).unwrap_err().to_string();
    assert!(err.contains("history[1]") && err.contains("at most once per key"), "{err}");
    let mut h = H::new();
    h.put(0, (0, 10), "x", 1).get(0, (5, 6), "x", None);
    let err = h.check(Eventual).unwrap_err().to_string();
    assert!(err.contains("history[0]") && err.contains("one operation at a time"), "{err}");
    let mut h = H::new();
    h.get(0, (5, 4), "x", None);
    assert!(h.check(Eventual).unwrap_err().to_string().contains("not before its invocation"));
}

/// One pair per rung, from the hand-worked histories: accepted by the lower rung, rejected by
/// the one above; and, on every history, acceptance only ever moves down the ladder.
#[test]
fn the_ladder_is_a_chain_and_every_rung_is_strict() {
    let separating = [
        (Linearizable, Sequential, stale_read()),
        (Sequential, Causal, both_read_nothing()),
        (Causal, ReadYourWrites, effect_before_cause()),
        (ReadYourWrites, Eventual, own_write_missing()),
    ];
    for (upper, lower, h) in &separating {
        assert!(!h.check(*upper).unwrap().accepted(), "{upper} should reject");
        assert!(h.check(*lower).unwrap().accepted(), "{lower} should accept");
    }
    // Random small histories from a store whose reads return any value written under the key
    // (or none): every verdict vector is a run of rejections followed by acceptances.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(18);
    let mut seen = [0usize; 6];
    for _ in 0..400 {
        let h = random_history(&mut rng);
        let v = verdicts(&h);
        let first_accept = v.iter().position(|&a| a).unwrap_or(5);
        assert!(v[first_accept..].iter().all(|&a| a), "acceptance must hold below: {v:?} for {h:?}");
        seen[first_accept] += 1;
    }
    // Every rung is the strongest for some random history (the sample spans the whole ladder).
    assert!(seen.iter().all(|&n| n > 0), "strongest-rung counts {seen:?}");
}

fn random_history(rng: &mut impl Rng) -> H {
    let mut h = H::new();
    let keys = ["x", "y"];
    let mut written: Vec<(&'static str, u32)> = Vec::new();
    let mut next_value = 1;
    let mut t = [0u64; 3];
    for _ in 0..rng.random_range(2..=7) {
        let c = rng.random_range(0..3);
        let start = t[c] + rng.random_range(0..4);
        let end = start + rng.random_range(0..4);
        t[c] = end + 1;
        let k = keys[rng.random_range(0..2)];
        if rng.random_bool(0.4) {
            written.push((k, next_value));
            h.put(c, (start, end), k, next_value);
            next_value += 1;
        } else {
            let choices: Vec<u32> = written.iter().filter(|w| w.0 == k).map(|w| w.1).collect();
            let pick = rng.random_range(0..=choices.len());
            h.get(c, (start, end), k, choices.get(pick).copied());
        }
    }
    h
}

#[test]
fn a_rejected_history_draws_with_its_violating_operations_ringed() {
    let h = stale_read();
    let v = h.check(Linearizable).unwrap();
    let (trace, marks) = h.to_trace();
    let diagram = h.spacetime_of(&v);
    // The rings sit on the events where operations 0 and 1 got their answers.
    assert_eq!(diagram.highlighted(), vec![marks[0], marks[1]]);
    for (op, client, at) in [(0, 0, 10), (1, 1, 30)] {
        let e = &trace.events[marks[op] as usize];
        assert!(matches!(e.kind, EventKind::Deliver { to, .. } if to == client), "{e:?}");
        assert_eq!(e.time.as_nanos(), at * 1_000_000);
    }
    let text = diagram.to_text();
    assert!(text.contains("<== linearizable: op 1 get x → none"), "{text}");
    let svg = diagram.to_svg();
    assert!(svg.contains("1. linearizable: op 0 put x=1") && svg.contains("2. linearizable: op 1 get x → none"));
    let html = diagram.to_html();
    let json = html.split("class=\"dst-data\">").nth(1).unwrap().split("</script>").next().unwrap();
    let data: serde_json::Value = serde_json::from_str(json).unwrap();
    let hl: Vec<u64> = data["hl"].as_array().unwrap().iter().map(|p| p[0].as_u64().unwrap()).collect();
    assert_eq!(hl, vec![marks[0], marks[1]], "every event is shown, so `ev` indices are trace positions");
    // An accepted history has nothing to ring, and the ladder renders as a table of five rungs.
    assert!(h.spacetime_of(&h.check(Sequential).unwrap()).highlighted().is_empty());
    let table = h.ladder().unwrap().mime_bundle();
    assert!(table.get("text/plain").unwrap().contains("strongest rung that accepts this history is sequential"));
}
