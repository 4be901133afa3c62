//! The lazily started interpreter: kernel_info does not wait for it, failures become cell errors.

use distsim_kernel::interpreter::{ExecOutcome, Interpreter, MimeBundle, OutputSink, StreamName};
use distsim_kernel::startup::LazyInterpreter;
use distsim_kernel::testing::FakeInterpreter;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::channel;
use std::sync::{Arc, Mutex};
use std::time::Duration;

struct NullSink;

impl OutputSink for NullSink {
    fn stream(&self, _: StreamName, _: &str) {}
    fn display(&self, _: MimeBundle, _: MimeBundle, _: Option<String>, _: bool) {}
    fn clear_output(&self, _: bool) {}
    fn input(&self, _: &str, _: bool) -> Option<String> {
        None
    }
}

fn ename(outcome: ExecOutcome) -> String {
    match outcome {
        ExecOutcome::Error { ename, .. } => ename,
        ExecOutcome::Ok { .. } => "ok".into(),
    }
}

#[test]
fn a_failed_start_is_reported_in_every_cell() {
    let mut lazy = LazyInterpreter::spawn(Box::new(|| Err("no rustc on PATH".to_owned())));
    for _ in 0..2 {
        match lazy.execute("1", &NullSink) {
            ExecOutcome::Error { ename, evalue, .. } => {
                assert_eq!(ename, "KernelStartError");
                assert_eq!(evalue, "no rustc on PATH");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn cells_run_once_the_interpreter_is_up() {
    let mut lazy = LazyInterpreter::spawn(Box::new(|| Ok(Box::new(FakeInterpreter::new()) as Box<dyn Interpreter>)));
    assert_eq!(ename(lazy.execute("let a = 1", &NullSink)), "ok");
    assert_eq!(lazy.execute("get a", &NullSink), ExecOutcome::Ok { result: Some(text("1")) });
}

fn text(s: &str) -> MimeBundle {
    let mut bundle = MimeBundle::new();
    bundle.insert("text/plain".into(), s.into());
    bundle
}

#[test]
fn an_interrupt_ends_the_wait_for_a_slow_start() {
    // The start blocks until the test lets it go, so the cell is surely waiting.
    let (release, gate) = channel::<()>();
    let gate = Mutex::new(gate);
    let mut lazy = LazyInterpreter::spawn(Box::new(move || {
        let _ = gate.lock().unwrap().recv();
        Ok(Box::new(FakeInterpreter::new()) as Box<dyn Interpreter>)
    }));
    // Interrupt until the waiting cell gives up (an interrupt sent before the wait is discarded).
    let interrupter = lazy.interrupter();
    let done = Arc::new(AtomicBool::new(false));
    let stop = done.clone();
    let nagger = std::thread::spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            interrupter.interrupt();
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    assert_eq!(ename(lazy.execute("value 1", &NullSink)), "Interrupted");
    done.store(true, Ordering::SeqCst);
    nagger.join().unwrap();
    release.send(()).unwrap();
    assert_eq!(ename(lazy.execute("value 1", &NullSink)), "ok");
}
