//! Tables: the plainest way to show results, and the one every tool can read.
//!
//! A [`Table`] keeps its cells as [`Value`]s and formats them only when rendered, so the same
//! table gives aligned text for a terminal or grader log, an HTML `<table>` for a notebook, and
//! CSV (full precision, RFC 4180 quoting) for a spreadsheet.
//!
//! ```
//! use distsim::prelude::*;
//! let mut t = Table::new(["loss", "delivered"]).title("Delivery").format("loss", Format::Percent(0))?;
//! t.row(vec![0.1.into(), 900u64.into()])?;
//! assert!(t.to_text().contains("10%"));
//! assert!(t.row(vec![0.2.into()]).is_err()); // 1 value for 2 columns
//! # Ok::<(), distsim::Error>(())
//! ```

use super::{escape_html, Format, MimeBundle, Render, Value};
use crate::error::{Error, Result};

/// Columns, rows of [`Value`]s, a number format per column and an optional title.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Table {
    title: Option<String>,
    columns: Vec<String>,
    formats: Vec<Format>,
    rows: Vec<Vec<Value>>,
}

impl Table {
    /// An empty table with these column names.
    pub fn new(columns: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let columns: Vec<String> = columns.into_iter().map(Into::into).collect();
        let formats = vec![Format::Auto; columns.len()];
        Table { title: None, columns, formats, rows: Vec::new() }
    }

    /// Sets the title (a caption above the table).
    #[must_use]
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Appends a row; it must have exactly one value per column.
    pub fn row(&mut self, values: Vec<Value>) -> Result<()> {
        if values.len() != self.columns.len() {
            return Err(Error::invalid(
                "row",
                format!("{} values", values.len()),
                format!("exactly {} values, one per column ({})", self.columns.len(), self.columns.join(", ")),
            ));
        }
        self.rows.push(values);
        Ok(())
    }

    /// [`Table::row`] in builder style.
    pub fn with_row(mut self, values: Vec<Value>) -> Result<Self> {
        self.row(values)?;
        Ok(self)
    }

    /// Sets how the column named `column` shows its numbers.
    pub fn format(mut self, column: &str, format: Format) -> Result<Self> {
        let index = self.column_index(column)?;
        self.formats[index] = format;
        Ok(self)
    }

    /// The index of a column by name; an unknown name is an error listing the columns.
    pub fn column_index(&self, column: &str) -> Result<usize> {
        self.columns.iter().position(|c| c == column).ok_or_else(|| {
            Error::invalid("column", format!("{column:?}"), format!("one of: {}", self.columns.join(", ")))
        })
    }

    /// The column names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }
    /// The rows, as entered.
    pub fn rows(&self) -> &[Vec<Value>] {
        &self.rows
    }
    /// One column's cells, top to bottom.
    pub fn column(&self, column: &str) -> Result<Vec<Value>> {
        let i = self.column_index(column)?;
        Ok(self.rows.iter().map(|r| r[i].clone()).collect())
    }
    /// The title, if set.
    pub fn title_text(&self) -> Option<&str> {
        self.title.as_deref()
    }
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn formatted(&self) -> Vec<Vec<String>> {
        self.rows.iter().map(|row| row.iter().zip(&self.formats).map(|(v, f)| f.apply(v)).collect()).collect()
    }

    /// A column is right-aligned when every present cell in it is a number.
    fn numeric_columns(&self) -> Vec<bool> {
        (0..self.columns.len())
            .map(|c| {
                let mut present = self.rows.iter().map(|r| &r[c]).filter(|v| **v != Value::Missing).peekable();
                present.peek().is_some() && present.all(Value::is_numeric)
            })
            .collect()
    }

    /// Aligned plain text: title, header, a rule, then rows; numbers right-aligned.
    pub fn to_text(&self) -> String {
        let cells = self.formatted();
        let numeric = self.numeric_columns();
        let width = |s: &str| s.chars().count();
        let widths: Vec<usize> = (0..self.columns.len())
            .map(|c| cells.iter().map(|r| width(&r[c])).chain([width(&self.columns[c])]).max().unwrap_or(0))
            .collect();
        let line = |texts: &[String]| {
            let parts: Vec<String> = texts
                .iter()
                .enumerate()
                .map(|(c, t)| {
                    let pad = " ".repeat(widths[c] - width(t));
                    if numeric[c] {
                        format!("{pad}{t}")
                    } else {
                        format!("{t}{pad}")
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_string()
        };
        let mut out = String::new();
        if let Some(title) = &self.title {
            out.push_str(title);
            out.push('\n');
        }
        out.push_str(&line(&self.columns));
        out.push('\n');
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        out.push_str(&rule.join("  "));
        out.push('\n');
        for row in &cells {
            out.push_str(&line(row));
            out.push('\n');
        }
        if self.rows.is_empty() {
            out.push_str("(no rows)\n");
        }
        out
    }

    /// An HTML `<table class="distsim-table">`: escaped content, numbers right-aligned (a
    /// `num` class plus an inline style, so it looks right even where no stylesheet is loaded).
    pub fn to_html(&self) -> String {
        let cells = self.formatted();
        let numeric = self.numeric_columns();
        let align = |c: usize| {
            if numeric[c] {
                " class=\"num\" style=\"text-align:right\""
            } else {
                " style=\"text-align:left\""
            }
        };
        let mut out = String::from("<table class=\"distsim-table\">\n");
        if let Some(title) = &self.title {
            out.push_str(&format!("<caption>{}</caption>\n", escape_html(title)));
        }
        out.push_str("<thead><tr>");
        for (c, name) in self.columns.iter().enumerate() {
            out.push_str(&format!("<th{}>{}</th>", align(c), escape_html(name)));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in &cells {
            out.push_str("<tr>");
            for (c, text) in row.iter().enumerate() {
                out.push_str(&format!("<td{}>{}</td>", align(c), escape_html(text)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>");
        out
    }

    /// CSV per RFC 4180: a header line, CRLF line ends, fields quoted when they contain a comma,
    /// quote, CR or LF (quotes doubled). Numbers are written at full precision, not in the column
    /// format, so nothing is lost; missing values are empty fields. The title is not included.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        let mut push_line = |fields: Vec<String>| {
            let quoted: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
            out.push_str(&quoted.join(","));
            out.push_str("\r\n");
        };
        push_line(self.columns.clone());
        for row in &self.rows {
            push_line(row.iter().map(csv_value).collect());
        }
        out
    }

    /// Writes [`Table::to_csv`] to `path`.
    pub fn save_csv(&self, path: impl AsRef<std::path::Path>) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_csv())
            .map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })
    }
}

fn csv_value(value: &Value) -> String {
    match value {
        Value::Int(i) => i.to_string(),
        // `{}` on f64 is the shortest text that parses back to the same number.
        Value::Float(x) => x.to_string(),
        Value::Text(s) => s.clone(),
        Value::Duration(d) => d.as_secs_f64().to_string(),
        Value::Missing => String::new(),
    }
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

impl Render for Table {
    fn mime_bundle(&self) -> MimeBundle {
        MimeBundle::text(self.to_text()).with("text/html", self.to_html())
    }
}

impl std::fmt::Display for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_text())
    }
}
