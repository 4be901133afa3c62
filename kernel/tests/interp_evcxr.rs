//! Drives the real evcxr interpreter (no ZeroMQ) with a recording output sink.
//!
//! One interpreter is started and walked through a script of cells, because starting one costs a
//! compile. Run with: `cargo test --release --locked -p distsim-kernel --test interp_evcxr -- --nocapture`
//! (the first run builds the shared distsim cache, which takes minutes).

use distsim_kernel::interpreter::warmup::CacheLayout;
use distsim_kernel::interpreter::{
    Completeness, EvcxrInterpreter, ExecOutcome, Interpreter, MimeBundle, OutputSink, StartOptions, StreamName,
};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq)]
enum Out {
    Stdout(String),
    Stderr(String),
    Display { data: MimeBundle, display_id: Option<String>, update: bool },
    Clear,
}

#[derive(Default)]
struct Recorder(Mutex<Vec<Out>>);

impl OutputSink for Recorder {
    fn stream(&self, name: StreamName, text: &str) {
        let out = match name {
            StreamName::Stdout => Out::Stdout(text.to_owned()),
            StreamName::Stderr => Out::Stderr(text.to_owned()),
        };
        self.0.lock().unwrap().push(out);
    }
    fn display(&self, data: MimeBundle, _metadata: MimeBundle, display_id: Option<String>, update: bool) {
        self.0.lock().unwrap().push(Out::Display { data, display_id, update });
    }
    fn clear_output(&self, _wait: bool) {
        self.0.lock().unwrap().push(Out::Clear);
    }
    fn input(&self, _prompt: &str, _password: bool) -> Option<String> {
        Some("typed".to_owned())
    }
}

impl Recorder {
    fn take(&self) -> Vec<Out> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
    fn stdout(outs: &[Out]) -> String {
        outs.iter().filter_map(|o| if let Out::Stdout(s) = o { Some(s.as_str()) } else { None }).collect()
    }
    fn stderr(outs: &[Out]) -> String {
        outs.iter().filter_map(|o| if let Out::Stderr(s) = o { Some(s.as_str()) } else { None }).collect()
    }
}

fn run(interp: &mut EvcxrInterpreter, sink: &Recorder, code: &str) -> (ExecOutcome, Vec<Out>) {
    let start = Instant::now();
    let outcome = interp.execute(code, sink);
    eprintln!("[{:>6} ms] {code:?} => {outcome:?}", start.elapsed().as_millis());
    (outcome, sink.take())
}

fn plain(outcome: &ExecOutcome) -> String {
    match outcome {
        ExecOutcome::Ok { result: Some(bundle) } => bundle["text/plain"].as_str().unwrap_or_default().to_owned(),
        other => panic!("expected a result, got {other:?}"),
    }
}

fn ename(outcome: &ExecOutcome) -> (&str, &str, &[String]) {
    match outcome {
        ExecOutcome::Error { ename, evalue, traceback } => (ename, evalue, traceback),
        other => panic!("expected an error, got {other:?}"),
    }
}

/// Runs `code` (which prints "running" first) and interrupts it 300 ms after that line arrives.
/// Returns the outcome, when it ended and when the interrupt was sent.
fn run_then_interrupt(interp: &mut EvcxrInterpreter, sink: &Recorder, code: &str) -> (ExecOutcome, Instant, Instant) {
    let interrupter = interp.interrupter();
    std::thread::scope(|scope| {
        let asked = scope.spawn(|| {
            let give_up = Instant::now() + Duration::from_secs(300);
            while Instant::now() < give_up
                && !sink.0.lock().unwrap().iter().any(|o| *o == Out::Stdout("running\n".into()))
            {
                std::thread::sleep(Duration::from_millis(10));
            }
            std::thread::sleep(Duration::from_millis(300));
            interrupter.interrupt();
            Instant::now()
        });
        let outcome = interp.execute(code, sink);
        let stopped = Instant::now();
        eprintln!("{code:?} => {outcome:?}");
        sink.take();
        (outcome, stopped, asked.join().unwrap())
    })
}

