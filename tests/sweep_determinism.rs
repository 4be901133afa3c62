//! Sweeps: results independent of thread count, errors in deterministic order, helpers.

use distsim::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A small noisy "model": the mean of 200 draws scaled by the parameter.
fn model(p: &f64, seed: u64) -> Result<Vec<f64>> {
    let mut rng = stream(seed, Stream::Workload);
    let draws: Vec<f64> = (0..200).map(|_| rng.random::<f64>() * p).collect();
    let mean = draws.iter().sum::<f64>() / draws.len() as f64;
    let max = draws.iter().copied().fold(0.0, f64::max);
    Ok(vec![mean, max])
}

fn run_on(threads: usize) -> SweepResult<f64> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| Sweep::new(vec![0.5, 1.0, 2.0, 4.0]).seeds(0..40).run_many(&["mean", "max"], model)).unwrap()
}

#[test]
fn results_are_identical_on_one_and_four_threads() {
    let one = run_on(1);
    let four = run_on(4);
    assert_eq!(one, four);
    // Bit-for-bit, not just approximately.
    for (a, b) in one.points.iter().zip(&four.points) {
        for (x, y) in a.estimates.iter().zip(&b.estimates) {
            assert_eq!(x.mean.to_bits(), y.mean.to_bits());
            assert_eq!(x.hi.to_bits(), y.hi.to_bits());
        }
    }
    assert_eq!(one.table("scale").to_csv(), four.table("scale").to_csv());
    assert_eq!(one.plot("t", |p| *p).to_svg().unwrap(), four.plot("t", |p| *p).to_svg().unwrap());
}

#[test]
fn estimates_summarise_samples_in_seed_order() {
    let r = run_on(2);
    assert_eq!(r.metrics, vec!["mean", "max"]);
    assert_eq!(r.seeds, (0..40).collect::<Vec<_>>());
    for point in &r.points {
        assert_eq!(point.samples.len(), 2);
        assert_eq!(point.samples[0].len(), 40);
        assert_eq!(point.samples[0][3], model(&point.param, 3).unwrap()[0]);
        assert_eq!(point.estimates[0], mean_ci95(&point.samples[0]).unwrap());
        // The mean of uniform(0, p) draws is p / 2; the CI over 40 seeds should cover it.
        assert!(point.estimates[0].contains(point.param / 2.0), "{:?}", point.estimates[0]);
    }
}

#[test]
fn empty_grid_or_seeds_is_an_error() {
    let err = Sweep::<f64>::new(vec![]).run(|_, _| Ok(0.0)).unwrap_err();
    assert_eq!(err, Error::Empty { parameter: "grid".into() });
    let err = Sweep::new(vec![1.0]).seeds([]).run(|_, _| Ok(0.0)).unwrap_err();
    assert_eq!(err, Error::Empty { parameter: "seeds".into() });
    assert!(matches!(Sweep::new(vec![1.0]).run_many(&[], |_, _| Ok(vec![])), Err(Error::Empty { .. })));
}

#[test]
fn wrong_number_of_metrics_is_an_error() {
    let err = Sweep::new(vec![1.0]).seeds([1]).run_many(&["a", "b"], |_, _| Ok(vec![1.0])).unwrap_err().to_string();
    assert!(err.contains("run_many result") && err.contains("2 values"), "{err}");
}

#[test]
fn nan_result_is_reported_with_metric_and_point() {
    let err = Sweep::new(vec![1.0, 2.0])
        .seeds(0..3)
        .run(|p, _| Ok(if *p > 1.5 { f64::NAN } else { 1.0 }))
        .unwrap_err()
        .to_string();
    assert!(err.contains("metric `value` at grid point 1"), "{err}");
}

#[test]
fn first_error_in_grid_then_seed_order_is_reported_whatever_the_threads() {
    let failing = |p: &usize, seed: u64| -> Result<f64> {
        if (*p == 2 && seed >= 5) || *p == 3 {
            Err(Error::invalid("model", format!("p={p} seed={seed}"), "no failure"))
        } else {
            Ok(1.0)
        }
    };
    for threads in [1, 4] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        for _ in 0..5 {
            let err = pool.install(|| Sweep::new(vec![0usize, 1, 2, 3]).seeds(0..10).run(failing)).unwrap_err();
            assert_eq!(err, Error::invalid("model", "p=2 seed=5", "no failure"), "threads {threads}");
        }
    }
}

#[test]
fn progress_callback_sees_every_run_and_ends_at_total() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (c, s) = (calls.clone(), seen.clone());
    Sweep::new(vec![1, 2, 3])
        .seeds(0..7)
        .on_progress(Box::new(move |p| {
            c.fetch_add(1, Ordering::SeqCst);
            s.lock().unwrap().push(p);
        }))
        .run(|_, _| Ok(0.0))
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 21);
    let mut seen = seen.lock().unwrap().clone();
    assert!(seen.iter().all(|p| p.total == 21));
    seen.sort_by_key(|p| p.done);
    assert_eq!(seen.iter().map(|p| p.done).collect::<Vec<_>>(), (1..=21).collect::<Vec<_>>());
}

#[test]
fn table_and_plot_helpers() {
    let r = Sweep::new(vec![0.1, 0.2]).seeds(0..5).run(|p, s| Ok(p + s as f64)).unwrap();
    let t = r.table("loss");
    assert_eq!(t.columns(), ["loss", "value mean", "value ±95%", "seeds"]);
    assert_eq!(t.rows()[0][0], Value::Float(0.1));
    assert_eq!(t.rows()[1][1], Value::Float(2.2));
    assert_eq!(t.rows()[0][3], Value::Int(5));
    let plot = r.plot("value vs loss", |p| *p);
    assert_eq!(plot.series().len(), 1, "one series (line + CI) per metric");
    assert_eq!(plot.series()[0].name, "value (mean, 95% CI)");
    assert!(plot.to_svg().is_ok());
    let text = r.mime_bundle();
    assert!(text.get("text/plain").unwrap().contains("param"));
    // Non-numeric parameters appear as text.
    let named = Sweep::new(vec!["raft", "paxos"]).seeds([1]).run(|_, _| Ok(1.0)).unwrap().table("protocol");
    assert_eq!(named.rows()[1][0], Value::Text("paxos".into()));
}
