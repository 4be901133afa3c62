//! Finite bandwidth: messages queue on a link and leave one after another.
//!
//! A directed link sends one message at a time. A message of `bytes` bytes occupies the link for
//! `bytes / bandwidth` seconds (its serialisation delay); a message sent while the link is busy
//! waits behind the ones before it (FIFO). Only then does its flight (latency) begin. When more
//! than `queue_limit` messages are waiting, the new one is dropped, as a router's full buffer does.

use crate::time::{Duration, Time};
use std::collections::VecDeque;

/// The departure times of messages still queued on (or being sent over) one link.
#[derive(Clone, Debug, Default)]
pub(crate) struct LinkQueue {
    departures: VecDeque<Time>,
}

impl LinkQueue {
    /// When a message of `bytes` bytes sent at `now` finishes leaving, or `None` if the queue is full.
    pub(crate) fn enqueue(&mut self, now: Time, bytes: u64, bytes_per_sec: f64, limit: Option<usize>) -> Option<Time> {
        // Forget messages that have already left the link.
        while self.departures.front().is_some_and(|&t| t <= now) {
            self.departures.pop_front();
        }
        if limit.is_some_and(|l| self.departures.len() >= l) {
            return None;
        }
        let start = self.departures.back().copied().unwrap_or(now).max(now);
        let serialise = Duration::from_nanos((bytes as f64 / bytes_per_sec * 1e9).round() as u64);
        let done = start + serialise;
        self.departures.push_back(done);
        Some(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::millis;

    #[test]
    fn back_to_back_messages_queue_fifo() {
        let mut q = LinkQueue::default();
        // 1000 bytes at 1 MB/s = 1 ms each.
        let t0 = Time::from_nanos(0);
        assert_eq!(q.enqueue(t0, 1000, 1e6, None), Some(t0 + millis(1)));
        assert_eq!(q.enqueue(t0, 1000, 1e6, None), Some(t0 + millis(2)));
        assert_eq!(q.enqueue(t0, 1000, 1e6, None), Some(t0 + millis(3)));
        // Once the link is idle again, a message leaves right away.
        let later = Time::from_nanos(0) + millis(10);
        assert_eq!(q.enqueue(later, 1000, 1e6, None), Some(later + millis(1)));
    }

    #[test]
    fn a_full_queue_refuses() {
        let mut q = LinkQueue::default();
        assert!(q.enqueue(Time::from_nanos(0), 1000, 1e6, Some(2)).is_some());
        assert!(q.enqueue(Time::from_nanos(0), 1000, 1e6, Some(2)).is_some());
        assert!(q.enqueue(Time::from_nanos(0), 1000, 1e6, Some(2)).is_none());
        // After the first has left there is room again.
        assert!(q.enqueue(Time::from_nanos(0) + millis(1), 1000, 1e6, Some(2)).is_some());
    }
}
