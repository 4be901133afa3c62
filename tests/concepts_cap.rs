use distsim::concepts::cap::*;

#[test]
fn explore() {
    for (ops, rate) in [(10_000usize, 1000.0), (100_000, 1000.0)] {
    for m in [Mode::Cp, Mode::Ap] {
    let c = CapConfig { operations: ops, ops_per_sec: rate, mode: m, ..Default::default() };
    let t = std::time::Instant::now();
    let mut sim = c.simulation(1).unwrap();
    sim.run_until_quiet().unwrap();
    let t1 = t.elapsed();
    let mut h = vec![];
    for n in sim.nodes() { for o in &n.history { if o.ok { h.push(Operation { op: match o.write { Some(v) => RegisterOp::Write(v), None => RegisterOp::Read(o.read_value.unwrap()) }, invoke: o.invoke.0, complete: o.complete.unwrap().0 }); } } }
    let t2 = std::time::Instant::now();
    let r = check_register(&h, 0, 128);
    println!("{ops} {m:?} sim {:?} check {:?} {:?} events {}", t1, t2.elapsed(), r, sim.trace().event_count);
    }}
}
