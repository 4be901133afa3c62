//! Parameters by name: what a generic sweep or slider needs to vary any knob of any experiment.
//!
//! A concept's configuration is an ordinary struct with public fields, so a notebook can write
//! `Config { capture: 0.5, ..Default::default() }`. The [`parameters!`](crate::parameters) macro
//! adds a second door to the same fields: a list of [`Param`]s (name, doc line, valid [`Range`]),
//! and `get`/`set` by name. The range is written once, beside the field's name, and serves the
//! config's own validation, the error a bad `set` returns, and the bounds of a slider.

use crate::error::{Error, Result};
use crate::time::Duration;
use std::fmt;

/// The valid values of one parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum Range {
    /// A probability, in `[0, 1]`.
    Probability,
    /// A finite real number in `[lo, hi]`.
    Real {
        /// Smallest valid value.
        lo: f64,
        /// Largest valid value.
        hi: f64,
    },
    /// A whole number in `[lo, hi]`.
    Count {
        /// Smallest valid value.
        lo: u64,
        /// Largest valid value.
        hi: u64,
    },
    /// A span of virtual time in `[lo, hi]`.
    Time {
        /// Shortest valid span.
        lo: Duration,
        /// Longest valid span.
        hi: Duration,
    },
    /// `true` or `false`.
    Flag,
    /// One of a fixed list of names (an enum field).
    Choice(&'static [&'static str]),
}

impl Range {
    /// A real number in `[lo, hi]`.
    pub const fn real(lo: f64, hi: f64) -> Range {
        Range::Real { lo, hi }
    }
    /// A whole number in `[lo, hi]`.
    pub const fn count(lo: u64, hi: u64) -> Range {
        Range::Count { lo, hi }
    }
    /// A span of time in `[lo, hi]`.
    pub const fn time(lo: Duration, hi: Duration) -> Range {
        Range::Time { lo, hi }
    }

    /// Checks `value` against this range; the error names `parameter` and the range in words.
    pub fn check(&self, parameter: &str, value: &ParamValue) -> Result<()> {
        let ok = match (self, value) {
            (Range::Probability, v) => v.as_f64().is_some_and(|x| x.is_finite() && (0.0..=1.0).contains(&x)),
            (Range::Real { lo, hi }, v) => v.as_f64().is_some_and(|x| x.is_finite() && x >= *lo && x <= *hi),
            (Range::Count { lo, hi }, v) => v.as_whole().is_some_and(|i| i >= 0 && (*lo..=*hi).contains(&(i as u64))),
            (Range::Time { lo, hi }, ParamValue::Time(d)) => (lo..=hi).contains(&d),
            (Range::Flag, ParamValue::Flag(_)) => true,
            (Range::Choice(names), ParamValue::Choice(c)) => names.contains(&c.as_str()),
            _ => false,
        };
        if ok {
            Ok(())
        } else {
            Err(Error::invalid(parameter, value, self.to_string()))
        }
    }
}

impl fmt::Display for Range {
    /// The range in words, as error messages and slider tooltips show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Range::Probability => write!(f, "a probability in [0, 1]"),
            Range::Real { lo, hi } => write!(f, "a number in [{lo}, {hi}]"),
            Range::Count { lo, hi } => write!(f, "an integer in [{lo}, {hi}]"),
            Range::Time { lo, hi } => write!(f, "a duration in [{lo}, {hi}], e.g. millis(5)"),
            Range::Flag => write!(f, "true or false"),
            Range::Choice(names) => write!(f, "one of {}", names.join(", ")),
        }
    }
}

/// One parameter of an experiment: its name, what it means, and its valid values.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// The field's name, as `get`, `set`, `sweep` and sliders take it (`"capture"`, `"link.loss"`).
    pub name: &'static str,
    /// One line on what it means.
    pub doc: &'static str,
    /// Its valid values.
    pub range: Range,
}

/// The value of a parameter, as it crosses the by-name door.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamValue {
    /// A real number (also accepted where a whole number is, if it has no fraction).
    Real(f64),
    /// A whole number.
    Int(i64),
    /// A span of virtual time.
    Time(Duration),
    /// A flag.
    Flag(bool),
    /// The name of an enum variant.
    Choice(String),
}

impl ParamValue {
    /// The value as a number, for plotting and range checks (a time in milliseconds).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            ParamValue::Real(x) => Some(*x),
            ParamValue::Int(i) => Some(*i as f64),
            ParamValue::Time(d) => Some(d.as_millis_f64()),
            ParamValue::Flag(b) => Some(f64::from(u8::from(*b))),
            ParamValue::Choice(_) => None,
        }
    }
}

