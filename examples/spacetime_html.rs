//! Writes interactive space-time diagrams as HTML pages, for the browser test
//! (`tests/browser/spacetime.js`, driven by `tests/python/test_spacetime_browser.py`) and for a
//! look by hand: `cargo run --example spacetime_html -- /tmp/diagrams`.
//!
//! * `small.html`: a hand-made run with a partition, a crash and a pause, shown twice, plus a
//!   second diagram: three diagrams on one page;
//! * `large.html`: 10,000 events of a gossip protocol on the engine (loss, a partition, a crash,
//!   a pause);
//! * `huge.html`: 100,000 events of the same protocol, which the view aggregates.
//!
//! Prints one JSON line: each page's path and size in bytes.

use distsim::prelude::*;
use std::path::PathBuf;

/// Gossip: every node, on its timer, tells a random peer a counter; the peer answers.
#[derive(Debug)]
struct Gossip {
    heard: u64,
}

#[derive(Clone, Debug)]
enum Msg {
    Rumour { n: u64 },
    Ack { n: u64 },
}

impl Node for Gossip {
    type Msg = Msg;
    type Timer = ();
    fn on_start(&mut self, ctx: &mut Context<Msg>) {
        let first = millis(1 + ctx.id() as u64);
        ctx.set_timer(first, ());
    }
    fn on_message(&mut self, ctx: &mut Context<Msg>, from: NodeId, msg: Msg) {
        match msg {
            Msg::Rumour { n } => {
                self.heard = self.heard.max(n);
                ctx.send(from, Msg::Ack { n });
            }
            Msg::Ack { n } => self.heard = self.heard.max(n),
        }
    }
    fn on_timer(&mut self, ctx: &mut Context<Msg>, _timer: ()) {
        self.heard += 1;
        let peer = ctx.random_peer();
        ctx.send(peer, Msg::Rumour { n: self.heard });
        ctx.set_timer(millis(5), ());
    }
}

/// The first `events` events of a five-node gossip run with loss, a partition, a crash and a pause.
fn gossip(events: usize) -> Result<Trace> {
    let nodes = (0..5).map(|_| Gossip { heard: 0 }).collect();
    let mut sim = Simulation::new(11, nodes)?.with_network(Network::new().loss(0.02))?;
    let span = Time::from_nanos((events as u64 / 2) * 1_000_000);
    let at = |share: f64| Time::from_nanos((span.as_nanos() as f64 * share) as u64);
    sim.schedule(at(0.2), Fault::Partition(Partition::isolate(vec![0, 1], 5)))?;
    sim.schedule(at(0.3), Fault::Heal)?;
    sim.schedule(at(0.5), Fault::Crash(3))?;
    sim.schedule(at(0.6), Fault::Recover(3))?;
    sim.schedule(at(0.7), Fault::Pause { node: 2, for_: millis(40) })?;
    sim.run_until(Time::from_nanos(span.as_nanos() * 2))?;
    let mut trace = sim.trace().clone();
    if trace.events.len() < events {
        return Err(Error::invalid("events", events, format!("at most {} (the run's length)", trace.events.len())));
    }
    trace.events.truncate(events);
    Ok(trace)
}

/// A small run whose every message is known: the browser test hovers message #1.
fn small() -> Trace {
    let ms = |t: u64| Time::from_nanos(t * 1_000_000);
    let ev = |seq: u64, t: u64, kind| TraceEvent { time: ms(t), seq, kind, lamport: None };
    let send = |from, to, msg, label: &str| EventKind::Send { from, to, msg, label: label.into() };
    let kinds = vec![
        (0, send(0, 1, 1, "Vote { term: 1, granted: true }")),
        (10, EventKind::Deliver { from: 0, to: 1, msg: 1 }),
        (12, send(1, 2, 2, "Append { term: 1, entries: 3 }")),
        (20, EventKind::Deliver { from: 1, to: 2, msg: 2 }),
        (25, EventKind::Partition { description: "{0} | {1,2}".into(), healed: false }),
        (30, send(0, 2, 3, "Heartbeat")),
        (30, EventKind::Drop { from: 0, to: 2, msg: 3, reason: DropReason::Partition }),
        (35, send(2, 1, 4, "Ack")),
        (35, EventKind::Drop { from: 2, to: 1, msg: 4, reason: DropReason::Loss }),
        (40, EventKind::Crash { node: 2 }),
        (45, EventKind::Partition { description: "all".into(), healed: true }),
        (50, EventKind::Pause { node: 1, paused: true }),
        (55, EventKind::Timer { node: 0, timer: 7, label: String::new() }),
        (60, EventKind::Pause { node: 1, paused: false }),
        (62, EventKind::Recover { node: 2 }),
        (65, send(1, 0, 5, "Done")),
        (70, EventKind::Deliver { from: 1, to: 0, msg: 5 }),
    ];
    Trace {
        node_names: vec!["a".into(), "b".into(), "c".into()],
        events: kinds.into_iter().enumerate().map(|(i, (t, k))| ev(i as u64, t, k)).collect(),
        ..Default::default()
    }
}

fn page(title: &str, fragments: &[String]) -> String {
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\n{}</body></html>\n",
        fragments.concat()
    )
}

fn main() -> Result<()> {
    let dir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "build/spacetime".into()));
    std::fs::create_dir_all(&dir).map_err(|e| Error::Io { path: dir.display().to_string(), message: e.to_string() })?;
    let small_diagram = SpaceTime::new(&small());
    let other = SpaceTime::new(&gossip(60)?);
    let pages = [
        ("small.html", page("three diagrams", &[small_diagram.to_html(), small_diagram.to_html(), other.to_html()])),
        ("large.html", page("10,000 events", &[SpaceTime::new(&gossip(10_000)?).to_html()])),
        ("huge.html", page("100,000 events", &[SpaceTime::new(&gossip(100_000)?).to_html()])),
    ];
    let mut sizes = Vec::new();
    for (name, html) in pages {
        let path = dir.join(name);
        std::fs::write(&path, &html)
            .map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })?;
        sizes.push(format!("\"{name}\":{{\"path\":{:?},\"bytes\":{}}}", path.display().to_string(), html.len()));
    }
    println!("{{{}}}", sizes.join(","));
    Ok(())
}
