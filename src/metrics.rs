//! Counters and latency histograms.
//!
//! A run keeps one [`Metrics`]: the engine counts what the network did (`"sent"`, `"delivered"`,
//! `"dropped"`, `"duplicated"`, `"timers"`) and records every message's delivery latency into the
//! histogram `"delivery_latency"`; node code adds its own counters and histograms through
//! `ctx.metrics()`. Histograms are [`hdrhistogram`] underneath: it keeps a fixed number of
//! significant digits (we keep 2: values to within 1%) over any range in fixed memory, so a p99.9
//! over ten million samples costs the same as over ten.
//!
//! The engine's own counters are plain struct fields rather than map entries, because they are
//! bumped on every message; [`Metrics::counter`] looks them up by name like any other counter.

mod tally;

pub(crate) use tally::LatencyTally;

use crate::error::{Error, Result};
use crate::time::Duration;
use hdrhistogram::Histogram;
use std::collections::BTreeMap;

/// Precision of every histogram: values are kept to within 1% (2 significant digits). Three
/// digits would cost 8 times the memory, and the counts array would no longer fit in the cache
/// that the engine's hot loop needs: recording a latency per message must stay cheap.
pub const SIGNIFICANT_DIGITS: u8 = 2;

/// A latency distribution: count, mean and quantiles, to within 1%.
#[derive(Clone, Debug)]
pub struct LatencyHistogram {
    inner: Histogram<u64>,
}

impl Default for LatencyHistogram {
    fn default() -> Self {
        Self::new()
    }
}

impl LatencyHistogram {
    /// An empty histogram that grows to cover whatever it records.
    pub fn new() -> Self {
        LatencyHistogram { inner: Histogram::new(SIGNIFICANT_DIGITS).expect("a valid precision") }
    }

    /// Adds one sample.
    #[inline]
    pub fn record(&mut self, d: Duration) {
        // Auto-resizing covers any u64 on a 64-bit target; saturate if it ever cannot grow.
        if self.inner.record(d.as_nanos()).is_err() {
            self.inner.saturating_record(d.as_nanos());
        }
    }

    /// Adds `count` samples of value `value` (a bin's lowest value, from a [`LatencyTally`]).
    fn record_n(&mut self, value: u64, count: u64) {
        if self.inner.record_n(value, count).is_err() {
            self.inner.saturating_record_n(value, count);
        }
    }

    /// How many samples were recorded.
    pub fn count(&self) -> u64 {
        self.inner.len()
    }

    /// The mean sample (zero when empty).
    pub fn mean(&self) -> Duration {
        Duration::from_nanos(self.inner.mean().round() as u64)
    }

    /// The `q`-quantile, for `q` in `[0, 1]` (zero when empty).
    pub fn quantile(&self, q: f64) -> Result<Duration> {
        if !(q.is_finite() && (0.0..=1.0).contains(&q)) {
            return Err(Error::invalid("quantile", q, "a number in [0, 1]"));
        }
        Ok(Duration::from_nanos(self.inner.value_at_quantile(q)))
    }

    fn at(&self, q: f64) -> Duration {
        Duration::from_nanos(self.inner.value_at_quantile(q))
    }
    /// The median.
    pub fn p50(&self) -> Duration {
        self.at(0.5)
    }
    /// The 90th percentile.
    pub fn p90(&self) -> Duration {
        self.at(0.9)
    }
    /// The 99th percentile.
    pub fn p99(&self) -> Duration {
        self.at(0.99)
    }
    /// The 99.9th percentile.
    pub fn p999(&self) -> Duration {
        self.at(0.999)
    }
    /// The largest sample (to within 1%).
    pub fn max(&self) -> Duration {
        Duration::from_nanos(self.inner.max())
    }
    /// The smallest sample (to within 1%).
    pub fn min(&self) -> Duration {
        Duration::from_nanos(self.inner.min())
    }
    /// Adds every sample of `other`.
    pub fn merge(&mut self, other: &LatencyHistogram) {
        // Both auto-resize, so adding cannot run out of range.
        let _ = self.inner.add(&other.inner);
    }
}

/// The engine's counters, bumped on every event, kept as plain fields for speed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EngineCounters {
    /// Messages handed to the network (duplicates not included).
    pub sent: u64,
    /// Messages whose receiver's handler ran.
    pub delivered: u64,
    /// Messages lost for any reason.
    pub dropped: u64,
    /// Extra copies the network made.
    pub duplicated: u64,
    /// Timers that fired.
    pub timers: u64,
    /// Crashes that took effect.
    pub crashes: u64,
}

/// The engine counter names, in the order [`Metrics::counters`] lists them.
pub const ENGINE_COUNTERS: [&str; 6] = ["sent", "delivered", "dropped", "duplicated", "timers", "crashes"];

/// Named counters and latency histograms of a run.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// The engine's own counters (also readable by name through [`Metrics::counter`]).
    pub engine: EngineCounters,
    /// Every message's delivery latency (the histogram named `"delivery_latency"`).
    pub delivery_latency: LatencyHistogram,
    counters: BTreeMap<String, u64>,
    histograms: BTreeMap<String, LatencyHistogram>,
}

impl Metrics {
    /// No counters, empty histograms.
    pub fn new() -> Self {
        Self::default()
    }

