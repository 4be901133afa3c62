//! How a table column shows its numbers.
//!
//! Every function here is a pure function of the value, built on Rust's own float formatting
//! (which is exact and platform-independent), so tables are byte-identical across machines.

use super::Value;
use crate::time::Duration;

/// Number formatting for one column. Text and missing cells are never changed by it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Format {
    /// Integers as they are; floats with about four significant digits, switching to scientific
    /// notation for very large or very small magnitudes; durations in readable units.
    #[default]
    Auto,
    /// A fixed number of decimals: `Fixed(2)` shows `0.5` as `0.50`.
    Fixed(usize),
    /// A fraction as a percentage: `Percent(1)` shows `0.1234` as `12.3%`.
    Percent(usize),
    /// Scientific notation with this many decimals: `Scientific(2)` shows `12345` as `1.23e4`.
    Scientific(usize),
    /// A duration in readable units (`3ms`, `2.25s`). Plain numbers are taken as **seconds**.
    Duration,
    /// Thousands separators: `1234567` as `1,234,567` (floats keep two decimals).
    Thousands,
}

impl Format {
    /// Formats one cell for text and HTML output.
    pub fn apply(&self, value: &Value) -> String {
        match value {
            Value::Text(s) => s.clone(),
            Value::Missing => "—".to_string(),
            Value::Int(i) => self.int(*i),
            Value::Float(x) => self.float(*x),
            Value::Duration(d) => match self {
                Format::Auto | Format::Duration => d.to_string(),
                other => other.float(d.as_secs_f64()),
            },
        }
    }

    fn int(&self, i: i64) -> String {
        match self {
            Format::Auto => i.to_string(),
            Format::Thousands => group_thousands(&i.to_string()),
            other => other.float(i as f64),
        }
    }

    fn float(&self, x: f64) -> String {
        if !x.is_finite() {
            return non_finite(x);
        }
        match *self {
            Format::Auto => auto_float(x),
            Format::Fixed(d) => format!("{x:.d$}"),
            Format::Percent(d) => format!("{:.d$}%", x * 100.0),
            Format::Scientific(d) => format!("{x:.d$e}"),
            Format::Duration => match Duration::from_secs_f64("value", x.abs()) {
                Ok(d) if x < 0.0 => format!("-{d}"),
                Ok(d) => d.to_string(),
                Err(_) => format!("{x:e}s"),
            },
            Format::Thousands => {
                let text = format!("{x:.2}");
                let (int_part, frac) = text.split_once('.').unwrap_or((&text, "00"));
                format!("{}.{frac}", group_thousands(int_part))
            }
        }
    }
}

fn non_finite(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else if x > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

/// About four significant digits: `0.01234`, `1.234`, `123.4`, `12345`; scientific outside
/// `[1e-3, 1e9)`. Trailing zeros are dropped (`0.1`, not `0.1000`), so exact parameters read
/// as typed; use [`Format::Fixed`] to line a column up on its decimal point.
pub(crate) fn auto_float(x: f64) -> String {
    if !x.is_finite() {
        return non_finite(x);
    }
    let magnitude = x.abs();
    if magnitude == 0.0 {
        return "0".into();
    }
    if !(1e-3..1e9).contains(&magnitude) {
        let text = format!("{x:.3e}");
        let (mantissa, exponent) = text.split_once('e').expect("`e` format has an exponent");
        return format!("{}e{exponent}", trim_zeros(mantissa));
    }
    let digits_before_point = magnitude.log10().floor() as i32 + 1;
    let decimals = (4 - digits_before_point).clamp(0, 6) as usize;
    trim_zeros(&format!("{x:.decimals$}")).to_string()
}

/// `1.2500` -> `1.25`, `3.000` -> `3`; integers are left alone.
fn trim_zeros(text: &str) -> &str {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        text
    }
}

/// Inserts `,` every three digits of an integer written in decimal (with optional sign).
fn group_thousands(digits: &str) -> String {
    let (sign, digits) = digits.strip_prefix('-').map_or(("", digits), |d| ("-", d));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{sign}{out}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::millis;

    #[test]
    fn each_format_shows_numbers_as_documented() {
        assert_eq!(Format::Auto.apply(&Value::Float(1.23456)), "1.235");
        assert_eq!(Format::Auto.apply(&Value::Float(0.0123456)), "0.01235");
        assert_eq!(Format::Auto.apply(&Value::Float(12345.6)), "12346");
        assert_eq!(Format::Auto.apply(&Value::Float(2.5e-7)), "2.5e-7");
        assert_eq!(Format::Auto.apply(&Value::Float(0.1)), "0.1");
        assert_eq!(Format::Auto.apply(&Value::Float(1500.0)), "1500");
        assert_eq!(Format::Auto.apply(&Value::Float(-2.0)), "-2");
        assert_eq!(Format::Fixed(2).apply(&Value::Float(0.5)), "0.50");
        assert_eq!(Format::Percent(1).apply(&Value::Float(0.1234)), "12.3%");
        assert_eq!(Format::Scientific(2).apply(&Value::Int(12345)), "1.23e4");
        assert_eq!(Format::Duration.apply(&Value::Float(0.0125)), "12.5ms");
        assert_eq!(Format::Auto.apply(&Value::Duration(millis(3))), "3ms");
        assert_eq!(Format::Thousands.apply(&Value::Int(-1234567)), "-1,234,567");
        assert_eq!(Format::Thousands.apply(&Value::Int(123)), "123");
        assert_eq!(Format::Thousands.apply(&Value::Float(1234.5)), "1,234.50");
        assert_eq!(Format::Fixed(1).apply(&Value::Float(f64::NAN)), "NaN");
        assert_eq!(Format::Percent(0).apply(&Value::Text("n/a".into())), "n/a");
    }
}
