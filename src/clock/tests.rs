use super::*;
use crate::time::{millis, secs, Duration, Time};

#[test]
fn drift_accumulates_linearly() {
    // 100 ppm fast: after 10 s the clock is 1 ms ahead.
    let c = PhysicalClock::new(0, 100.0);
    assert_eq!(c.error_at(Time::ZERO + secs(10)), 1_000_000);
    let behind = PhysicalClock::new(-5_000_000, 0.0);
    assert_eq!(behind.read(Time::ZERO + millis(10)), Time::ZERO + millis(5));
    assert_eq!(behind.read(Time::ZERO), Time::ZERO, "never before time zero");
}

#[test]
fn lamport_jumps_past_remote_stamps() {
    let mut a = LamportClock::new();
    let mut b = LamportClock::new();
    let s = a.tick();
    assert_eq!(s, 1);
    b.tick();
    b.tick();
    assert_eq!(b.observe(s), 3);
    assert_eq!(a.observe(10), 11);
    assert_eq!(a.time(), 11);
}

#[test]
fn vector_clocks_detect_causality_and_concurrency() {
    let mut a = VectorClock::new(2);
    let mut b = VectorClock::new(2);
    a.tick(0);
    let sent = a.clone();
    b.merge(&sent);
    b.tick(1);
    assert!(sent.happened_before(&b));
    assert!(!b.happened_before(&sent));
    a.tick(0);
    assert!(a.concurrent(&b));
    assert!(!a.concurrent(&a.clone()));
    assert_eq!(b.to_string(), "[1,1]");
}

#[test]
fn sync_resets_error_to_within_bound() {
    let cfg = ClockConfig { max_offset: millis(50), max_drift_ppm: 200.0, sync: None }.with_sync(secs(1), millis(1));
    cfg.validate().unwrap();
    let state = ClockState::draw(7, 20, &cfg);
    for node in 0..20 {
        for t in [secs(1), secs(5), Duration::from_millis(5500)] {
            let now = Time::ZERO + t;
            // Right after a sync the error is within 1 ms plus at most 0.5 s of 200 ppm drift.
            let err = state.effective(node, now).error_at(now).abs();
            assert!(err <= 1_000_000 + 100_000 + 1, "node {node} at {now}: {err}");
        }
        // Reading twice gives the same answer: synchronisation is a pure function of time.
        assert_eq!(
            state.read(node, Time::from_nanos(3_300_000_000)),
            state.read(node, Time::from_nanos(3_300_000_000))
        );
    }
}

#[test]
fn bad_clock_configs_name_the_field() {
    let e = ClockConfig { max_drift_ppm: f64::NAN, ..ClockConfig::default() }.validate().unwrap_err();
    assert!(e.to_string().contains("clocks.max_drift_ppm"), "{e}");
    let e = ClockConfig::default().with_sync(Duration::ZERO, millis(1)).validate().unwrap_err();
    assert!(e.to_string().contains("clocks.sync.every"), "{e}");
}
