//! A scripted interpreter: each line of a cell is one command.
//!
//! | line                | effect                                                        |
//! |---------------------|---------------------------------------------------------------|
//! | `print TEXT`        | `TEXT\n` on stdout                                            |
//! | `eprint TEXT`       | `TEXT\n` on stderr                                            |
//! | `display TEXT`      | display_data with text/plain TEXT                             |
//! | `show ID TEXT`      | display_data with display_id ID                               |
//! | `update ID TEXT`    | update_display_data for ID                                    |
//! | `clear`             | clear_output                                                  |
//! | `input PROMPT`      | asks for input, prints `got: VALUE` (error `NoInput` if none)  |
//! | `let NAME = VALUE`  | stores a variable (survives errors, not restarts)             |
//! | `get NAME`          | result VALUE, or a `CompileError` if NAME is unknown          |
//! | `value TEXT`        | result with text/plain TEXT                                   |
//! | `html TEXT`         | result with only text/html (the kernel must add text/plain)   |
//! | `panic MSG`         | error `Panic`                                                 |
//! | `sleep`             | waits until interrupted, then error `Interrupted`             |
//! | `sleep MS`          | waits MS milliseconds (or until interrupted)                  |
//!
//! An interrupt that arrives while nothing sleeps is remembered and ends the next `sleep`.
//! `is_complete` says incomplete while `{` outnumber `}`, and invalid for a line `@invalid`.

use crate::interpreter::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The words `complete` knows.
const COMMANDS: [&str; 13] =
    ["print", "eprint", "display", "show", "update", "clear", "input", "let", "get", "value", "html", "panic", "sleep"];

#[derive(Default)]
struct Flag {
    raised: Mutex<bool>,
    changed: Condvar,
}

impl Interrupter for Flag {
    fn interrupt(&self) {
        *self.raised.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.changed.notify_all();
    }
}

impl Flag {
    /// Waits up to `limit` (forever if `None`); true if interrupted. Consumes the interrupt.
    fn wait(&self, limit: Option<Duration>) -> bool {
        let deadline = limit.map(|d| Instant::now() + d);
        let mut raised = self.raised.lock().unwrap_or_else(|p| p.into_inner());
        while !*raised {
            match deadline {
                None => raised = self.changed.wait(raised).unwrap_or_else(|p| p.into_inner()),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return false;
                    }
                    raised = self.changed.wait_timeout(raised, deadline - now).unwrap_or_else(|p| p.into_inner()).0;
                }
            }
        }
        *raised = false;
        true
    }
}

/// The fake interpreter. `restarts` counts restarts, for tests.
#[derive(Default)]
pub struct FakeInterpreter {
    vars: BTreeMap<String, String>,
    flag: Arc<Flag>,
    pub restarts: u32,
}

impl FakeInterpreter {
    pub fn new() -> Self {
        Self::default()
    }
}

fn bundle(mime: &str, text: &str) -> MimeBundle {
    let mut data = MimeBundle::new();
    data.insert(mime.to_owned(), Value::String(text.to_owned()));
    data
}

fn error(ename: &str, evalue: &str) -> ExecOutcome {
    let traceback = vec![format!("{ename}: {evalue}")];
    ExecOutcome::Error { ename: ename.to_owned(), evalue: evalue.to_owned(), traceback }
}

impl FakeInterpreter {
    /// Runs one line; `Err` ends the cell.
    fn line(&mut self, line: &str, sink: &dyn OutputSink, result: &mut Option<MimeBundle>) -> Result<(), ExecOutcome> {
        let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
        match command {
            "print" => sink.stream(StreamName::Stdout, &format!("{rest}\n")),
            "eprint" => sink.stream(StreamName::Stderr, &format!("{rest}\n")),
            "display" => sink.display(bundle("text/plain", rest), MimeBundle::new(), None, false),
            "show" | "update" => {
                let (id, text) = rest.split_once(' ').unwrap_or((rest, ""));
                sink.display(bundle("text/plain", text), MimeBundle::new(), Some(id.to_owned()), command == "update");
            }
            "clear" => sink.clear_output(false),
            "input" => match sink.input(rest, false) {
                Some(value) => sink.stream(StreamName::Stdout, &format!("got: {value}\n")),
                None => return Err(error("NoInput", "no input was allowed or given")),
            },
            "let" => {
                let (name, value) =
                    rest.split_once(" = ").ok_or_else(|| error("CompileError", "expected `let NAME = VALUE`"))?;
                self.vars.insert(name.to_owned(), value.to_owned());
            }
            "get" => match self.vars.get(rest) {
                Some(value) => *result = Some(bundle("text/plain", value)),
                None => return Err(error("CompileError", &format!("cannot find value `{rest}` in this scope"))),
            },
            "value" => *result = Some(bundle("text/plain", rest)),
            "html" => *result = Some(bundle("text/html", rest)),
            "panic" => return Err(error("Panic", rest)),
            "sleep" => {
                let limit = rest.parse::<u64>().ok().map(Duration::from_millis);
                if self.flag.wait(limit) {
                    return Err(error("Interrupted", "the cell was interrupted; earlier variables are kept"));
                }
            }
            other => return Err(error("CompileError", &format!("unknown fake command `{other}`"))),
        }
        Ok(())
    }
}

impl Interpreter for FakeInterpreter {
    fn execute(&mut self, code: &str, sink: &dyn OutputSink) -> ExecOutcome {
        let mut result = None;
        for line in code.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Err(failure) = self.line(line, sink, &mut result) {
                return failure;
            }
        }
        ExecOutcome::Ok { result }
    }

    fn complete(&mut self, code: &str, cursor_pos: usize) -> Completions {
        let before: Vec<char> = code.chars().take(cursor_pos).collect();
        let start = before.iter().rposition(|c| !c.is_alphanumeric()).map_or(0, |i| i + 1);
        let prefix: String = before[start..].iter().collect();
        let matches = COMMANDS.iter().filter(|c| c.starts_with(&prefix)).map(|c| c.to_string()).collect();
        Completions { matches, cursor_start: start, cursor_end: before.len() }
    }

    fn inspect(&mut self, code: &str, cursor_pos: usize, _detail_level: u8) -> Option<MimeBundle> {
        let word: String = code.chars().take(cursor_pos).collect::<String>().split_whitespace().last()?.to_owned();
        COMMANDS.contains(&word.as_str()).then(|| bundle("text/plain", &format!("{word}: a fake command")))
    }

    fn is_complete(&self, code: &str) -> Completeness {
        if code.lines().any(|l| l.trim() == "@invalid") {
            return Completeness::Invalid;
        }
        let open = code.matches('{').count();
        let close = code.matches('}').count();
        if open > close {
            Completeness::Incomplete { indent: "    ".repeat(open - close) }
        } else {
            Completeness::Complete
        }
    }

    fn interrupter(&self) -> Arc<dyn Interrupter> {
        self.flag.clone()
    }

    fn restart(&mut self) -> Result<(), String> {
        self.vars.clear();
        self.restarts += 1;
        Ok(())
    }

    fn language_version(&self) -> String {
        "0.0.0-fake".to_owned()
    }
}
