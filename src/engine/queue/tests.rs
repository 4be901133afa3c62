use super::*;
use rand::{Rng, SeedableRng};

#[test]
fn earlier_times_come_first() {
    let mut q = EventQueue::new();
    q.push(Time::from_nanos(30), "c");
    q.push(Time::from_nanos(10), "a");
    q.push(Time::from_nanos(20), "b");
    assert_eq!(q.peek_time(), Some(Time::from_nanos(10)));
    let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
    assert_eq!(order, ["a", "b", "c"]);
}

#[test]
fn equal_times_keep_scheduling_order() {
    let mut q = EventQueue::new();
    for i in 0..100 {
        q.push(Time::from_nanos(5), i);
        q.push(Time::from_nanos(1 + (i % 3) as u64 * 10), 1000 + i);
    }
    let mut fives = Vec::new();
    let mut last = Time::from_nanos(0);
    while let Some((t, e)) = q.pop() {
        assert!(t >= last);
        last = t;
        if t == Time::from_nanos(5) {
            fives.push(e);
        }
    }
    assert_eq!(fives, (0..100).collect::<Vec<_>>());
}

/// Pops interleaved with pushes into the future, compared with a sort by (time, seq). `spread`
/// draws how far ahead of `now` each push lands.
fn check_against_sorted_reference(seed: u64, steps: usize, spread: impl Fn(&mut rand_chacha::ChaCha8Rng) -> u64) {
    check_with_push_chance(seed, steps, 0.55, spread);
}

/// As above, pushing with probability `push_chance` at each step (below one half the queue keeps
/// emptying, which exercises the single-event path and its hand-over to the wheel and heap).
fn check_with_push_chance(
    seed: u64,
    steps: usize,
    push_chance: f64,
    spread: impl Fn(&mut rand_chacha::ChaCha8Rng) -> u64,
) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut q = EventQueue::new();
    let mut reference: Vec<(u64, u64)> = Vec::new(); // (time, seq) not yet popped
    let (mut now, mut seq) = (0u64, 0u64);
    for step in 0..steps {
        if rng.random_bool(push_chance) || reference.is_empty() {
            let t = now + if rng.random_bool(0.2) { 0 } else { spread(&mut rng) };
            q.push(Time::from_nanos(t), seq);
            reference.push((t, seq));
            seq += 1;
        } else {
            let limit = if step % 7 == 0 { now + rng.random_range(0..1000) } else { u64::MAX };
            reference.sort();
            let expect = reference.first().copied().filter(|&(t, _)| t <= limit);
            assert_eq!(q.peek_time().map(|t| t.as_nanos()), reference.first().map(|&(t, _)| t), "peek, step {step}");
            let got = q.pop_due(Time::from_nanos(limit)).map(|(t, e)| (t.as_nanos(), e));
            assert_eq!(got, expect, "step {step}");
            if let Some((t, _)) = got {
                reference.remove(0);
                now = t;
            } else if step % 3 == 0 {
                // The engine may move `now` up to a limit with nothing due, then schedule from there.
                now = now.max(limit.min(reference.first().map_or(limit, |&(t, _)| t)));
            }
        }
        assert_eq!(q.len(), reference.len());
    }
}

#[test]
fn matches_a_sorted_reference_for_times_of_every_scale() {
    check_against_sorted_reference(9, 20_000, |rng| {
        let bits: u32 = rng.random_range(1..40);
        rng.random_range(0..1u64 << bits)
    });
}

#[test]
fn matches_a_sorted_reference_around_the_slot_width_and_the_horizon() {
    let slot = 1u64 << wheel::SLOT_BITS;
    check_against_sorted_reference(10, 20_000, |rng| rng.random_range(0..4 * slot));
    // The horizon is 2^SLOTS_LOG2 slots: mix events just inside and just beyond it.
    check_against_sorted_reference(11, 20_000, |rng| {
        rng.random_range((slot << wheel::SLOTS_LOG2) - 8 * slot..(slot << wheel::SLOTS_LOG2) + 8 * slot)
    });
    check_against_sorted_reference(12, 20_000, |rng| rng.random_range(0..3 * (slot << wheel::SLOTS_LOG2)));
}

#[test]
fn far_events_move_into_the_wheel_before_later_near_ones_run() {
    let horizon = 1u64 << (wheel::SLOT_BITS + wheel::SLOTS_LOG2);
    let mut q = EventQueue::new();
    q.push(Time::from_nanos(horizon + 5), "far, pushed first");
    q.push(Time::from_nanos(10), "near");
    assert_eq!(q.pop(), Some((Time::from_nanos(10), "near")));
    // Now the far event is within the horizon; a later near event must still come after it.
    q.push(Time::from_nanos(horizon + 6), "pushed after, due after");
    q.push(Time::from_nanos(horizon + 5), "same time, pushed later");
    let rest: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
    assert_eq!(rest, ["far, pushed first", "same time, pushed later", "pushed after, due after"]);
}

#[test]
fn a_limit_before_a_far_event_leaves_room_to_schedule_earlier_ones() {
    let horizon = 1u64 << (wheel::SLOT_BITS + wheel::SLOTS_LOG2);
    let mut q = EventQueue::new();
    q.push(Time::from_nanos(10 * horizon), "far");
    assert_eq!(q.pop_due(Time::from_nanos(horizon)), None);
    q.push(Time::from_nanos(2 * horizon), "scheduled later, due sooner");
    assert_eq!(q.pop(), Some((Time::from_nanos(2 * horizon), "scheduled later, due sooner")));
    assert_eq!(q.pop(), Some((Time::from_nanos(10 * horizon), "far")));
}

#[test]
fn an_emptied_queue_is_empty() {
    let mut q = EventQueue::new();
    for round in 0..10u64 {
        q.push(Time::from_nanos(round * 1_000_000_007), round);
        assert_eq!(q.pop(), Some((Time::from_nanos(round * 1_000_000_007), round)));
    }
    assert_eq!(q.len(), 0);
    assert_eq!(q.pop(), None);
    assert_eq!(q.peek_time(), None);
}

#[test]
fn matches_a_sorted_reference_when_the_queue_keeps_emptying() {
    let horizon = 1u64 << (wheel::SLOT_BITS + wheel::SLOTS_LOG2);
    check_with_push_chance(13, 20_000, 0.4, |rng| rng.random_range(0..3 * horizon));
    check_with_push_chance(14, 20_000, 0.5, |rng| {
        let bits: u32 = rng.random_range(1..40);
        rng.random_range(0..1u64 << bits)
    });
}

#[test]
fn a_lone_event_beyond_the_limit_stays_and_later_pushes_order_around_it() {
    let mut q = EventQueue::new();
    q.push(Time::from_nanos(500), "lone");
    assert_eq!(q.len(), 1);
    assert_eq!(q.pop_due(Time::from_nanos(100)), None);
    assert_eq!(q.peek_time(), Some(Time::from_nanos(500)));
    q.push(Time::from_nanos(200), "earlier");
    q.push(Time::from_nanos(500), "same time, later");
    let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
    assert_eq!(order, ["earlier", "lone", "same time, later"]);
}
