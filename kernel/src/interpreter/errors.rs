//! Turning evcxr's failures into Jupyter `error` outputs that graders and students can read.
//!
//! nbgrader and nbclient look at `ename`/`evalue`/`traceback` of the reply and of the `error`
//! output, so every failure gets all three. A compile error is drawn like rustc draws it, but with
//! line numbers relative to the cell the student typed (evcxr wraps the cell in generated code, and
//! its spans are already mapped back to the cell's lines and columns).

use super::ExecOutcome;
use ::evcxr::CompilationError;

const RED: &str = "\x1b[0;31m";
const BOLD_RED: &str = "\x1b[1;31m";
const BLUE: &str = "\x1b[0;34m";
const RESET: &str = "\x1b[0m";

/// `CompileError` with the first message as `evalue` and a rustc-style traceback for every error.
pub fn compile_error(errors: &[CompilationError], cell: &str) -> ExecOutcome {
    let evalue = errors.first().map(CompilationError::message).unwrap_or_else(|| "compilation failed".to_owned());
    let mut traceback = Vec::new();
    for error in errors {
        traceback.extend(render_error(error, cell));
    }
    if traceback.is_empty() {
        traceback.push(format!("{BOLD_RED}error{RESET}: {evalue}"));
    }
    ExecOutcome::Error { ename: "CompileError".to_owned(), evalue, traceback }
}

/// The lines of one error: header, `--> cell:line:col`, the offending lines with `^^^` under the
/// span, then notes and help.
fn render_error(error: &CompilationError, cell: &str) -> Vec<String> {
    let mut out = Vec::new();
    let level = if error.level().is_empty() { "error" } else { error.level() };
    match error.code() {
        Some(code) => out.push(format!("{BOLD_RED}{level}[{code}]{RESET}: {}", error.message())),
        None => out.push(format!("{BOLD_RED}{level}{RESET}: {}", error.message())),
    }
    let lines: Vec<&str> = cell.lines().collect();
    let mut spanned: Vec<_> = error.spanned_messages().iter().filter(|m| m.span.is_some()).collect();
    // The primary span first, so `-->` names the place the error is about.
    spanned.sort_by_key(|m| !m.is_primary);
    let gutter = spanned.iter().filter_map(|m| m.span.map(|s| s.end_line.to_string().len())).max().unwrap_or(1);
    let pad = " ".repeat(gutter);
    if let Some(first) = spanned.first().and_then(|m| m.span) {
        out.push(format!("{pad}{BLUE}-->{RESET} cell:{}:{}", first.start_line, first.start_column));
        out.push(format!("{pad} {BLUE}|{RESET}"));
    }
    for message in &spanned {
        let span = message.span.expect("filtered above");
        for line_no in span.start_line..=span.end_line.min(span.start_line + 4) {
            let Some(text) = lines.get(line_no - 1) else { continue };
            out.push(format!("{BLUE}{line_no:>gutter$} |{RESET} {text}"));
            let chars: Vec<char> = text.chars().collect();
            let from = if line_no == span.start_line { span.start_column.saturating_sub(1) } else { 0 };
            let to = if line_no == span.end_line { span.end_column.saturating_sub(1) } else { chars.len() };
            let to = to.min(chars.len()).max(from + 1);
            // Keep tabs so the carets line up under the code in any tab width.
            let lead: String = chars.iter().take(from).map(|c| if *c == '\t' { '\t' } else { ' ' }).collect();
            let carets = "^".repeat(to - from);
            let label = if line_no == span.end_line.min(span.start_line + 4) && !message.label.is_empty() {
                format!(" {}", message.label)
            } else {
                String::new()
            };
            out.push(format!("{pad} {BLUE}|{RESET} {lead}{RED}{carets}{label}{RESET}"));
        }
    }
    for message in error.spanned_messages().iter().filter(|m| m.span.is_none() && !m.label.is_empty()) {
        out.push(format!("{pad} {BLUE}={RESET} note: {}", message.label));
    }
    for help in error.help() {
        let mut help_lines = help.lines();
        if let Some(first) = help_lines.next() {
            out.push(format!("{pad} {BLUE}={RESET} help: {first}"));
        }
        out.extend(help_lines.map(|l| format!("{pad}         {l}")));
    }
    if let Some(hint) = error.evcxr_extra_hint() {
        out.push(format!("{pad} {BLUE}={RESET} note: {hint}"));
    }
    out
}

/// `Panic` with the panic message; earlier variables were kept by evcxr.
pub fn panic(message: &str) -> ExecOutcome {
    let mut traceback = vec![format!("{BOLD_RED}panicked{RESET}: {}", message.lines().next().unwrap_or(""))];
    traceback.extend(message.lines().skip(1).map(str::to_owned));
    ExecOutcome::Error { ename: "Panic".to_owned(), evalue: message.to_owned(), traceback }
}

