//! `is_complete`: is this cell ready to run, or is the user still typing?
//!
//! A console front end (`jupyter console`, qtconsole) asks this after every Enter. Answering
//! "incomplete" opens a continuation line, "complete" runs the cell, "invalid" runs it anyway so
//! that the user sees the compiler's error. A full parse is not needed for that: a small lexer that
//! knows where strings, characters, comments and brackets begin and end decides all three cases.
//!
//! - an open `(`, `[` or `{`, an unterminated string (`"..`, `r#"..`, `b".."`), character literal
//!   or block comment (`/* ..`, nestable as in Rust) => incomplete, with 4 spaces of indent per open
//!   bracket (no indent inside a string, where spaces would change its value);
//! - a closing bracket with no matching opener => invalid;
//! - everything else, including evcxr `:` command lines, => complete.

use super::Completeness;

/// Classifies a cell (see the module docs).
pub fn is_complete(code: &str) -> Completeness {
    match scan(code) {
        Scan::Balanced => Completeness::Complete,
        Scan::Mismatched => Completeness::Invalid,
        Scan::Open { depth } => Completeness::Incomplete { indent: "    ".repeat(depth) },
        Scan::InString => Completeness::Incomplete { indent: String::new() },
    }
}

/// What the lexer saw at the end of the cell.
#[derive(Debug, PartialEq, Eq)]
enum Scan {
    Balanced,
    Mismatched,
    /// Brackets (or a block comment) are still open; `depth` brackets deep.
    Open {
        depth: usize,
    },
    /// The cell ends inside a string or character literal.
    InString,
}

fn scan(code: &str) -> Scan {
    let chars: Vec<char> = code.chars().collect();
    let mut stack: Vec<char> = Vec::new();
    let mut i = 0;
    let mut at_line_start = true;
    while i < chars.len() {
        let c = chars[i];
        // An evcxr command (`:dep ..`, `:vars`) occupies a whole line at the top level.
        if at_line_start && stack.is_empty() && c == ':' && chars.get(i + 1).is_some_and(|n| n.is_ascii_alphabetic()) {
            i = skip_line(&chars, i);
            continue;
        }
        if c == '\n' {
            at_line_start = true;
            i += 1;
            continue;
        }
        if !c.is_whitespace() {
            at_line_start = false;
        }
        match c {
            '/' if chars.get(i + 1) == Some(&'/') => i = skip_line(&chars, i),
            '/' if chars.get(i + 1) == Some(&'*') => match skip_block_comment(&chars, i) {
                Some(next) => i = next,
                None => return Scan::Open { depth: stack.len() },
            },
            '"' => match skip_string(&chars, i + 1) {
                Some(next) => i = next,
                None => return Scan::InString,
            },
            '\'' => match skip_char_or_lifetime(&chars, i) {
                Some(next) => i = next,
                None => return Scan::InString,
            },
            '(' | '[' | '{' => {
                stack.push(c);
                i += 1;
            }
            ')' | ']' | '}' => {
                let opener = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if stack.pop() != Some(opener) {
                    return Scan::Mismatched;
                }
                i += 1;
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                // String prefixes: b"..", c"..", r"..", r#".."#, br#".."#, cr".."; b'x' is a byte.
                match (word.as_str(), chars.get(i)) {
                    ("r" | "br" | "cr", Some('"' | '#')) => match skip_raw_string(&chars, i) {
                        RawString::End(next) => i = next,
                        RawString::Unterminated => return Scan::InString,
                        RawString::NotAString => {}
                    },
                    ("b" | "c", Some('"')) => match skip_string(&chars, i + 1) {
                        Some(next) => i = next,
                        None => return Scan::InString,
                    },
                    ("b", Some('\'')) => match skip_char_or_lifetime(&chars, i) {
                        Some(next) => i = next,
                        None => return Scan::InString,
                    },
                    _ => {}
                }
            }
            _ => i += 1,
        }
    }
    if stack.is_empty() {
        Scan::Balanced
    } else {
        Scan::Open { depth: stack.len() }
    }
}

/// Index of the newline ending the line that contains `i` (or the end of input).
fn skip_line(chars: &[char], i: usize) -> usize {
    let mut j = i;
    while j < chars.len() && chars[j] != '\n' {
        j += 1;
    }
    j
}

