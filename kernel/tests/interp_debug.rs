use distsim_kernel::interpreter::{EvcxrInterpreter, Interpreter, MimeBundle, OutputSink, StartOptions, StreamName};
use std::time::Instant;
struct P;
impl OutputSink for P {
    fn stream(&self, name: StreamName, text: &str) { eprintln!("  {:?} {name:?}: {text:?}", std::time::SystemTime::now()); }
    fn display(&self, data: MimeBundle, _m: MimeBundle, id: Option<String>, update: bool) { eprintln!("  display {id:?} {update} {:?}", data.keys().collect::<Vec<_>>()); }
    fn clear_output(&self, _w: bool) { eprintln!("  clear"); }
    fn input(&self, _p: &str, _pw: bool) -> Option<String> { None }
}
#[test]
fn debug_session() {
    let opts = StartOptions { runtime_exe: Some(env!("CARGO_BIN_EXE_distsim-kernel").into()), ..StartOptions::default() };
    let t = Instant::now();
    let mut i = EvcxrInterpreter::start(opts).unwrap();
    eprintln!("start {:?}", t.elapsed());
    if std::env::var("WARM").is_ok() {
        let t = Instant::now();
        let c = i.complete("let w = Table::new([\"a\"]); w.", 30);
        eprintln!("complete {:?} {}", t.elapsed(), c.matches.len());
    }
    let cells: Vec<String> = std::env::var("CELLS").unwrap_or_default().split("\n---\n").map(String::from).collect();
    for c in cells {
        let t = Instant::now();
        let r = i.execute(&c, &P);
        eprintln!("[{:?}] {c:?} => {r:?}", t.elapsed());
    }
}
