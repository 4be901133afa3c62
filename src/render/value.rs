//! One cell of a [`Table`](super::Table).

use crate::time::Duration;
use std::fmt;

/// A table cell. Numbers stay numbers (not pre-formatted strings), so a column's
/// [`Format`](super::Format) can be changed after the rows are in, and CSV keeps full precision.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A whole number: a count, an id.
    Int(i64),
    /// A real number: a rate, a mean.
    Float(f64),
    /// Free text: a name, a label.
    Text(String),
    /// A span of virtual time, shown in readable units (`12.5ms`).
    Duration(Duration),
    /// No value (shown as `—`, an empty CSV field).
    Missing,
}

impl Value {
    /// The value as a number, if it is one (durations count in seconds).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(x) => Some(*x),
            Value::Duration(d) => Some(d.as_secs_f64()),
            Value::Text(_) | Value::Missing => None,
        }
    }

    /// Whether the cell holds a number (numbers are right-aligned).
    pub fn is_numeric(&self) -> bool {
        self.as_f64().is_some()
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(v.into())
    }
}
impl From<u64> for Value {
    /// Values above `i64::MAX` (rare: digests) become floats rather than wrapping.
    fn from(v: u64) -> Self {
        i64::try_from(v).map_or(Value::Float(v as f64), Value::Int)
    }
}
impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::from(v as u64)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}
impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::Float(v.into())
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Text(if v { "yes" } else { "no" }.to_string())
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Duration> for Value {
    fn from(v: Duration) -> Self {
        Value::Duration(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Missing, Into::into)
    }
}

impl fmt::Display for Value {
    /// The cell as [`Format::Auto`](super::Format::Auto) shows it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&super::Format::Auto.apply(self))
    }
}
