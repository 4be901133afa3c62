//! Space-time diagrams from synthetic traces: arrows, drops, crashes, windows, sampling, text.

use distsim::prelude::*;
use distsim::time::Time;

fn ms(t: u64) -> Time {
    Time::from_nanos(t * 1_000_000)
}

fn trace(events: Vec<(u64, EventKind, Option<u64>)>) -> Trace {
    Trace {
        node_names: vec!["a".into(), "b".into(), "c".into()],
        events: events
            .into_iter()
            .enumerate()
            .map(|(seq, (time, kind, lamport))| TraceEvent { time: ms(time), seq: seq as u64, kind, lamport })
            .collect(),
        ..Default::default()
    }
}

fn small() -> Trace {
    trace(vec![
        (0, EventKind::Send { from: 0, to: 1, msg: 1, label: "ping<&>".into() }, Some(1)),
        (2, EventKind::Deliver { from: 0, to: 1, msg: 1 }, Some(2)),
        (3, EventKind::Send { from: 1, to: 2, msg: 2, label: "fwd".into() }, Some(3)),
        (4, EventKind::Drop { from: 1, to: 2, msg: 2, reason: DropReason::Loss }, None),
        (5, EventKind::Crash { node: 2 }, None),
        (6, EventKind::Timer { node: 0, timer: 9, label: String::new() }, Some(2)),
        (8, EventKind::Recover { node: 2 }, None),
    ])
}

#[test]
fn svg_draws_lanes_arrows_drops_and_crashes() {
    let svg = SpaceTime::new(&small()).to_svg();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("font-family=\"sans-serif\""));
    for name in [">a<", ">b<", ">c<"] {
        assert!(svg.contains(name), "lane {name}");
    }
    assert!(
        svg.contains("#1 ping&lt;&amp;&gt;: a -&gt; b, sent at t=0ns, delivered at t=2ms"),
        "arrow tooltip:\n{svg}"
    );
    assert!(svg.contains("<polygon"), "arrowheads");
    assert!(svg.contains("#2 fwd: b -&gt; c, sent at t=3ms, lost at t=4ms: random loss"), "drop");
    assert!(svg.contains("c crashed at t=5ms") && svg.contains("c recovered at t=8ms"));
    assert!(svg.contains("stroke-dasharray=\"4 4\""), "crashed lane segment dashed");
    assert!(svg.contains("timer 9 fired"));
    assert!(!svg.contains(" id="), "no ids that could clash between diagrams on one page");
}

#[test]
fn same_trace_same_bytes() {
    let a = SpaceTime::new(&small()).lamport(true);
    let b = SpaceTime::new(&small()).lamport(true);
    assert_eq!(a.to_svg(), b.to_svg());
    assert_eq!(a.to_text(), b.to_text());
    assert_ne!(a.to_svg(), SpaceTime::new(&small()).to_svg(), "lamport stamps change the picture");
}

#[test]
fn text_has_one_column_per_node_and_one_row_per_event() {
    let text = SpaceTime::new(&small()).lamport(true).to_text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].contains("3 nodes, 7 events shown"), "{text}");
    assert!(lines[1].starts_with("time") && lines[1].contains(" a ") && lines[1].ends_with('c'), "{text}");
    assert_eq!(lines.len(), 3 + 7, "{text}");
    assert!(lines[3].contains("[1] send #1->b ping<&>"), "{text}");
    assert!(lines[4].contains("[2] recv #1<-a"));
    assert!(lines[6].contains("x #2 lost:loss"));
    // c is crashed between 5 ms and 8 ms: its lane shows ':'.
    assert!(lines[8].trim_end().ends_with(':'), "{text}");
    assert!(lines[9].contains("RECOVER"));
    assert!(text.is_ascii() || !text.contains('→'), "ASCII arrows");
}

