//! The kernel's memory of executed cells, for `history_request`.
//!
//! Kept in memory, per kernel process. A restart in place starts a new session number, so
//! `range` requests can still reach the cells of the previous session with a negative `session`.

use super::content::{HistAccess, HistoryEntry, HistoryRequest};

/// How many entries a `tail` request returns when it does not say.
const DEFAULT_TAIL: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Record {
    session: u32,
    line: u32,
    input: String,
    output: Option<String>,
}

/// Every stored cell, oldest first.
#[derive(Clone, Debug)]
pub struct HistoryStore {
    session: u32,
    records: Vec<Record>,
}

impl Default for HistoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl HistoryStore {
    pub fn new() -> Self {
        Self { session: 1, records: Vec::new() }
    }

    /// The current session number (1 for a fresh kernel).
    pub fn session(&self) -> u32 {
        self.session
    }

    /// Starts a new session (after a restart); line numbers start again at 1.
    pub fn new_session(&mut self) {
        self.session += 1;
    }

    /// Stores cell `line` of the current session with its text/plain result, if any.
    pub fn record(&mut self, line: u32, input: &str, output: Option<String>) {
        self.records.push(Record { session: self.session, line, input: input.to_owned(), output });
    }

    /// Answers a history request.
    pub fn query(&self, request: &HistoryRequest) -> Vec<HistoryEntry> {
        let selected: Vec<&Record> = match request.hist_access_type {
            HistAccess::Tail => last_n(self.records.iter().collect(), request.n.unwrap_or(DEFAULT_TAIL)),
            HistAccess::Range => self.range(request),
            HistAccess::Search => self.search(request),
        };
        selected.into_iter().map(|r| entry(r, request.output)).collect()
    }

    fn range(&self, request: &HistoryRequest) -> Vec<&Record> {
        // Positive sessions are absolute; 0 and negatives count back from the current one.
        let session = if request.session > 0 { request.session } else { i64::from(self.session) + request.session };
        self.records
            .iter()
            .filter(|r| i64::from(r.session) == session)
            .filter(|r| i64::from(r.line) >= request.start)
            .filter(|r| request.stop <= 0 || i64::from(r.line) < request.stop)
            .collect()
    }

    fn search(&self, request: &HistoryRequest) -> Vec<&Record> {
        let pattern: Vec<char> = request.pattern.chars().collect();
        let mut hits: Vec<&Record> =
            self.records.iter().filter(|r| glob_matches(&pattern, &r.input.chars().collect::<Vec<_>>())).collect();
        if request.unique {
            // Keep the most recent occurrence of each input.
            let mut seen = std::collections::BTreeSet::new();
            let mut newest_first: Vec<&Record> = hits.into_iter().rev().filter(|r| seen.insert(&r.input)).collect();
            newest_first.reverse();
            hits = newest_first;
        }
        match request.n {
            Some(n) => last_n(hits, n),
            None => hits,
        }
    }
}

fn last_n(records: Vec<&Record>, n: usize) -> Vec<&Record> {
    let skip = records.len().saturating_sub(n);
    records.into_iter().skip(skip).collect()
}

fn entry(record: &Record, with_output: bool) -> HistoryEntry {
    if with_output {
        HistoryEntry::WithOutput(record.session, record.line, (record.input.clone(), record.output.clone()))
    } else {
        HistoryEntry::Input(record.session, record.line, record.input.clone())
    }
}

/// Whole-string glob match: `*` is any run of characters, `?` exactly one (as IPython's search).
pub fn glob_matches(pattern: &[char], text: &[char]) -> bool {
    // Iterative matcher with one backtrack point: linear in practice, no recursion.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}
