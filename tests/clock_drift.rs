//! Physical clocks drift by their ppm rate; synchronisation bounds the error; nodes read their clock.

use distsim::prelude::*;

struct Reader {
    readings: Vec<(Time, Time)>, // (true time, clock reading)
}

impl Node for Reader {
    type Msg = ();
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<()>) {
        ctx.set_timer(secs(1000), ());
    }
    fn on_timer(&mut self, ctx: &mut Context<()>, _: ()) {
        self.readings.push((ctx.now(), ctx.clock()));
    }
}

fn readers(n: usize) -> Vec<Reader> {
    (0..n).map(|_| Reader { readings: vec![] }).collect()
}

#[test]
fn drift_after_a_known_time_matches_the_drift_distribution() {
    // Drift uniform in [-100, 100] ppm, no offset: after 1000 s the error is drift x 1000 s, so
    // |error| is uniform in [0, 100 ms] with mean 50 ms and standard deviation 28.9 ms.
    let cfg = ClockConfig { max_offset: Duration::ZERO, max_drift_ppm: 100.0, sync: None };
    for seed in [1, 2, 3, 4] {
        let mut sim = Simulation::new(seed, readers(400)).unwrap().with_clocks(cfg).unwrap();
        sim.run_until_quiet().unwrap();
        let mut sum = 0.0;
        for (i, node) in sim.nodes().iter().enumerate() {
            let (now, reading) = node.readings[0];
            let err = reading.as_nanos() as f64 - now.as_nanos() as f64;
            let clock = sim.physical_clock(i).unwrap();
            // Each node's error is exactly its own drift over 1000 s.
            assert!((err - clock.drift_ppm * 1e-6 * 1e12).abs() <= 1.0, "node {i}");
            assert!(err.abs() <= 100e6 + 1.0);
            sum += err.abs();
        }
        let mean_ms = sum / 400.0 / 1e6;
        // Standard error 28.9 / sqrt(400) = 1.44 ms; allow 4 of them.
        assert!((mean_ms - 50.0).abs() < 5.8, "seed {seed}: mean |error| {mean_ms} ms");
    }
}

#[test]
fn offsets_are_drawn_within_the_bound_and_differ_between_nodes() {
    let cfg = ClockConfig { max_offset: millis(10), max_drift_ppm: 0.0, sync: None };
    let sim = Simulation::new(5, readers(50)).unwrap().with_clocks(cfg).unwrap();
    let offsets: Vec<i64> = (0..50).map(|i| sim.physical_clock(i).unwrap().offset).collect();
    assert!(offsets.iter().all(|o| o.abs() <= 10_000_000));
    assert!(offsets.windows(2).any(|w| w[0] != w[1]));
    assert!(offsets.iter().any(|&o| o < 0) && offsets.iter().any(|&o| o > 0));
}

#[test]
fn synchronisation_keeps_clocks_within_the_sync_error_plus_drift_since() {
    // 200 ppm drift would be 200 ms off after 1000 s; syncing every 10 s to within 1 ms keeps
    // the error under 1 ms + 200 ppm x 10 s = 3 ms.
    let cfg = ClockConfig::quartz().with_sync(secs(10), millis(1));
    let cfg = ClockConfig { max_drift_ppm: 200.0, ..cfg };
    let mut sim = Simulation::new(8, readers(100)).unwrap().with_clocks(cfg).unwrap();
    sim.run_until_quiet().unwrap();
    for node in sim.nodes() {
        let (now, reading) = node.readings[0];
        let err = (reading.as_nanos() as i64 - now.as_nanos() as i64).abs();
        assert!(err <= 3_000_000, "error {err} ns");
    }
    assert_eq!(sim.clock_of(3).unwrap(), sim.nodes()[3].readings[0].1);
}

#[test]
fn explicit_clocks_and_bad_configs() {
    let mut sim = Simulation::new(1, readers(2)).unwrap();
    sim.set_clock(1, PhysicalClock::new(-2_000_000, 50.0)).unwrap();
    sim.run_until_quiet().unwrap();
    // 1000 s x 50 ppm = 50 ms ahead, minus the 2 ms offset.
    assert_eq!(sim.node(1).readings[0].1, Time::ZERO + secs(1000) + millis(48));
    assert_eq!(sim.node(0).readings[0].1, Time::ZERO + secs(1000));
    assert!(sim.set_clock(2, PhysicalClock::perfect()).unwrap_err().to_string().contains("set_clock.node"));
    let bad = ClockConfig { max_drift_ppm: -1.0, ..ClockConfig::default() };
    let e = Simulation::new(1, readers(1)).unwrap().with_clocks(bad).err().unwrap().to_string();
    assert!(e.contains("`clocks.max_drift_ppm`") && e.contains("[0, 1000000]"), "{e}");
}