    fn engine_slot(&mut self, name: &str) -> Option<&mut u64> {
        let e = &mut self.engine;
        Some(match name {
            "sent" => &mut e.sent,
            "delivered" => &mut e.delivered,
            "dropped" => &mut e.dropped,
            "duplicated" => &mut e.duplicated,
            "timers" => &mut e.timers,
            "crashes" => &mut e.crashes,
            _ => return None,
        })
    }

    /// Adds one to counter `name`.
    pub fn incr(&mut self, name: &str) {
        self.add(name, 1);
    }

    /// Adds `n` to counter `name`.
    pub fn add(&mut self, name: &str, n: u64) {
        if let Some(slot) = self.engine_slot(name) {
            *slot += n;
        } else if let Some(c) = self.counters.get_mut(name) {
            *c += n;
        } else {
            self.counters.insert(name.to_string(), n);
        }
    }

    /// The value of counter `name` (zero if never touched).
    pub fn counter(&self, name: &str) -> u64 {
        let e = &self.engine;
        match name {
            "sent" => e.sent,
            "delivered" => e.delivered,
            "dropped" => e.dropped,
            "duplicated" => e.duplicated,
            "timers" => e.timers,
            "crashes" => e.crashes,
            _ => self.counters.get(name).copied().unwrap_or(0),
        }
    }

    /// Every counter, engine counters first, then user counters in name order.
    pub fn counters(&self) -> Vec<(String, u64)> {
        let engine = ENGINE_COUNTERS.iter().map(|n| (n.to_string(), self.counter(n)));
        engine.chain(self.counters.iter().map(|(k, v)| (k.clone(), *v))).collect()
    }

    /// Adds one sample to histogram `name` (created on first use).
    pub fn record(&mut self, name: &str, d: Duration) {
        if name == "delivery_latency" {
            self.delivery_latency.record(d);
        } else if let Some(h) = self.histograms.get_mut(name) {
            h.record(d);
        } else {
            let mut h = LatencyHistogram::new();
            h.record(d);
            self.histograms.insert(name.to_string(), h);
        }
    }

    /// Histogram `name`, if anything was recorded into it (`"delivery_latency"` always exists).
    pub fn histogram(&self, name: &str) -> Option<&LatencyHistogram> {
        if name == "delivery_latency" {
            Some(&self.delivery_latency)
        } else {
            self.histograms.get(name)
        }
    }

    /// The names of every histogram, `"delivery_latency"` first.
    pub fn histogram_names(&self) -> Vec<String> {
        std::iter::once("delivery_latency".to_string()).chain(self.histograms.keys().cloned()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{micros, millis};

    #[test]
    fn quantiles_of_a_uniform_ramp() {
        let mut h = LatencyHistogram::new();
        for i in 1..=1000 {
            h.record(micros(i));
        }
        assert_eq!(h.count(), 1000);
        let close = |d: Duration, us: f64| (d.as_nanos() as f64 / 1e3 - us).abs() / us < 0.01;
        assert!(close(h.p50(), 500.0), "{}", h.p50());
        assert!(close(h.p90(), 900.0));
        assert!(close(h.p99(), 990.0));
        assert!(close(h.p999(), 999.0));
        assert!(close(h.max(), 1000.0));
        assert!(close(h.mean(), 500.5));
        assert!(h.quantile(1.5).unwrap_err().to_string().contains("`quantile`"));
        assert!(h.quantile(f64::NAN).is_err());
    }

    #[test]
    fn engine_and_user_counters_share_one_namespace() {
        let mut m = Metrics::new();
        m.engine.sent = 3;
        m.incr("sent");
        m.add("retries", 2);
        m.incr("retries");
        assert_eq!(m.counter("sent"), 4);
        assert_eq!(m.counter("retries"), 3);
        assert_eq!(m.counter("never"), 0);
        m.record("rpc", millis(2));
        assert_eq!(m.histogram("rpc").unwrap().count(), 1);
        assert!(m.histogram("none").is_none());
        assert_eq!(m.histogram("delivery_latency").unwrap().count(), 0);
        assert_eq!(m.counters()[0], ("sent".to_string(), 4));
    }
}

impl Metrics {
    /// Every counter, then one row per histogram with its count, mean and quantiles.
    pub fn to_table(&self) -> crate::render::Table {
        use crate::render::{Table, Value};
        let columns = ["metric", "count", "mean", "p50", "p90", "p99", "p99.9", "max"];
        let mut table = Table::new(columns).title("metrics");
        for (name, value) in self.counters() {
            let mut row = vec![Value::Text(name), Value::from(value)];
            row.extend((0..6).map(|_| Value::Missing));
            table.row(row).expect("eight values for eight columns");
        }
        for name in self.histogram_names() {
            let h = self.histogram(&name).expect("listed histograms exist");
            let d = Value::Duration;
            let row = vec![
                Value::Text(name),
                Value::from(h.count()),
                d(h.mean()),
                d(h.p50()),
                d(h.p90()),
                d(h.p99()),
                d(h.p999()),
                d(h.max()),
            ];
            table.row(row).expect("eight values for eight columns");
        }
        table
    }
}

impl crate::render::Render for Metrics {
    fn mime_bundle(&self) -> crate::render::MimeBundle {
        self.to_table().mime_bundle()
    }
}
crate::impl_evcxr_display!(Metrics);
