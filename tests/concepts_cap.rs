use distsim::concepts::cap::*;

#[test]
fn explore() {
    let c = CapConfig::default();
    let mut sim = c.simulation(1).unwrap();
    sim.run_until_quiet().unwrap();
    let mut ops = vec![];
    for (i, n) in sim.nodes().iter().enumerate() { for o in &n.history { if o.ok { ops.push((o.invoke.0, o.complete.unwrap().0, o.stamp.unwrap(), o.write, o.read_value, i)); } } }
    ops.sort();
    let mut bad = 0;
    for a in &ops { for b in &ops { if a.1 < b.0 && b.2 < a.2 { bad += 1; if bad < 5 { println!("{:?}\n{:?}\n", a, b); } } } }
    println!("bad {bad}");
}
