//! Physical clocks: each node's idea of the time, which is never quite right.
//!
//! A quartz clock starts with some *offset* from true time and runs fast or slow by a *drift* rate,
//! measured in parts per million (1 ppm = 1 µs gained per second = 86 ms per day). Left alone, two
//! clocks drift apart without bound. Synchronisation (NTP-style) resets a clock to true time every so
//! often, but only to within some error (the network delay it cannot measure exactly).

use crate::error::Result;
use crate::rng::{stream, SimRng, Stream};
use crate::time::{Duration, Time};
use crate::validate;
use rand::{Rng, RngCore};
use serde::{Deserialize, Serialize};

/// One node's clock: `reading = true_now + offset + drift_ppm·10⁻⁶·(true_now − synced_at)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhysicalClock {
    /// Offset from true time at `synced_at`, in nanoseconds (negative = behind).
    pub offset: i64,
    /// Rate error in parts per million (positive = runs fast).
    pub drift_ppm: f64,
    /// The true time at which `offset` held (the last synchronisation; zero at start).
    pub synced_at: Time,
}

impl PhysicalClock {
    /// A clock with this offset (ns) and drift (ppm), set at time zero.
    pub fn new(offset: i64, drift_ppm: f64) -> Self {
        PhysicalClock { offset, drift_ppm, synced_at: Time::ZERO }
    }

    /// A perfect clock.
    pub fn perfect() -> Self {
        Self::new(0, 0.0)
    }

    /// The clock's reading at true time `true_now` (never before time zero).
    pub fn read(&self, true_now: Time) -> Time {
        let elapsed = true_now.as_nanos() as f64 - self.synced_at.as_nanos() as f64;
        let error = self.offset as f64 + self.drift_ppm * 1e-6 * elapsed;
        Time::from_nanos((true_now.as_nanos() as f64 + error).max(0.0).round() as u64)
    }

    /// The reading minus true time, in nanoseconds (positive = ahead).
    pub fn error_at(&self, true_now: Time) -> i64 {
        self.read(true_now).as_nanos() as i64 - true_now.as_nanos() as i64
    }
}

/// Periodic synchronisation: every `every`, each clock is reset to true time ± up to `error`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockSync {
    /// Time between synchronisations (> 0).
    pub every: Duration,
    /// Largest error left after a synchronisation (drawn uniformly in `[-error, +error]`).
    pub error: Duration,
}

/// How the simulation draws each node's clock.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClockConfig {
    /// Initial offsets are drawn uniformly in `[-max_offset, +max_offset]`.
    pub max_offset: Duration,
    /// Drift rates are drawn uniformly in `[-max_drift_ppm, +max_drift_ppm]`.
    pub max_drift_ppm: f64,
    /// Optional periodic synchronisation.
    pub sync: Option<ClockSync>,
}

impl Default for ClockConfig {
    /// Perfect clocks.
    fn default() -> Self {
        ClockConfig { max_offset: Duration::ZERO, max_drift_ppm: 0.0, sync: None }
    }
}

impl ClockConfig {
    /// Typical unsynchronised quartz: up to 10 ms offset and 50 ppm drift.
    pub fn quartz() -> Self {
        ClockConfig { max_offset: Duration::from_millis(10), max_drift_ppm: 50.0, sync: None }
    }
    /// Adds periodic synchronisation.
    pub fn with_sync(mut self, every: Duration, error: Duration) -> Self {
        self.sync = Some(ClockSync { every, error });
        self
    }
    /// Refuses drift outside `[0, 10⁶]` ppm, a zero sync period, and offsets beyond ±2⁶² ns.
    pub fn validate(&self) -> Result<()> {
        validate::in_range("clocks.max_drift_ppm", self.max_drift_ppm, 0.0, 1e6)?;
        if self.max_offset.as_nanos() > (1 << 62) {
            return Err(crate::Error::invalid("clocks.max_offset", self.max_offset, "a duration <= 2^62 ns"));
        }
        if let Some(s) = self.sync {
            if s.every.as_nanos() == 0 {
                return Err(crate::Error::invalid("clocks.sync.every", s.every, "a duration > 0"));
            }
            if s.error.as_nanos() > (1 << 62) {
                return Err(crate::Error::invalid("clocks.sync.error", s.error, "a duration <= 2^62 ns"));
            }
        }
        Ok(())
    }
}

/// Uniform in `[-max, +max]` nanoseconds.
fn symmetric(rng: &mut SimRng, max: Duration) -> i64 {
    if max.as_nanos() == 0 {
        0
    } else {
        rng.random_range(-(max.as_nanos() as i64)..=max.as_nanos() as i64)
    }
}

/// The clocks of a running simulation. Synchronisation is applied lazily when a clock is read:
/// the error after the `k`-th sync of node `i` is drawn at a fixed position of the `Clocks` stream
/// (ChaCha allows random access), so readings do not depend on when, or how often, nodes read.
#[derive(Clone, Debug)]
pub(crate) struct ClockState {
    pub(crate) clocks: Vec<PhysicalClock>,
    sync: Option<ClockSync>,
    base: SimRng,
}

impl ClockState {
    pub(crate) fn perfect(seed: u64, n: usize) -> Self {
        ClockState { clocks: vec![PhysicalClock::perfect(); n], sync: None, base: stream(seed, Stream::Clocks) }
    }

    /// Draws every node's clock; call with a validated config.
    pub(crate) fn draw(seed: u64, n: usize, cfg: &ClockConfig) -> Self {
        let mut rng = stream(seed, Stream::Clocks);
        let clocks = (0..n)
            .map(|_| {
                let offset = symmetric(&mut rng, cfg.max_offset);
                let drift = if cfg.max_drift_ppm > 0.0 {
                    rng.random_range(-cfg.max_drift_ppm..=cfg.max_drift_ppm)
                } else {
                    0.0
                };
                PhysicalClock::new(offset, drift)
            })
            .collect();
        ClockState { clocks, sync: cfg.sync, base: stream(seed, Stream::Clocks) }
    }

    /// Node `node`'s clock as it stands at true time `now` (after any synchronisation due).
    pub(crate) fn effective(&self, node: usize, now: Time) -> PhysicalClock {
        let c = self.clocks[node];
        let Some(sync) = self.sync else { return c };
        let k = now.as_nanos() / sync.every.as_nanos();
        let at = Time::from_nanos(k * sync.every.as_nanos());
        if k == 0 || at <= c.synced_at {
            return c;
        }
        let mut rng = self.base.clone();
        // Block 2^62 + (node << 32) + k: far past the draws made at start, one block per sync.
        let block: u128 = (1u128 << 62) + ((node as u128) << 32) + k as u128;
        rng.set_word_pos(block * 16);
        let _ = rng.next_u32(); // keep the draw independent of the block boundary alignment
        PhysicalClock { offset: symmetric(&mut rng, sync.error), drift_ppm: c.drift_ppm, synced_at: at }
    }

    pub(crate) fn read(&self, node: usize, now: Time) -> Time {
        self.effective(node, now).read(now)
    }
}
