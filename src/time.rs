//! Virtual time.
//!
//! A simulation never reads the wall clock: its time is an integer count of nanosecond ticks, so
//! that the same seed gives the same schedule on every machine. [`Time`] is an instant on that
//! virtual timeline and [`Duration`] a span of it. Integer ticks (rather than `f64` seconds) make
//! equal times compare exactly equal, which the event queue's tie-break relies on.
//!
//! A `u64` of nanoseconds spans about 584 years, ample for a year-long data-center Monte Carlo.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Mul, Sub};

/// Nanosecond ticks per unit, for readability below.
const NANOS_PER_MICRO: u64 = 1_000;
const NANOS_PER_MILLI: u64 = 1_000_000;
const NANOS_PER_SEC: u64 = 1_000_000_000;

/// An instant of virtual time, in nanoseconds since the simulation started.
///
/// Write instants as `Time::ZERO + millis(5)`; `{:?}` and `{}` both print it in readable units
/// (`t=5ms`).
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Time(
    // Nanoseconds. Private, so that no caller can write `Time(150)` meaning 150 ms: instants are
    // built as `Time::ZERO + millis(150)` or `Time::from_nanos(..)`.
    u64,
);

/// A span of virtual time, in nanoseconds. Never negative, by construction.
///
/// Make one with [`millis`], [`micros`], [`secs`] or [`hours`] (or `Duration::from_*`). The count
/// inside is nanoseconds and is private, so that a compiler suggestion for `set_timer(150, …)`
/// cannot lead to `Duration(150)`, which would mean 150 ns. `{:?}` and `{}` both print it in
/// readable units (`150ms`).
///
/// ```compile_fail
/// // The nanosecond count is private: this does not compile.
/// let oops = distsim::time::Duration(150);
/// ```
///
/// ```
/// use distsim::time::{millis, Duration};
/// assert_eq!(millis(150), Duration::from_nanos(150_000_000));
/// assert_eq!(format!("{:?}", millis(150)), "150ms");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Duration(
    // Nanoseconds; private for the reason above.
    u64,
);

impl Time {
    /// The start of every simulation.
    pub const ZERO: Time = Time(0);
    /// The far future; `run_until(Time::MAX)` runs until nothing is left to do.
    pub const MAX: Time = Time(u64::MAX);

    /// The instant `n` nanoseconds after the start (for code that stores raw ticks, such as
    /// traces read back from JSON).
    pub const fn from_nanos(n: u64) -> Time {
        Time(n)
    }
    /// Nanoseconds since the start.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// Seconds since the start, as a float for plotting.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }
    /// Milliseconds since the start, as a float for plotting.
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_MILLI as f64
    }
    /// The time `d` after `self`, saturating at [`Time::MAX`] instead of wrapping around.
    pub fn saturating_add(self, d: Duration) -> Time {
        Time(self.0.saturating_add(d.0))
    }
    /// The span from `earlier` to `self`, or zero if `earlier` is later.
    pub fn since(self, earlier: Time) -> Duration {
        Duration(self.0.saturating_sub(earlier.0))
    }
    /// An instant given in seconds; refuses NaN, infinite and negative values.
    pub fn from_secs_f64(parameter: &str, secs: f64) -> Result<Time> {
        Duration::from_secs_f64(parameter, secs).map(|d| Time(d.0))
    }
}

impl Duration {
    /// No time at all.
    pub const ZERO: Duration = Duration(0);

    /// A span of `n` nanoseconds.
    pub const fn from_nanos(n: u64) -> Duration {
        Duration(n)
    }
    /// A span of `n` microseconds.
    pub const fn from_micros(n: u64) -> Duration {
        Duration(n * NANOS_PER_MICRO)
    }
    /// A span of `n` milliseconds.
    pub const fn from_millis(n: u64) -> Duration {
        Duration(n * NANOS_PER_MILLI)
    }
    /// A span of `n` seconds.
    pub const fn from_secs(n: u64) -> Duration {
        Duration(n * NANOS_PER_SEC)
    }
    /// A span of `n` hours.
    pub const fn from_hours(n: u64) -> Duration {
        Duration(n * 3600 * NANOS_PER_SEC)
    }
    /// A span given in (fractional) seconds. `parameter` names it in the error: a NaN, infinite
    /// or negative value is refused, never clamped.
    pub fn from_secs_f64(parameter: &str, secs: f64) -> Result<Duration> {
        let max = u64::MAX as f64 / NANOS_PER_SEC as f64;
        if secs.is_finite() && secs >= 0.0 && secs <= max {
            Ok(Duration((secs * NANOS_PER_SEC as f64).round() as u64))
        } else {
            Err(Error::invalid(parameter, secs, format!("a duration in seconds in [0, {max:.0}]")))
        }
    }
    /// A span given in (fractional) hours, validated like [`Duration::from_secs_f64`]: the one
    /// door through which long-horizon models (availability, a year of failures) take hours.
    pub fn from_hours_f64(parameter: &str, hours: f64) -> Result<Duration> {
        if !(hours.is_finite() && hours >= 0.0) {
            return Err(Error::invalid(parameter, hours, "a duration in hours >= 0"));
        }
        Duration::from_secs_f64(parameter, hours * 3600.0)
    }
    /// A span given in (fractional) milliseconds, validated like [`Duration::from_secs_f64`].
    pub fn from_millis_f64(parameter: &str, millis: f64) -> Result<Duration> {
        if !(millis.is_finite() && millis >= 0.0) {
            return Err(Error::invalid(parameter, millis, "a duration in milliseconds >= 0"));
        }
        Duration::from_secs_f64(parameter, millis / 1e3)
    }
    /// Nanoseconds in the span.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }
    /// The span in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_SEC as f64
    }
    /// The span in milliseconds.
    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_MILLI as f64
    }
    /// The span in hours, the unit of long-horizon models.
    pub fn as_hours_f64(self) -> f64 {
        self.0 as f64 / (3600 * NANOS_PER_SEC) as f64
    }
}