/// How many incremental caches of the cell crate this test's kernel directory holds (rustc keeps
/// one directory per crate session under `<kernel dir>/incremental`).
fn incremental_caches() -> usize {
    let kernels = CacheLayout::resolve(None).root.join("kernels");
    let prefix = format!("{}-", std::process::id());
    let mut found = 0;
    for kernel in std::fs::read_dir(kernels).into_iter().flatten().flatten() {
        if kernel.file_name().to_string_lossy().starts_with(&prefix) {
            found += std::fs::read_dir(kernel.path().join("incremental")).into_iter().flatten().flatten().count();
        }
    }
    found
}

/// The evaluation process's `oom_score_adj`, read by a cell (cells run in that process). Every
/// evaluation process, however it was started, must be the first victim when memory runs out.
fn oom_score_adj(interp: &mut EvcxrInterpreter, sink: &Recorder) -> String {
    let (out, _) =
        run(interp, sink, "std::fs::read_to_string(\"/proc/self/oom_score_adj\").unwrap().trim().to_owned()");
    plain(&out).trim_matches('"').to_owned()
}

#[test]
fn evcxr_interpreter_runs_a_notebook_session() {
    let opts =
        StartOptions { runtime_exe: Some(env!("CARGO_BIN_EXE_distsim-kernel").into()), ..StartOptions::default() };
    let started = Instant::now();
    let mut interp = EvcxrInterpreter::start(opts).expect("interpreter starts");
    eprintln!("started in {} ms", started.elapsed().as_millis());
    let sink = Recorder::default();
    assert!(interp.language_version().starts_with("1."), "{}", interp.language_version());

    // A value, with distsim already imported (no :dep line).
    let (out, _) = run(&mut interp, &sink, "1 + 1");
    assert_eq!(plain(&out), "2");
    assert_eq!(incremental_caches(), 0, "a first cell compiles without rustc's incremental cache");
    assert_eq!(oom_score_adj(&mut interp, &sink), "1000", "the first evaluation process");
    // The session's first `?` keeps its rich display (`?` is turned on just before this cell runs).
    let (out, _) = run(&mut interp, &sink, "Table::new([\"n\"]).with_row(vec![Value::Int(2)])?");
    let ExecOutcome::Ok { result: Some(bundle) } = &out else { panic!("{out:?}") };
    assert!(bundle.contains_key("text/html"), "{bundle:?}");
    let (out, _) = run(&mut interp, &sink, "Duration::from_secs_f64(\"x\", 1.5).unwrap()");
    assert!(matches!(out, ExecOutcome::Ok { result: Some(_) }), "{out:?}");

    // stdout and stderr, and nothing on stderr from a quiet cell.
    let (out, outs) = run(&mut interp, &sink, "println!(\"hello\"); eprintln!(\"oops\"); println!(\"bye\");");
    assert_eq!(out, ExecOutcome::Ok { result: None });
    assert_eq!(Recorder::stdout(&outs), "hello\nbye\n");
    assert_eq!(Recorder::stderr(&outs), "oops\n");
    let (_, outs) = run(&mut interp, &sink, "let keep = 41;");
    assert!(outs.is_empty(), "{outs:?}");

    // A compile error: one error, rustc-style traceback relative to the cell.
    let (out, _) = run(&mut interp, &sink, "let a = 1;\nlet b: u32 = \"text\";");
    let (name, value, traceback) = ename(&out);
    assert_eq!(name, "CompileError");
    assert!(value.contains("mismatched types"), "{value}");
    let joined = traceback.join("\n");
    assert!(joined.contains("cell:2:"), "{joined}");
    assert!(joined.contains("let b: u32 = \"text\";") && joined.contains("^^^^^^"), "{joined}");

    // A panic keeps earlier variables.
    let (out, outs) = run(&mut interp, &sink, "assert_eq!(keep, 1, \"keep is not one\");");
    let (name, value, _) = ename(&out);
    assert_eq!(name, "Panic");
    assert!(value.contains("keep is not one"), "{value}");
    assert!(Recorder::stderr(&outs).is_empty(), "{outs:?}");
    let (out, _) = run(&mut interp, &sink, "keep + 1");
    assert_eq!(plain(&out), "42");

    // Rich output: display() mid-cell, then a renderable final value.
    let (out, outs) = run(&mut interp, &sink, "let t = Table::new([\"n\", \"sq\"]).with_row(vec![Value::Int(2), Value::Int(4)]).unwrap();\nprintln!(\"before\");\ndisplay(&t);\nprintln!(\"after\");\nt");
    let kinds: Vec<&str> = outs
        .iter()
        .map(|o| match o {
            Out::Stdout(_) => "out",
            Out::Display { .. } => "display",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["out", "display", "out"], "{outs:?}");
    if let Out::Display { data, .. } = &outs[1] {
        assert!(data.contains_key("text/plain") && data.contains_key("text/html"), "{data:?}");
    }
    let ExecOutcome::Ok { result: Some(bundle) } = &out else { panic!("{out:?}") };
    assert!(bundle.contains_key("text/html") && bundle["text/plain"].is_string(), "{bundle:?}");

    // A plot built by a chain that ends the cell renders as SVG, also after a `let` in the same cell
    // that the chain only borrows or clones, or that a `let` consumes. (A final chain that *moves* such a variable falls back to
    // Debug text: evcxr's retry after "use of moved value" also drops the rich display. That is
    // documented in kernel/README.md, with `display(&plot)` as the way out.)
    for code in [
        "Plot::new(\"chain\").x_label(\"x\").line(\"a\", vec![(1.0, 2.0), (2.0, 3.0)])",
        "let pts: Vec<(f64, f64)> = vec![(1.0, 2.0), (2.0, 3.0)];\nPlot::new(\"chain\")\n    .x_label(\"x\")\n    .line(\"a\", pts.clone())",
        // The notebooks' form: the chain that moves the points is a `let`, the cell ends with its name.
        "let pts3: Vec<(f64, f64)> = vec![(1.0, 2.0), (2.0, 3.0)];\nlet chart = Plot::new(\"chain\").line(\"a\", pts3);\nchart",
    ] {
        let (out, _) = run(&mut interp, &sink, code);
        let ExecOutcome::Ok { result: Some(bundle) } = &out else { panic!("{code}: {out:?}") };
        assert!(bundle.contains_key("image/svg+xml"), "{code}: {bundle:?}");
    }
    // Values without a rich display still show their Debug text (compiled once, see DebugDisplay).
    let (out, _) = run(&mut interp, &sink, "vec![\"a\", \"b\"]");
    assert_eq!(plain(&out), "[\"a\", \"b\"]");

    // A cell edited and run again compiles with rustc's incremental cache, and each version
    // computes its own value, not the one the cache holds. A variable of a type a cell defined
    // survives the cache turning on and off (cargo's profile switch lost it: its TypeId changed).
    let (_, _) = run(&mut interp, &sink, "#[derive(Debug)]\nstruct Counter(u32);\nlet counter = Counter(1);");
    for (volleys, doubled) in [(3, "6"), (4, "8"), (5, "10")] {
        let (out, outs) = run(&mut interp, &sink, &format!("let volleys = {volleys};\nvolleys * 2"));
        assert_eq!(plain(&out), doubled);
        assert!(Recorder::stderr(&outs).is_empty(), "{outs:?}");
    }
    assert_eq!(incremental_caches(), 1, "the cell crate's incremental cache");
    let (out, outs) = run(&mut interp, &sink, "counter.0 + 1");
    assert_eq!(plain(&out), "2");
    assert!(Recorder::stderr(&outs).is_empty(), "{outs:?}");

    // Commands keep working; :help lists the kernel's own.
    let (out, _) = run(&mut interp, &sink, ":vars");
    assert!(plain(&out).contains("keep"), "{out:?}");
    let (out, _) = run(&mut interp, &sink, ":help");
    assert!(plain(&out).contains(":distsim") && plain(&out).contains(":dep"), "{out:?}");

    // Completion (code points) and inspection.
    let (_, _) = run(&mut interp, &sink, "let kept_value_é = 7u64;");
    let code = "let ü = kept_val";
    let found = interp.complete(code, code.chars().count());
    assert!(found.matches.iter().any(|m| m == "kept_value_é"), "{found:?}");
    assert_eq!(found.cursor_end, code.chars().count());
    assert_eq!(found.cursor_start, code.chars().count() - "kept_val".len());
    let info = interp.inspect("kept_value_é + 1", 3, 0).expect("inspect finds the variable");
    assert!(info["text/plain"].as_str().unwrap().contains("u64"), "{info:?}");
    assert_eq!(interp.is_complete("fn f() {"), Completeness::Incomplete { indent: "    ".into() });

    // Interrupting a loop that polls distsim's cancel flag: fast, state kept.
    let (out, stopped, asked) = run_then_interrupt(
        &mut interp,
        &sink,
        "println!(\"running\");\nlet mut spins = 0u64;\nwhile distsim::cancel::check().is_ok() { spins += 1; }\nspins",
    );
    assert_eq!(ename(&out).0, "Interrupted");
    assert!(stopped - asked < Duration::from_secs(1), "took {:?}", stopped - asked);
    let (out, _) = run(&mut interp, &sink, "keep");
    assert_eq!(plain(&out), "41");

    // A user spin loop is killed after the grace period: state lost, kernel keeps serving.
    let (out, _, _) =
        run_then_interrupt(&mut interp, &sink, "println!(\"running\");\nloop { std::hint::spin_loop(); }");
    let (name, value, _) = ename(&out);
    assert_eq!(name, "Interrupted");
    assert!(value.contains("LOST"), "{value}");
    let (out, _) = run(&mut interp, &sink, "2 + 3");
    assert_eq!(plain(&out), "5");
    let (out, _) = run(&mut interp, &sink, "Table::new([\"x\"]).len()");
    assert_eq!(plain(&out), "0");
    assert_eq!(oom_score_adj(&mut interp, &sink), "1000", "after the kill");

    // A user's `:restart` (evcxr starts the evaluation process again, keeping `:dep distsim`).
    let (out, _) = run(&mut interp, &sink, ":restart");
    assert!(matches!(out, ExecOutcome::Ok { .. }), "{out:?}");
    assert_eq!(oom_score_adj(&mut interp, &sink), "1000", "after a user's :restart");
    let (out, _) = run(&mut interp, &sink, "Table::new([\"x\"]).len()");
    assert_eq!(plain(&out), "0");

    // `:clear`: variables gone, distsim still loaded (evcxr's `:clear` drops it; the kernel loads it
    // again), and `?` turned on again with its rich display.
    let (_, _) = run(&mut interp, &sink, "let before_clear = 1;");
    let (out, _) = run(&mut interp, &sink, ":clear");
    assert!(matches!(out, ExecOutcome::Ok { .. }), "{out:?}");
    let (out, _) = run(&mut interp, &sink, "before_clear");
    assert_eq!(ename(&out).0, "CompileError");
    let (out, _) = run(&mut interp, &sink, "Table::new([\"n\"]).with_row(vec![Value::Int(2)])?");
    let ExecOutcome::Ok { result: Some(bundle) } = &out else { panic!("{out:?}") };
    assert!(bundle.contains_key("text/html"), "{bundle:?}");
    assert_eq!(oom_score_adj(&mut interp, &sink), "1000", "after :clear");

    // Restart: variables gone, distsim still loaded.
    let (_, _) = run(&mut interp, &sink, "let after_kill = 1;");
    let started = Instant::now();
    interp.restart().expect("restart");
    eprintln!("restarted in {} ms", started.elapsed().as_millis());
    let (out, _) = run(&mut interp, &sink, "after_kill");
    assert_eq!(ename(&out).0, "CompileError");
    let (out, _) = run(&mut interp, &sink, "Table::new([\"x\"]).columns().len()");
    assert_eq!(plain(&out), "1");
    assert_eq!(oom_score_adj(&mut interp, &sink), "1000", "after the kernel's restart");
}
