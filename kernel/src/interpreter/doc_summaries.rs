//! Rust source cut down to what an analyzer's hover needs: each doc comment's first paragraph.
//!
//! rust-analyzer keeps the text of every file it loads, and every doc comment of the crates it
//! indexes as an attribute of its item, for as long as the kernel runs. In the standard library
//! those comments are almost 40% of the text: long explanations, examples and panic notes that a hover
//! in a notebook (Shift+Tab on `HashMap`) never needs beyond its first paragraph, the summary
//! rustdoc also shows in its item lists. [`keep_summaries`] keeps that paragraph of each doc
//! comment and drops the rest, and drops ordinary comments entirely; the code is left untouched.
//! The analyzer's copy of the library ([`super::analyzer_library`]) is written through it, which
//! took a student's kernel from 412 to 394 MiB (docs/class.md).
//!
//! Tokens come from `ra_ap_rustc_lexer`, the lexer rust-analyzer itself uses (already a
//! dependency of evcxr's analyzer), so a `//` inside a string or a `'/'` is never taken for a
//! comment.

use ra_ap_rustc_lexer::{tokenize, FrontmatterAllowed, TokenKind};

/// `source` with ordinary comments removed and each run of line doc comments (`///` or `//!`)
/// cut at its first blank line. Block doc comments (`/** */`), rare in the library, are kept
/// whole. A removed block comment leaves its line breaks, so items keep their line numbers.
pub fn keep_summaries(source: &str) -> String {
    let mut kept = String::with_capacity(source.len());
    let mut offset = 0;
    // The run of line doc comments being read: its style, whether its summary has begun, and
    // whether a blank line has ended it. Code ends a run, and so does a change of style (a
    // module's `//!` followed at once by an item's `///`).
    let mut run_style = None;
    let (mut in_summary, mut past_summary) = (false, false);
    for token in tokenize(source, FrontmatterAllowed::No) {
        let text = &source[offset..offset + token.len as usize];
        offset += token.len as usize;
        match token.kind {
            TokenKind::LineComment { doc_style: None } => {}
            TokenKind::BlockComment { doc_style: None, .. } => {
                kept.extend(std::iter::repeat_n('\n', text.matches('\n').count()));
            }
            TokenKind::LineComment { doc_style: Some(style) } => {
                if run_style != Some(style) {
                    (run_style, in_summary, past_summary) = (Some(style), false, false);
                }
                // `///` and `//!` are both three characters.
                let blank = text[3..].trim().is_empty();
                past_summary |= blank && in_summary;
                if !blank && !past_summary {
                    in_summary = true;
                    kept.push_str(text);
                }
            }
            TokenKind::Whitespace => kept.push_str(text),
            _ => {
                run_style = None;
                kept.push_str(text);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_doc_comment_keeps_its_first_paragraph() {
        let source = "//! The module.\n//!\n//! More about it.\n\n\
                      /// Adds one.\n/// Still the summary.\n///\n/// # Examples\n/// ```\n/// add_one(1);\n/// ```\n\
                      pub fn add_one(x: u32) -> u32 { x + 1 }\n\
                      /// Doubles.\npub fn double(x: u32) -> u32 { x * 2 }\n";
        let kept = keep_summaries(source);
        assert_eq!(
            kept,
            "//! The module.\n\n\n\n\
             /// Adds one.\n/// Still the summary.\n\n\n\n\n\n\
             pub fn add_one(x: u32) -> u32 { x + 1 }\n\
             /// Doubles.\npub fn double(x: u32) -> u32 { x * 2 }\n"
        );
    }

    #[test]
    fn ordinary_comments_go_and_code_that_looks_like_one_stays() {
        let source = "// why\nlet url = \"http://x\"; /* a /* nested */\ncomment */ let c = '/';\n\
                      let raw = r#\"// not a comment\"#; let lifetime: &'static str = \"/*\"; // end\n";
        assert_eq!(
            keep_summaries(source),
            "\nlet url = \"http://x\"; \n let c = '/';\n\
             let raw = r#\"// not a comment\"#; let lifetime: &'static str = \"/*\"; \n"
        );
    }

    #[test]
    fn blank_lines_before_the_summary_are_skipped_and_block_docs_stay_whole() {
        let source = "///\n/// After a blank first line.\n///\n/// Dropped.\nstruct A;\n/** Block docs stay.\n\n Whole. */\nstruct B;\n";
        assert_eq!(
            keep_summaries(source),
            "\n/// After a blank first line.\n\n\nstruct A;\n/** Block docs stay.\n\n Whole. */\nstruct B;\n"
        );
    }
}