impl ParamValue {
    /// The value as a whole number: an `Int`, or a `Real` without a fraction (3.0 from a float
    /// slider is the count 3; 2.5 is refused, never rounded).
    pub fn as_whole(&self) -> Option<i64> {
        match self {
            ParamValue::Int(i) => Some(*i),
            ParamValue::Real(x) if x.fract() == 0.0 && x.abs() < 9.0e15 => Some(*x as i64),
            _ => None,
        }
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Real(x) => write!(f, "{x}"),
            ParamValue::Int(i) => write!(f, "{i}"),
            ParamValue::Time(d) => write!(f, "{d}"),
            ParamValue::Flag(b) => write!(f, "{b}"),
            ParamValue::Choice(c) => write!(f, "{c}"),
        }
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for ParamValue {
            fn from(v: $t) -> Self {
                // Values past i64::MAX cannot be valid counts; they stay visible as reals in the error.
                i64::try_from(v).map_or(ParamValue::Real(v as f64), ParamValue::Int)
            }
        }
    )*};
}
from_int!(i32, i64, u32, u64, usize);

impl From<f64> for ParamValue {
    fn from(v: f64) -> Self {
        ParamValue::Real(v)
    }
}
impl From<Duration> for ParamValue {
    fn from(v: Duration) -> Self {
        ParamValue::Time(v)
    }
}
impl From<bool> for ParamValue {
    fn from(v: bool) -> Self {
        ParamValue::Flag(v)
    }
}
impl From<&str> for ParamValue {
    fn from(v: &str) -> Self {
        ParamValue::Choice(v.to_string())
    }
}
impl From<String> for ParamValue {
    fn from(v: String) -> Self {
        ParamValue::Choice(v)
    }
}

/// A field type that can sit behind a parameter name.
pub trait ParamField: Sized {
    /// The field's current value.
    fn to_param(&self) -> ParamValue;
    /// The field's new value, or an error naming `parameter` when `value` has the wrong kind.
    fn from_param(parameter: &str, value: ParamValue) -> Result<Self>;
}

fn wrong_kind(parameter: &str, value: &ParamValue, expected: &str) -> Error {
    Error::invalid(parameter, value, expected)
}

impl ParamField for f64 {
    fn to_param(&self) -> ParamValue {
        ParamValue::Real(*self)
    }
    fn from_param(parameter: &str, value: ParamValue) -> Result<Self> {
        match value {
            ParamValue::Real(x) => Ok(x),
            ParamValue::Int(i) => Ok(i as f64),
            other => Err(wrong_kind(parameter, &other, "a number")),
        }
    }
}

macro_rules! count_field {
    ($($t:ty),*) => {$(
        impl ParamField for $t {
            fn to_param(&self) -> ParamValue {
                ParamValue::from(*self)
            }
            fn from_param(parameter: &str, value: ParamValue) -> Result<Self> {
                value
                    .as_whole()
                    .and_then(|i| <$t>::try_from(i).ok())
                    .ok_or_else(|| wrong_kind(parameter, &value, concat!("a whole number that fits a ", stringify!($t))))
            }
        }
    )*};
}
count_field!(u32, u64, usize);

impl ParamField for Duration {
    fn to_param(&self) -> ParamValue {
        ParamValue::Time(*self)
    }
    fn from_param(parameter: &str, value: ParamValue) -> Result<Self> {
        match value {
            ParamValue::Time(d) => Ok(d),
            other => Err(wrong_kind(parameter, &other, "a duration, e.g. millis(5) or secs(2)")),
        }
    }
}

impl ParamField for bool {
    fn to_param(&self) -> ParamValue {
        ParamValue::Flag(*self)
    }
    fn from_param(parameter: &str, value: ParamValue) -> Result<Self> {
        match value {
            ParamValue::Flag(b) => Ok(b),
            other => Err(wrong_kind(parameter, &other, "true or false")),
        }
    }
}

/// Reads and writes an experiment's parameters by name. Write it with
/// [`parameters!`](crate::parameters) rather than by hand.
pub trait Parameters {
    /// Every parameter, in the order a table or a widget box shows them.
    fn params(&self) -> Vec<Param>;

    /// The current value of parameter `name`.
    fn get(&self, name: &str) -> Result<ParamValue>;

    /// Sets parameter `name` after checking `value` against its range.
    fn set(&mut self, name: &str, value: ParamValue) -> Result<()>;

