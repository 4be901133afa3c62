use distsim::concepts::cap::*;

#[test]
fn explore() {
    let c = CapConfig { operations: 100_000, ..Default::default() };
    let mut sim = c.simulation(1).unwrap();
    sim.run_until_quiet().unwrap();
    let mut h = vec![];
    for n in sim.nodes() { for o in &n.history { if o.ok { h.push(Operation { op: match o.write { Some(v) => RegisterOp::Write(v), None => RegisterOp::Read(o.read_value.unwrap()) }, invoke: o.invoke.0, complete: o.complete.unwrap().0 }); } } }
    h.sort_by_key(|o| (o.invoke, o.complete));
    let mut start = 0; let mut segs = vec![];
    while start < h.len() { let mut end = start+1; let mut hz = h[start].complete; while end < h.len() && h[end].invoke <= hz { hz = hz.max(h[end].complete); end += 1; } segs.push((start, end)); start = end; }
    let mut times = vec![];
    for &(s, e) in &segs { let t = std::time::Instant::now(); let _ = check_register(&h[s..e], 0, 128); times.push((t.elapsed(), e - s, s)); }
    times.sort();
    println!("{:?}", &times[times.len()-5..]);
    let (_, _, s) = times[times.len()-1];
    let e = segs.iter().find(|x| x.0 == s).unwrap().1;
    let mut conc = 0; for i in s..e { let c = (s..e).filter(|&j| h[j].invoke <= h[i].invoke && h[j].complete >= h[i].invoke).count(); conc = conc.max(c); }
    println!("max concurrency {conc}");
    for o in &h[s..s+30] { println!("{:?} {} {}", o.op, o.invoke/1000, o.complete/1000); }
}