/// Skips a (nestable) block comment starting at `i` (`/*`). `None` if it never closes.
fn skip_block_comment(chars: &[char], i: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut j = i;
    while j + 1 < chars.len() {
        match (chars[j], chars[j + 1]) {
            ('/', '*') => {
                depth += 1;
                j += 2;
            }
            ('*', '/') => {
                depth -= 1;
                j += 2;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => j += 1,
        }
    }
    None
}

/// Skips the body of a `"` string whose first content character is at `i`; returns the index
/// after the closing quote, or `None` if the string never closes.
fn skip_string(chars: &[char], mut i: usize) -> Option<usize> {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

enum RawString {
    End(usize),
    Unterminated,
    /// `r#` followed by something other than `"`: a raw identifier such as `r#type`.
    NotAString,
}

/// Skips a raw string whose `#`s (or opening quote) start at `i`.
fn skip_raw_string(chars: &[char], i: usize) -> RawString {
    let mut j = i;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    let hashes = j - i;
    if chars.get(j) != Some(&'"') {
        return RawString::NotAString;
    }
    j += 1;
    while j < chars.len() {
        if chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) {
            return RawString::End(j + 1 + hashes);
        }
        j += 1;
    }
    RawString::Unterminated
}

/// At a `'`: a character literal (`'a'`, `'\n'`, `'\u{1F600}'`) or a lifetime/label (`'a`).
/// Returns the index after it, or `None` for an unterminated character literal.
fn skip_char_or_lifetime(chars: &[char], i: usize) -> Option<usize> {
    match (chars.get(i + 1), chars.get(i + 2)) {
        (None, _) => None,
        (Some('\\'), _) => {
            // An escape: find the closing quote on this line.
            let mut j = i + 2;
            while j < chars.len() && chars[j] != '\n' {
                if chars[j] == '\'' && j > i + 2 {
                    return Some(j + 1);
                }
                j += 1;
            }
            None
        }
        (Some(_), Some('\'')) => Some(i + 3),
        (Some(c), _) if c.is_alphanumeric() || *c == '_' => {
            // A lifetime or loop label: consume the identifier.
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            Some(j)
        }
        (Some(_), None) => None,
        // A lone quote followed by something else (e.g. `' '` handled above): treat as a char
        // literal that never closes.
        (Some(_), Some(_)) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incomplete(indent: &str) -> Completeness {
        Completeness::Incomplete { indent: indent.to_owned() }
    }

    #[test]
    fn balanced_code_is_complete() {
        assert_eq!(is_complete(""), Completeness::Complete);
        assert_eq!(is_complete("let x = vec![1, 2, 3];"), Completeness::Complete);
        assert_eq!(is_complete("fn f() { if true { 1 } else { 2 }; }"), Completeness::Complete);
        assert_eq!(is_complete("1 + 1"), Completeness::Complete);
    }

    #[test]
    fn open_brackets_are_incomplete_with_indent_per_level() {
        assert_eq!(is_complete("fn f() {"), incomplete("    "));
        assert_eq!(is_complete("fn f() {\n    let v = vec![(1,"), incomplete("            "));
        assert_eq!(is_complete("foo("), incomplete("    "));
    }

    #[test]
    fn unterminated_strings_chars_and_comments_are_incomplete() {
        assert_eq!(is_complete("let s = \"abc"), incomplete(""));
        assert_eq!(is_complete("let s = \"a\\\"b"), incomplete(""));
        assert_eq!(is_complete("let s = r#\"a \" b"), incomplete(""));
        assert_eq!(is_complete("let s = b\"abc"), incomplete(""));
        assert_eq!(is_complete("let c = '\\"), incomplete(""));
        assert_eq!(is_complete("/* start"), incomplete(""));
        assert_eq!(is_complete("fn f() { /* a /* nested */ still"), incomplete("    "));
    }

    #[test]
    fn brackets_inside_strings_comments_and_chars_do_not_count() {
        assert_eq!(is_complete("let s = \"(\";"), Completeness::Complete);
        assert_eq!(is_complete("let s = r#\"}\"#;"), Completeness::Complete);
        assert_eq!(is_complete("// {\nlet x = 1;"), Completeness::Complete);
        assert_eq!(is_complete("/* ( */ let x = 1;"), Completeness::Complete);
        assert_eq!(is_complete("let c = '{';"), Completeness::Complete);
        assert_eq!(is_complete("let c = b'[';"), Completeness::Complete);
        assert_eq!(is_complete("let c = '\\u{7B}';"), Completeness::Complete);
    }

    #[test]
    fn lifetimes_and_labels_are_not_char_literals() {
        assert_eq!(is_complete("fn f<'a>(x: &'a str) -> &'a str { x }"), Completeness::Complete);
        assert_eq!(is_complete("'outer: loop { break 'outer; }"), Completeness::Complete);
        assert_eq!(is_complete("fn f<'a>(x: &'a str) {"), incomplete("    "));
    }

    #[test]
    fn raw_identifiers_are_not_raw_strings() {
        assert_eq!(is_complete("let r#type = 1;"), Completeness::Complete);
    }

    #[test]
    fn unmatched_closers_are_invalid() {
        assert_eq!(is_complete(")"), Completeness::Invalid);
        assert_eq!(is_complete("let x = (1];"), Completeness::Invalid);
        assert_eq!(is_complete("fn f() { } }"), Completeness::Invalid);
    }

    #[test]
    fn evcxr_commands_are_complete() {
        assert_eq!(is_complete(":vars"), Completeness::Complete);
        assert_eq!(is_complete(":dep rand = { version = \"0.9\""), Completeness::Complete);
        assert_eq!(is_complete(":timing\nlet x = 1;"), Completeness::Complete);
        // A path starting with `::` is code, not a command.
        assert_eq!(is_complete("::std::mem::drop(("), incomplete("        "));
    }
}