/// Shorthand for [`Duration::from_millis`], so cells read `millis(5)`.
pub const fn millis(n: u64) -> Duration {
    Duration::from_millis(n)
}
/// Shorthand for [`Duration::from_micros`].
pub const fn micros(n: u64) -> Duration {
    Duration::from_micros(n)
}
/// Shorthand for [`Duration::from_secs`].
pub const fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}
/// Shorthand for [`Duration::from_hours`], so long-horizon cells read `hours(6)`.
pub const fn hours(n: u64) -> Duration {
    Duration::from_hours(n)
}

impl Add<Duration> for Time {
    type Output = Time;
    fn add(self, d: Duration) -> Time {
        self.saturating_add(d)
    }
}
impl AddAssign<Duration> for Time {
    fn add_assign(&mut self, d: Duration) {
        *self = *self + d;
    }
}
impl Sub<Time> for Time {
    type Output = Duration;
    fn sub(self, earlier: Time) -> Duration {
        self.since(earlier)
    }
}
impl Add for Duration {
    type Output = Duration;
    fn add(self, o: Duration) -> Duration {
        Duration(self.0.saturating_add(o.0))
    }
}
impl Mul<u64> for Duration {
    type Output = Duration;
    fn mul(self, k: u64) -> Duration {
        Duration(self.0.saturating_mul(k))
    }
}

/// Picks the largest unit that keeps the number readable: `750ns`, `12.5µs`, `3ms`, `2.25s`.
fn fmt_nanos(n: u64, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let (value, unit) = match n {
        n if n < NANOS_PER_MICRO => return write!(f, "{n}ns"),
        n if n < NANOS_PER_MILLI => (n as f64 / NANOS_PER_MICRO as f64, "µs"),
        n if n < NANOS_PER_SEC => (n as f64 / NANOS_PER_MILLI as f64, "ms"),
        n => (n as f64 / NANOS_PER_SEC as f64, "s"),
    };
    // Trim trailing zeros so 3.000ms prints as 3ms.
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    write!(f, "{text}{unit}")
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_nanos(self.0, f)
    }
}
impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("t=")?;
        fmt_nanos(self.0, f)
    }
}

// Debug prints what Display prints: a `RunSummary { now: t=11.994ms, .. }` or a message holding a
// `Duration` reads in units, where the derived `Time(11993992)` read as a count of nanoseconds
// nobody could take in at a glance.
impl fmt::Debug for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
impl fmt::Debug for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_print_in_readable_units() {
        assert_eq!(Duration::from_nanos(750).to_string(), "750ns");
        assert_eq!(millis(3).to_string(), "3ms");
        assert_eq!(Duration::from_micros(12_500).to_string(), "12.5ms");
        assert_eq!(Time(2_250_000_000).to_string(), "t=2.25s");
    }

    #[test]
    fn debug_output_is_in_readable_units_too() {
        assert_eq!(format!("{:?}", Time(11_993_992)), "t=11.994ms");
        assert_eq!(format!("{:?}", secs(2)), "2s");
        assert_eq!(format!("{:?}", Duration::ZERO), "0ns");
        assert_eq!(format!("{:?}", Some(millis(150))), "Some(150ms)");
    }

    #[test]
    fn bad_seconds_are_refused_not_clamped() {
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            let err = Duration::from_secs_f64("timeout", bad).unwrap_err().to_string();
            assert!(err.contains("`timeout`"), "{err}");
        }
        assert_eq!(Duration::from_secs_f64("t", 0.5).unwrap(), millis(500));
    }

    #[test]
    fn time_arithmetic_saturates() {
        assert_eq!(Time::MAX + secs(1), Time::MAX);
        assert_eq!(Time(5) - Time(9), Duration::ZERO);
    }
}
