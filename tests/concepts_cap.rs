use distsim::concepts::cap::*;

#[test]
fn explore() {
    let c = CapConfig::default();
    let t = std::time::Instant::now();
    let r = c.compare(1).unwrap();
    println!("{}", r.table().to_text());
    println!("{:?}", t.elapsed());
    let c = CapConfig { operations: 100_000, ops_per_sec: 2000.0, ..Default::default() };
    for m in [Mode::Cp, Mode::Ap] {
    let t = std::time::Instant::now();
    let r = CapConfig { mode: m, ..c.clone() }.run(1).unwrap();
    println!("{}", r.table().to_text());
    println!("{:?}", t.elapsed());
    }
}