/// An error the cell's `?` returned: `ename` is the error's type, shortened as people write it
/// (`distsim::error::Error` => `distsim::Error`, `alloc::string::String` => `String`), `evalue`
/// its message. Variables the cell defined before the `?` are not kept (evcxr drops them).
pub fn returned(type_name: &str, message: &str) -> ExecOutcome {
    let ename = short_type_name(type_name);
    let mut traceback = vec![format!("{BOLD_RED}{ename}{RESET}: {}", message.lines().next().unwrap_or(""))];
    traceback.extend(message.lines().skip(1).map(str::to_owned));
    ExecOutcome::Error { ename, evalue: message.to_owned(), traceback }
}

/// A type name from `std::any::type_name` as people write it: paths in the standard library lose
/// their module (`alloc::string::String` => `String`), other paths keep their crate and name
/// (`distsim::error::Error` => `distsim::Error`), and a type the cells defined keeps its name only
/// (evcxr's cell crate is `ctx`).
pub fn short_type_name(type_name: &str) -> String {
    let mut out = String::new();
    let mut path = String::new();
    let flush = |path: &mut String, out: &mut String| {
        let segments: Vec<&str> = path.split("::").collect();
        let short = match segments.as_slice() {
            [] | [_] => path.clone(),
            [first, .., last] if ["std", "core", "alloc", "ctx"].contains(first) => (*last).to_owned(),
            [first, .., last] => format!("{first}::{last}"),
        };
        out.push_str(&short);
        path.clear();
    };
    let mut chars = type_name.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            path.push(c);
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            path.push_str("::");
        } else {
            flush(&mut path, &mut out);
            out.push(c);
        }
    }
    flush(&mut path, &mut out);
    out
}

/// `Interrupted`, state kept: a distsim loop saw the cancel file and stopped.
pub fn interrupted_state_kept() -> ExecOutcome {
    let evalue = "Interrupted by the user. Variables from earlier cells are kept.".to_owned();
    ExecOutcome::Error {
        ename: "Interrupted".to_owned(),
        traceback: vec![format!("{BOLD_RED}Interrupted{RESET}: {evalue}")],
        evalue,
    }
}

/// `Interrupted`, state lost: the cell (or a widget's callback: `what`) ignored the request and
/// its process had to be killed. `stuck` names the simulation handlers that never returned, as the
/// engine's watch reported them.
pub fn interrupted_state_lost(what: &str, grace: std::time::Duration, stuck: Option<&str>) -> ExecOutcome {
    let stuck = match stuck.map(str::trim).filter(|s| !s.is_empty()) {
        Some(handlers) => format!(
            " The simulation was stuck in {}: a handler must return (a loop waiting for a message or \
             a time never ends, because nothing else runs while it waits; set a timer instead).",
            handlers.lines().collect::<Vec<_>>().join("; ")
        ),
        None => String::new(),
    };
    let evalue = format!(
        "Interrupted by the user. The {what} did not stop within {:.1} s, so its evaluation process was \
         restarted: ALL VARIABLES WERE LOST.{stuck} distsim is loaded again; re-run the cells that define your variables. \
         (Loops of your own stop without losing state if they call `distsim::cancel::check()?`.)",
        grace.as_secs_f64()
    );
    ExecOutcome::Error {
        ename: "Interrupted".to_owned(),
        traceback: vec![format!("{BOLD_RED}Interrupted{RESET}: {evalue}")],
        evalue,
    }
}

/// The evaluation process died on its own (a segfault, `process::exit`, a stack overflow...).
pub fn process_died(detail: &str) -> ExecOutcome {
    let evalue = "The evaluation process stopped unexpectedly and was restarted: all variables were lost. \
                  distsim is loaded again."
        .to_owned();
    let mut traceback = vec![format!("{BOLD_RED}KernelRestarted{RESET}: {evalue}")];
    traceback.extend(detail.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned));
    ExecOutcome::Error { ename: "KernelRestarted".to_owned(), evalue, traceback }
}

/// Any other evcxr failure (a bad `:dep`, a variable that cannot be persisted...).
pub fn other(message: &str) -> ExecOutcome {
    let evalue = message.lines().next().unwrap_or("error").to_owned();
    let mut traceback = vec![format!("{BOLD_RED}error{RESET}: {evalue}")];
    traceback.extend(message.lines().skip(1).map(str::to_owned));
    ExecOutcome::Error { ename: "Error".to_owned(), evalue: message.to_owned(), traceback }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_read_as_people_write_them() {
        assert_eq!(short_type_name("distsim::error::Error"), "distsim::Error");
        assert_eq!(short_type_name("alloc::string::String"), "String");
        assert_eq!(short_type_name("core::num::error::ParseIntError"), "ParseIntError");
        assert_eq!(
            short_type_name("alloc::boxed::Box<dyn core::error::Error + core::marker::Send>"),
            "Box<dyn Error + Send>"
        );
        assert_eq!(short_type_name("ctx::MyError"), "MyError");
        assert_eq!(short_type_name("&str"), "&str");
    }
}
