//! Tables: formatting, alignment, HTML escaping, CSV quoting, errors.

use distsim::prelude::*;
use distsim::time::millis;

fn sample() -> Table {
    let mut t = Table::new(["name", "loss", "count", "p99"]).title("Results & <notes>");
    t.row(vec!["alpha".into(), 0.125.into(), 1234567u64.into(), millis(12).into()]).unwrap();
    t.row(vec!["b, \"quoted\"".into(), 0.5.into(), 7u64.into(), Value::Missing]).unwrap();
    t
}

#[test]
fn wrong_row_length_names_row_and_expected_count() {
    let mut t = Table::new(["a", "b", "c"]);
    let err = t.row(vec![1i64.into()]).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("`row`") && text.contains("exactly 3 values"), "{text}");
    assert!(matches!(err, Error::InvalidParameter { .. }));
    assert!(t.is_empty(), "a refused row must not be kept");
    assert!(Table::new(["a"]).with_row(vec![1i64.into(), 2i64.into()]).is_err());
}

#[test]
fn unknown_column_in_format_is_an_error_listing_columns() {
    let err = Table::new(["loss"]).format("los", Format::Percent(1)).unwrap_err().to_string();
    assert!(err.contains("`column`") && err.contains("loss"), "{err}");
}

#[test]
fn text_aligns_columns_and_right_aligns_numbers() {
    let t = sample().format("count", Format::Thousands).unwrap().format("loss", Format::Percent(1)).unwrap();
    let text = t.to_text();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Results & <notes>");
    assert!(lines[1].starts_with("name"), "{text}");
    assert!(text.contains("1,234,567") && text.contains("12.5%") && text.contains("12ms"), "{text}");
    // Numbers are right-aligned: the short count ends where the long one ends.
    let end_of = |needle: &str| lines.iter().find_map(|l| l.find(needle).map(|i| i + needle.len())).unwrap();
    assert_eq!(end_of("1,234,567"), end_of(" 7 ") - 1, "{text}");
    // Missing cells show a dash.
    assert!(lines[4].trim_end().ends_with('—'), "{text}");
}

#[test]
fn html_is_a_table_with_escaped_content_and_numeric_class() {
    let html = sample().to_html();
    assert!(html.starts_with("<table class=\"distsim-table\">"), "{html}");
    assert!(html.contains("<caption>Results &amp; &lt;notes&gt;</caption>"), "{html}");
    assert!(html.contains("b, &quot;quoted&quot;"), "{html}");
    assert!(!html.contains("<notes>"));
    assert!(html.contains("<td class=\"num\" style=\"text-align:right\">7</td>"), "{html}");
    assert!(html.contains("<td style=\"text-align:left\">alpha</td>"), "{html}");
}

#[test]
fn csv_follows_rfc_4180() {
    let csv = sample().to_csv();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines[0], "name,loss,count,p99");
    assert_eq!(lines[1], "alpha,0.125,1234567,0.012");
    assert_eq!(lines[2], "\"b, \"\"quoted\"\"\",0.5,7,");
    assert_eq!(lines[3], "", "CSV ends with CRLF");
    let multi = Table::new(["x"]).with_row(vec!["line1\nline2".into()]).unwrap().to_csv();
    assert_eq!(multi, "x\r\n\"line1\nline2\"\r\n");
}

#[test]
fn csv_keeps_full_precision_whatever_the_display_format() {
    let t = Table::new(["p"]).with_row(vec![(1.0f64 / 3.0).into()]).unwrap().format("p", Format::Fixed(1)).unwrap();
    assert!(t.to_text().contains("0.3\n"));
    assert_eq!(t.to_csv(), format!("p\r\n{}\r\n", 1.0f64 / 3.0));
}

#[test]
fn save_csv_writes_the_file_and_reports_io_errors() {
    let dir = std::env::temp_dir().join(format!("distsim-render-table-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("t.csv");
    sample().save_csv(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), sample().to_csv());
    let err = sample().save_csv(dir.join("missing-dir").join("t.csv")).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("missing-dir"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bundle_has_plain_text_and_html_and_is_deterministic() {
    let b = sample().mime_bundle();
    assert_eq!(b.get("text/plain").unwrap(), sample().to_text());
    assert_eq!(b.get("text/html").unwrap(), sample().to_html());
    assert_eq!(b, sample().mime_bundle());
    let (_, printed) = distsim::render::capture(|| sample().evcxr_display());
    assert!(printed.starts_with("EVCXR_BEGIN_CONTENT text/html\n<table"), "{printed}");
    assert!(printed.contains("EVCXR_END_CONTENT\nEVCXR_BEGIN_CONTENT text/plain\nResults"), "{printed}");
    assert!(printed.ends_with("EVCXR_END_CONTENT\n"));
}

#[test]
fn empty_table_still_renders() {
    let t = Table::new(["a", "b"]);
    assert!(t.to_text().contains("(no rows)"));
    assert_eq!(t.to_csv(), "a,b\r\n");
}
