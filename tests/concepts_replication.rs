//! Primary-backup replication: split brain loses acknowledged writes; fencing loses none.

use distsim::concepts::replication::Config;
use distsim::experiment::{Experiment, Parameters, Report};
use distsim::prelude::*;

#[test]
fn golden_run_for_a_pinned_seed() {
    // Computed once from this implementation (seed 1, the default 400 ms partition); a change
    // means the protocol, the network's streams or the node streams changed.
    let naive = Config::default().run(1).unwrap();
    assert_eq!((naive.written, naive.acked, naive.lost_acked), (198, 184, 41));
    assert_eq!(naive.split_brain, Duration::from_nanos(273_352_835));
    // Every lost write was client A's (even ids), acknowledged by the cut-off primary alone.
    assert!(naive.lost.iter().all(|id| id % 2 == 0), "{:?}", naive.lost);
    let fenced = Config { fencing: true, ..Default::default() }.run(1).unwrap();
    assert_eq!((fenced.written, fenced.acked, fenced.lost_acked), (198, 142, 0));
    // The cut-off primary still *believes* it is primary until the heal: it just cannot acknowledge.
    assert_eq!(fenced.split_brain, Duration::from_nanos(262_608_269));
    assert_eq!(fenced.replicas.iter().filter(|r| r.primary).count(), 1);
    assert_eq!(fenced.replicas[1].epoch, 2);
}

#[test]
fn same_seed_same_result() {
    let c = Config { partition: millis(300), ..Default::default() };
    let (a, b) = (c.run(9).unwrap(), c.run(9).unwrap());
    assert_eq!(a.measures(), b.measures());
    assert_eq!(a.lost, b.lost);
    assert_eq!(a.table().to_text(), b.table().to_text());
    assert_eq!(a.plot().to_svg().unwrap(), b.plot().to_svg().unwrap());
    let (mut x, mut y) = (c.build(9).unwrap(), c.build(9).unwrap());
    x.run_until(c.end()).unwrap();
    y.run_until(c.end()).unwrap();
    assert_eq!(x.trace().digest, y.trace().digest);
    let mut other = c.build(10).unwrap();
    other.run_until(c.end()).unwrap();
    assert_ne!(x.trace().digest, other.trace().digest);
}

#[test]
fn fencing_loses_no_acknowledged_write_over_many_seeds() {
    for replicas in [3, 5] {
        for partition in [millis(150), millis(300), millis(900)] {
            for seed in 0..20 {
                let naive = Config { replicas, partition, ..Default::default() };
                let fenced = Config { fencing: true, ..naive.clone() };
                let r = fenced.run(seed).unwrap();
                assert_eq!(r.lost_acked, 0, "{fenced:?} seed {seed}: lost {:?}", r.lost);
                assert!(r.acked > 0, "{fenced:?} seed {seed}: the majority side kept acknowledging");
                // The same partition without fencing loses writes once it outlasts the failover.
                let lost = naive.run(seed).unwrap().lost_acked;
                if partition >= millis(300) {
                    assert!(lost > 0, "{naive:?} seed {seed}: split brain lost nothing");
                }
            }
        }
    }
}

#[test]
fn no_failover_no_loss_when_the_partition_is_shorter_than_the_failover_timeout() {
    for seed in 0..10 {
        let r = Config { partition: millis(80), ..Default::default() }.run(seed).unwrap();
        assert_eq!((r.lost_acked, r.split_brain), (0, Duration::ZERO), "seed {seed}");
        assert!(r.replicas[0].primary && r.replicas[0].epoch == 1);
    }
}

#[test]
fn lost_writes_grow_with_the_partition_only_without_fencing() {
    let lengths = [millis(0), millis(300), millis(600), millis(1200)];
    let curve = Config::default().lost_writes_vs_partition(&lengths, 0..6).unwrap();
    let naive = curve.naive.means("lost_acked").unwrap();
    let fenced = curve.fenced.means("lost_acked").unwrap();
    assert_eq!(naive[0], 0.0);
    assert!(naive.windows(2).all(|w| w[1] > w[0]), "{naive:?}");
    assert_eq!(fenced, [0.0; 4]);
    // Client A writes every 10 ms, and every write of the partition is lost: those that waited
    // for the silent backups are acknowledged once they count as dead.
    assert!((naive[3] - 120.0).abs() < 5.0, "{naive:?}");
    assert_eq!(curve.table().rows().len(), 4);
    curve.plot().to_svg().unwrap();
}

#[test]
fn the_generic_sweep_varies_every_named_parameter() {
    let c = Config { partition: millis(300), ..Default::default() };
    let names: Vec<&str> = c.params().iter().map(|p| p.name).collect();
    assert_eq!(names, ["replicas", "fencing", "partition", "write_every", "heartbeat", "failover", "latency"]);
    let cases: [(&str, [ParamValue; 2]); 7] = [
        ("replicas", [3.into(), 5.into()]),
        ("fencing", [false.into(), true.into()]),
        ("partition", [millis(100).into(), millis(500).into()]),
        ("write_every", [millis(5).into(), millis(20).into()]),
        ("heartbeat", [millis(10).into(), millis(30).into()]),
        ("failover", [millis(80).into(), millis(200).into()]),
        ("latency", [millis(1).into(), millis(5).into()]),
    ];
    for (name, values) in cases {
        let sweep = c.sweep(name, &values, 0..3).unwrap();
        assert_eq!(sweep.measures(), ["acked", "lost_acked", "split_brain_ms"]);
        assert_eq!(sweep.values().len(), 2, "{name}");
        // Each seed's run at a value is the experiment's own run with that value set.
        let direct = c.with(name, values[1].clone()).unwrap().run(2).unwrap().measures();
        let lost = sweep.result.points[1].samples[1][2];
        assert_eq!(lost, direct[1].1, "{name}");
    }
    let by_fencing = c.sweep("fencing", &[false, true], 0..4).unwrap().means("lost_acked").unwrap();
    assert!(by_fencing[0] > 0.0 && by_fencing[1] == 0.0, "{by_fencing:?}");
    let err = c.sweep("replica", &[3], 0..2).unwrap_err().to_string();
    assert!(err.contains("`replica`") && err.contains("replicas, fencing, partition"), "{err}");
    let err = c.sweep("replicas", &[1], 0..2).unwrap_err().to_string();
    assert!(err.contains("`replicas`") && err.contains("[2, 9]"), "{err}");
}

#[test]
fn bad_parameters_are_refused_with_their_range() {
    let bad = |c: Config, name: &str| {
        let err = c.run(1).unwrap_err().to_string();
        assert!(err.contains(&format!("`{name}`")), "{err}");
    };
    bad(Config { replicas: 10, ..Default::default() }, "replicas");
    bad(Config { partition: secs(11), ..Default::default() }, "partition");
    bad(Config { write_every: Duration::ZERO, ..Default::default() }, "write_every");
    // A failover timeout shorter than two heartbeats would depose a healthy primary.
    bad(Config { heartbeat: millis(60), failover: millis(100), ..Default::default() }, "failover");
    let err = Config { failover: millis(30), ..Default::default() }.run(1).unwrap_err().to_string();
    assert!(err.contains("2 heartbeats"), "{err}");
}