    /// The parameter called `name`, or an error that lists the names there are.
    fn param(&self, name: &str) -> Result<Param> {
        let params = self.params();
        match params.iter().find(|p| p.name == name) {
            Some(p) => Ok(p.clone()),
            None => Err(unknown_parameter(name, &params)),
        }
    }

    /// Checks every parameter against its range: the first half of any `validate()`.
    fn check_ranges(&self) -> Result<()> {
        for p in self.params() {
            p.range.check(p.name, &self.get(p.name)?)?;
        }
        Ok(())
    }
}

/// The error for a name that is not a parameter: it lists the valid names.
pub fn unknown_parameter(name: &str, params: &[Param]) -> Error {
    let names: Vec<&str> = params.iter().map(|p| p.name).collect();
    Error::invalid("parameter name", format!("`{name}`"), format!("one of: {}", names.join(", ")))
}

/// Implements [`Parameters`] for a config struct from one line per field:
/// `name: range => "what it means"`. A nested field is named with dots (`link.loss`).
///
/// ```
/// use distsim::experiment::{Parameters, Range};
/// use distsim::prelude::*;
///
/// #[derive(Clone, Debug)]
/// struct Knobs { loss: f64, replicas: usize, timeout: Duration }
///
/// distsim::parameters!(Knobs {
///     loss: Range::Probability => "chance that a message is lost",
///     replicas: Range::count(1, 9) => "copies of each item",
///     timeout: Range::time(millis(1), secs(10)) => "how long a client waits",
/// });
///
/// let mut k = Knobs { loss: 0.1, replicas: 3, timeout: millis(100) };
/// k.set("replicas", 5.into())?;
/// assert_eq!(k.replicas, 5);
/// let err = k.set("loss", 1.5.into()).unwrap_err().to_string();
/// assert!(err.contains("`loss`") && err.contains("[0, 1]"), "{err}");
/// let err = k.set("los", 0.5.into()).unwrap_err().to_string();
/// assert!(err.contains("`los`") && err.contains("loss, replicas, timeout"), "{err}");
/// # Ok::<(), distsim::Error>(())
/// ```
#[macro_export]
macro_rules! parameters {
    ($ty:ty { $( $field:ident $(. $sub:ident)* : $range:expr => $doc:literal ),* $(,)? }) => {
        impl $crate::experiment::Parameters for $ty {
            fn params(&self) -> Vec<$crate::experiment::Param> {
                vec![$(
                    $crate::experiment::Param {
                        name: concat!(stringify!($field) $(, ".", stringify!($sub))*),
                        doc: $doc,
                        range: $range,
                    }
                ),*]
            }

            fn get(&self, name: &str) -> $crate::Result<$crate::experiment::ParamValue> {
                match name {
                    $( concat!(stringify!($field) $(, ".", stringify!($sub))*) =>
                        Ok($crate::experiment::ParamField::to_param(&self.$field $(. $sub)*)), )*
                    _ => Err($crate::experiment::unknown_parameter(name, &self.params())),
                }
            }

            fn set(&mut self, name: &str, value: $crate::experiment::ParamValue) -> $crate::Result<()> {
                match name {
                    $( concat!(stringify!($field) $(, ".", stringify!($sub))*) => {
                        let range: $crate::experiment::Range = $range;
                        range.check(name, &value)?;
                        self.$field $(. $sub)* = $crate::experiment::ParamField::from_param(name, value)?;
                        Ok(())
                    } )*
                    _ => Err($crate::experiment::unknown_parameter(name, &self.params())),
                }
            }
        }
    };
}

/// Gives a field-less enum a [`ParamField`] impl, so that a config's enum field can be a
/// [`Range::Choice`] parameter: `choice_param!(Design { Single => "single", Cached => "cached" })`.
#[macro_export]
macro_rules! choice_param {
    ($ty:ident { $( $variant:ident => $name:literal ),* $(,)? }) => {
        impl $ty {
            /// The names this enum takes as a parameter, in declaration order.
            pub const CHOICES: &'static [&'static str] = &[$($name),*];
        }
        impl $crate::experiment::ParamField for $ty {
            fn to_param(&self) -> $crate::experiment::ParamValue {
                $crate::experiment::ParamValue::Choice(match self { $( $ty::$variant => $name, )* }.to_string())
            }
            fn from_param(parameter: &str, value: $crate::experiment::ParamValue) -> $crate::Result<Self> {
                match &value {
                    $( $crate::experiment::ParamValue::Choice(c) if c == $name => Ok($ty::$variant), )*
                    _ => Err($crate::Error::invalid(parameter, &value, format!("one of {}", [$($name),*].join(", ")))),
                }
            }
        }
    };
}