#[test]
fn window_and_max_events_say_what_was_omitted() {
    let mut events = Vec::new();
    for i in 0..3000u64 {
        events.push((
            i,
            EventKind::Send { from: (i % 3) as usize, to: ((i + 1) % 3) as usize, msg: i, label: String::new() },
            None,
        ));
        events.push((i + 1, EventKind::Deliver { from: (i % 3) as usize, to: ((i + 1) % 3) as usize, msg: i }, None));
    }
    events.sort_by_key(|e| e.0);
    let big = trace(events);
    let full = SpaceTime::new(&big);
    let text = full.to_text();
    assert!(
        text.contains("400 events shown") && text.contains("5600 later events omitted"),
        "{}",
        text.lines().next().unwrap()
    );
    assert_eq!(text.lines().count(), 3 + 400);
    let svg = full.to_svg();
    assert!(svg.contains("5600 later events omitted"));
    assert!(svg.len() < 400_000, "legible and light: {} bytes", svg.len());

    let windowed = SpaceTime::new(&big).window(ms(100), ms(109)).max_events(1000).unwrap();
    let text = windowed.to_text();
    assert!(text.contains("20 events shown from t=100ms to t=109ms"), "{}", text.lines().next().unwrap());
    assert!(text.contains("5980 events outside the window"));
    // A message sent before the window and delivered inside it is still drawn, from the edge.
    assert!(windowed.to_svg().contains("#99: a -&gt; b"), "message 99 crosses the window's left edge");
}

#[test]
fn duplicates_start_at_the_original_send_and_unknown_nodes_get_default_names() {
    let mut t = trace(vec![
        (0, EventKind::Send { from: 0, to: 3, msg: 1, label: "m".into() }, None),
        (1, EventKind::Duplicate { from: 0, to: 3, msg: 1, copy: 2 }, None),
        (2, EventKind::Deliver { from: 0, to: 3, msg: 1 }, None),
        (3, EventKind::Deliver { from: 0, to: 3, msg: 2 }, None),
        (4, EventKind::Send { from: 3, to: 0, msg: 3, label: "lost forever".into() }, None),
    ]);
    t.node_names.truncate(1);
    let st = SpaceTime::new(&t);
    let svg = st.to_svg();
    assert!(svg.contains(">n3<"), "missing names fall back to n<i>");
    assert!(svg.contains("#2 m: a -&gt; n3, sent at t=0ns, delivered at t=3ms"), "{svg}");
    assert!(svg.contains("still in flight"));
    assert!(st.to_text().contains("dup #1=>#2"));
}

#[test]
fn empty_trace_renders_without_panicking() {
    let st = SpaceTime::new(&Trace::default());
    assert!(st.to_svg().starts_with("<svg"));
    assert!(st.to_text().contains("(no events)"));
    assert!(st.mime_bundle().get("text/plain").is_some());
}

#[test]
fn lamport_stamps_are_computed_when_the_trace_has_none() {
    let t = trace(vec![
        (0, EventKind::Send { from: 0, to: 1, msg: 1, label: String::new() }, None),
        (1, EventKind::Timer { node: 0, timer: 1, label: String::new() }, None),
        (2, EventKind::Deliver { from: 0, to: 1, msg: 1 }, None),
        (3, EventKind::Send { from: 1, to: 2, msg: 2, label: String::new() }, None),
        (4, EventKind::Log { node: 2, text: "before".into() }, None),
        (5, EventKind::Deliver { from: 1, to: 2, msg: 2 }, None),
        (6, EventKind::Send { from: 2, to: 0, msg: 3, label: String::new() }, Some(40)),
        (7, EventKind::Deliver { from: 2, to: 0, msg: 3 }, None),
    ]);
    let text = SpaceTime::new(&t).lamport(true).to_text();
    for expected in [
        "[1] send #1",
        "[2] timer 1",
        "[2] recv #1",
        "[3] send #2",
        "[1] log: before",
        "[4] recv #2",
        "[40] send #3",
        "[41] recv #3",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    // A window shows the same stamps: they are computed from the start of the run.
    let windowed = SpaceTime::new(&t).lamport(true).window(ms(5), ms(7)).to_text();
    assert!(windowed.contains("[4] recv #2") && windowed.contains("[41] recv #3"), "{windowed}");
    assert!(!SpaceTime::new(&t).to_text().contains("[1]"), "no stamps unless asked");
}
