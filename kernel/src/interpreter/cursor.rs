//! Cursor positions and names under the cursor, for `complete` and `inspect`.
//!
//! Jupyter counts `cursor_pos` in Unicode code points; evcxr (and Rust strings) count bytes.

pub fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices().nth(chars).map(|(i, _)| i).unwrap_or(text.len())
}

pub fn byte_to_char(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].chars().count()
}

/// The expression (`a::b`, `x.method`) and the identifier around byte offset `at`.
pub fn name_at(code: &str, at: usize) -> Option<(String, String)> {
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    let is_path = |c: char| is_ident(c) || c == ':' || c == '.';
    let at = at.min(code.len());
    let end = at + code[at..].find(|c: char| !is_ident(c)).unwrap_or(code.len() - at);
    let start_after = |keep: &dyn Fn(char) -> bool| {
        code[..end].char_indices().rev().find(|(_, c)| !keep(*c)).map(|(i, c)| i + c.len_utf8()).unwrap_or(0)
    };
    let word_start = start_after(&is_ident);
    let expr_start = start_after(&is_path);
    let word = &code[word_start..end];
    if word.is_empty() {
        return None;
    }
    Some((code[expr_start..end].trim_start_matches(['.', ':']).to_owned(), word.to_owned()))
}

pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_convert_between_code_points_and_bytes() {
        let text = "let é = \"日本\";";
        assert_eq!(char_to_byte(text, 5), 6);
        assert_eq!(byte_to_char(text, 6), 5);
        assert_eq!(char_to_byte(text, 100), text.len());
        for chars in 0..text.chars().count() {
            assert_eq!(byte_to_char(text, char_to_byte(text, chars)), chars);
        }
    }

    #[test]
    pub fn name_at_finds_the_identifier_and_its_path() {
        assert_eq!(name_at("let t = Table::new(x)", 16), Some(("Table::new".into(), "new".into())));
        assert_eq!(name_at("sim.run_until(t)", 2), Some(("sim".into(), "sim".into())));
        assert_eq!(name_at("sim.run_until(t)", 6), Some(("sim.run_until".into(), "run_until".into())));
        assert_eq!(name_at("(  )", 2), None);
        assert_eq!(name_at("ü=x", 3), Some(("x".into(), "x".into())));
        assert_eq!(name_at("«t»", 2), Some(("t".into(), "t".into())));
    }
}
