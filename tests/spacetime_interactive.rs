//! The interactive space-time diagram (`text/html`), its data, aggregation of large runs,
//! `Trace::diff`, and the fixed diagram defects (issue 10 section 4, issue 18 item 8).

use distsim::prelude::*;
use distsim::time::Time;
use distsim::trace::spacetime::{vector_stamps, AGGREGATE_ABOVE, DEFAULT_MAX_EVENTS, MAX_WIDTH, MIN_WIDTH};
use serde_json::Value as Json;

fn ms(t: u64) -> Time {
    Time::from_nanos(t * 1_000_000)
}

fn trace(names: &[&str], events: Vec<(u64, EventKind)>) -> Trace {
    Trace {
        node_names: names.iter().map(|s| s.to_string()).collect(),
        events: events
            .into_iter()
            .enumerate()
            .map(|(seq, (t, kind))| TraceEvent { time: ms(t), seq: seq as u64, kind, lamport: None })
            .collect(),
        ..Default::default()
    }
}

fn send(from: usize, to: usize, msg: u64, label: &str) -> EventKind {
    EventKind::Send { from, to, msg, label: label.into() }
}

/// A partitioned run: a vote, a heartbeat blocked by the partition, a random loss, a crash and a pause.
fn partitioned() -> Trace {
    trace(
        &["a", "b", "c"],
        vec![
            (0, send(0, 1, 1, "Vote { term: 1, granted: true }")),
            (10, EventKind::Deliver { from: 0, to: 1, msg: 1 }),
            (25, EventKind::Partition { description: "{0} | {1,2}".into(), healed: false }),
            (30, send(0, 2, 3, "Heartbeat")),
            (30, EventKind::Drop { from: 0, to: 2, msg: 3, reason: DropReason::Partition }),
            (35, send(2, 1, 4, "Ack")),
            (35, EventKind::Drop { from: 2, to: 1, msg: 4, reason: DropReason::Loss }),
            (40, EventKind::Crash { node: 2 }),
            (45, EventKind::Partition { description: "all".into(), healed: true }),
            (50, EventKind::Pause { node: 1, paused: true }),
            (60, EventKind::Pause { node: 1, paused: false }),
            (62, EventKind::Recover { node: 2 }),
        ],
    )
}

/// `events` events among `nodes` nodes: sends and their deliveries (every 7th lost), timers.
fn busy(nodes: usize, events: usize) -> Trace {
    let mut out = Vec::with_capacity(events);
    let mut msg = 0u64;
    let mut t = 0u64;
    while out.len() < events {
        let from = (msg as usize * 3) % nodes;
        let to = (from + 1 + msg as usize % (nodes - 1)) % nodes;
        out.push((t, send(from, to, msg, "Rumour { n: 12 }")));
        if out.len() < events {
            let arrive = if msg % 7 == 0 {
                EventKind::Drop { from, to, msg, reason: DropReason::Loss }
            } else {
                EventKind::Deliver { from, to, msg }
            };
            out.push((t + 1, arrive));
        }
        if out.len() < events && msg % 5 == 0 {
            out.push((t + 1, EventKind::Timer { node: to, timer: 1, label: String::new() }));
        }
        msg += 1;
        t += 1;
    }
    Trace {
        node_names: (0..nodes).map(|i| format!("n{i}")).collect(),
        events: out
            .into_iter()
            .enumerate()
            .map(|(seq, (t, kind))| TraceEvent {
                time: Time::from_nanos(t * 100_000),
                seq: seq as u64,
                kind,
                lamport: None,
            })
            .collect(),
        ..Default::default()
    }
}

/// The JSON data block of an interactive diagram.
fn data(html: &str) -> Json {
    let start = html.find("<script type=\"application/json\" class=\"dst-data\">").expect("data block") + 49;
    let end = start + html[start..].find("</script>").expect("end of data");
    serde_json::from_str(&html[start..end]).expect("valid JSON")
}

fn ints(v: &Json) -> Vec<i64> {
    v.as_array().expect("array").iter().map(|x| x.as_i64().expect("integer")).collect()
}

#[test]
fn the_bundle_has_text_static_svg_and_interactive_html() {
    let st = SpaceTime::new(&partitioned());
    let bundle = st.mime_bundle();
    assert_eq!(bundle.get("text/plain"), Some(st.to_text().as_str()));
    assert_eq!(bundle.get("image/svg+xml"), Some(st.to_svg().as_str()));
    let html = bundle.get("text/html").expect("interactive view");
    assert_eq!(html, st.to_html(), "same input, same bytes");
    // The static SVG is inside, visible as is; the live part is hidden until the script runs.
    assert!(html.contains("<div class=\"dst-static\">\n<svg"), "{html}");
    assert!(html.contains("<div class=\"dst-live\" hidden>"));
    assert!(html.contains("class=\"dst-scrub\"") && html.contains("dst-prev") && html.contains("dst-next"));
    assert!(html.contains("document.currentScript"), "the script finds its own diagram");
    // Self-contained: nothing is loaded from anywhere.
    for banned in ["src=", "href=", "fetch(", "XMLHttpRequest", "import(", "https://"] {
        assert!(!html.contains(banned), "{banned} in the HTML");
    }
    let id = html.split("id=\"").nth(1).unwrap().split('"').next().unwrap();
    assert!(id.starts_with("distsim-st-") && id.len() == "distsim-st-".len() + 16, "{id}");
    let other = SpaceTime::new(&busy(3, 50)).to_html();
    let other_id = other.split("id=\"").nth(1).unwrap().split('"').next().unwrap();
    assert_ne!(id, other_id, "different diagrams, different ids");
}

#[test]
fn the_data_has_every_event_message_stamp_and_interval() {
    let t = partitioned();
    let d = data(&SpaceTime::new(&t).to_html());
    let names: Vec<&str> = d["names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    let ev = ints(&d["ev"]);
    assert_eq!(ev.len(), 5 * t.events.len(), "five numbers per event, every event");
    // Event 1 (the delivery of #1) at 10 ms, kind 2, at b, Lamport 2.
    assert_eq!(&ev[5..10], &[10_000_000, 2, 1, 0, 2]);
    let vc = ints(&d["vc"]);
    assert_eq!(&vc[0..3], &[1, 0, 0], "the vote's send");
    assert_eq!(&vc[3..6], &[1, 1, 0], "its delivery merged a's entry");
    let msgs = ints(&d["msgs"]);
    assert_eq!(msgs.len(), 11 * 3, "three messages");
    let text: Vec<&str> = d["text"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    // #1 delivered; #3 dropped by the partition (reason 2); #4 lost at random (reason 1).
    assert_eq!(&msgs[0..11], &[1, 0, 1, 0, 10_000_000, 1, 0, msgs[7], 0, 1, -1]);
    assert_eq!(text[msgs[7] as usize], "Vote { term: 1, granted: true }");
    assert_eq!((msgs[11], msgs[16], msgs[17]), (3, 2, 2), "partition drop");
    assert_eq!((msgs[22], msgs[27], msgs[28]), (4, 2, 1), "random loss");
    let iv = ints(&d["iv"]);
    let intervals: Vec<&[i64]> = iv.chunks(5).collect();
    assert!(intervals.contains(&&[2, 1, 40_000_000, 62_000_000, -1][..]), "c crashed 40..62 ms: {iv:?}");
    assert!(intervals.contains(&&[1, 2, 50_000_000, 60_000_000, -1][..]), "b paused 50..60 ms: {iv:?}");
    let partition = intervals.iter().find(|i| i[1] == 3).expect("a partition interval");
    assert_eq!(&partition[..4], &[-1, 3, 25_000_000, 45_000_000], "across every lane, until healed");
    assert_eq!(text[partition[4] as usize], "{0} | {1,2}");
    assert!(d["agg"].is_null());
}

#[test]
fn vector_stamps_follow_the_causal_order() {
    let t = partitioned();
    let v = vector_stamps(&t.events, 3);
    assert_eq!(v[0], Some(vec![1, 0, 0]));
    assert_eq!(v[1], Some(vec![1, 1, 0]));
    assert_eq!(v[2], None, "a partition is not a node's step");
    assert_eq!(v[3], Some(vec![2, 0, 0]));
    assert_eq!(v[5], Some(vec![0, 0, 1]), "c's send knows nothing of a: concurrent with it");
}

#[test]
fn static_svg_draws_partition_bands_and_partition_drops_distinctly() {
    let svg = SpaceTime::new(&partitioned()).to_svg();
    assert!(svg.contains("<rect") && svg.contains("partition {0} | {1,2} from t=25ms to t=45ms"), "{svg}");
    assert!(svg.contains("fill=\"#8c564b\" fill-opacity=\"0.13\""), "a shaded band, not two dashed lines");
    assert!(!svg.contains("stroke-dasharray=\"8 4\""), "no dashed partition lines any more");
    let lines = |needle: &str| -> Vec<String> {
        svg.lines().filter(|l| l.starts_with("<line") && l.contains(needle)).map(String::from).collect()
    };
    let blocked = lines("#3 Heartbeat");
    assert!(blocked.iter().all(|l| l.contains("#8c564b")), "partition drops in the partition's colour: {blocked:?}");
    assert!(blocked.iter().any(|l| l.contains("blocked by a partition")));
    let lost = lines("#4 Ack");
    assert!(lost.iter().all(|l| l.contains("#c0392b")) && lost.iter().any(|l| l.contains("random loss")));
}

#[test]
fn a_message_dropped_at_send_is_marked_by_its_sender() {
    // a (lane 0, y = 70) sends to c (lane 2, y = 182); the network drops it as it is sent. Its
    // mark must stay nearer a than b (y = 126), the lane it was not addressed to.
    let t = trace(
        &["a", "b", "c"],
        vec![
            (0, send(0, 2, 1, "Hello")),
            (0, EventKind::Drop { from: 0, to: 2, msg: 1, reason: DropReason::Loss }),
            (5, EventKind::Timer { node: 1, timer: 0, label: String::new() }),
        ],
    );
    let svg = SpaceTime::new(&t).to_svg();
    let ys: Vec<f64> = svg
        .lines()
        .filter(|l| l.starts_with("<line") && l.contains("#1 Hello"))
        .flat_map(|l| {
            ["y1=\"", "y2=\""].map(|k| l.split(k).nth(1).unwrap().split('"').next().unwrap().parse::<f64>().unwrap())
        })
        .collect();
    assert!(!ys.is_empty());
    assert!(ys.iter().all(|y| *y < 70.0 + 28.0), "every part of the mark is nearer a than b: {ys:?}");
}

#[test]
fn text_diagram_keeps_long_labels_whole() {
    let text = SpaceTime::new(&partitioned()).to_text();
    assert!(text.contains("Vote { term: 1, granted: true }"), "{text}");
    let t = trace(&["a", "b"], vec![(0, EventKind::Log { node: 0, text: "x".repeat(80) })]);
    assert!(SpaceTime::new(&t).to_text().contains(&"x".repeat(80)), "long log lines too");
}

#[test]
fn ten_thousand_events_stay_under_two_megabytes_with_every_event() {
    let t = busy(5, 10_000);
    let st = SpaceTime::new(&t);
    let html = st.to_html();
    let d = data(&html);
    assert_eq!(ints(&d["ev"]).len() / 5, 10_000, "no event cut from the interactive view");
    assert!(d["agg"].is_null());
    assert!(html.len() < 2_000_000, "10,000 events: {} bytes", html.len());
    // The static picture keeps its limit, and says so.
    let svg = st.to_svg();
    assert!(svg.contains(&format!("it shows at most {DEFAULT_MAX_EVENTS}")), "{}", &svg[..600]);
    assert!(svg.contains("9600 later events omitted"));
}

#[test]
fn a_hundred_thousand_events_are_aggregated_not_cut() {
    let t = busy(5, 100_000);
    let html = SpaceTime::new(&t).to_html();
    assert!(html.len() < 1_000_000, "{} bytes", html.len());
    let d = data(&html);
    let agg = &d["agg"];
    assert_eq!(agg["events"], 100_000);
    assert!(ints(&d["ev"]).is_empty(), "no per-event data");
    let columns = agg["columns"].as_u64().unwrap();
    assert_eq!(columns, 960 - 150, "one bucket per pixel column of the plot");
    let lanes = ints(&agg["lanes"]);
    let counted: i64 = lanes.chunks(3).map(|c| c[2]).sum();
    assert_eq!(counted as usize, t.events.len(), "every event is counted on its lane");
    let flows = ints(&agg["flows"]);
    let delivered: i64 = flows.chunks(7).map(|f| f[3]).sum();
    let lost: i64 = flows.chunks(7).map(|f| f[6]).sum();
    assert_eq!(delivered as usize, t.count(|k| matches!(k, EventKind::Deliver { .. })));
    assert_eq!(lost as usize, t.count(|k| matches!(k, EventKind::Drop { .. })));
    assert!(d["caption"].as_str().unwrap().contains(&format!("aggregated: more than {AGGREGATE_ABOVE} events")));
}

#[test]
fn max_events_zero_and_out_of_range_widths_are_errors() {
    let t = partitioned();
    let err = SpaceTime::new(&t).max_events(0).unwrap_err();
    assert!(matches!(&err, Error::InvalidParameter { parameter, .. } if parameter == "max_events"), "{err}");
    for bad in [0, MIN_WIDTH - 1, MAX_WIDTH + 1] {
        let err = SpaceTime::new(&t).width(bad).unwrap_err();
        assert!(err.to_string().contains("`width`") && err.to_string().contains("[400, 4000]"), "{err}");
    }
    let svg = SpaceTime::new(&t).width(MIN_WIDTH).unwrap().to_svg();
    assert!(svg.contains("width=\"400.0\""));
    assert!(SpaceTime::new(&t).width(MAX_WIDTH).is_ok());
    let one = SpaceTime::new(&t).max_events(1).unwrap().to_text();
    assert!(one.contains("1 events shown") && one.contains("11 later events omitted (max_events = 1"), "{one}");
}

#[test]
fn diff_of_identical_runs_finds_no_divergence() {
    let t = partitioned();
    let d = t.diff(&t.clone());
    assert_eq!(d.index(), None);
    assert_eq!(d.shared(), t.events.len());
    assert!(d.left().is_none() && d.right().is_none());
    assert_eq!(d.summary(), "the runs are identical: 12 events");
}

#[test]
fn diff_finds_the_event_where_two_runs_part() {
    let a = partitioned();
    let mut b = a.clone();
    let k = 6;
    b.events[k].kind = EventKind::Deliver { from: 2, to: 1, msg: 4 };
    b.events[k + 1].kind = EventKind::Crash { node: 0 }; // later differences do not matter
    let d = a.diff(&b);
    assert_eq!(d.index(), Some(k));
    assert_eq!(d.shared(), k);
    assert_eq!(d.common(), &a.events[..k]);
    assert_eq!(d.left(), Some(&a.events[k]));
    assert_eq!(d.right(), Some(&b.events[k]));
    let summary = d.summary();
    assert!(summary.contains("agree on their first 6 events (up to t=35ms)"), "{summary}");
    assert!(
        summary.contains("first:  t=35ms c -> b drop #4 (Loss)")
            && summary.contains("second: t=35ms c -> b deliver #4")
    );
    let bundle = d.mime_bundle();
    let text = bundle.get("text/plain").unwrap();
    assert_eq!(text.matches("<== the first run parts here").count(), 1, "{text}");
    assert_eq!(text.matches("<== the second run parts here").count(), 1);
    assert!(!text.contains("CRASH"), "both diagrams end at the divergence: {text}");
    let svg = bundle.get("image/svg+xml").unwrap();
    assert_eq!(svg.matches("<svg").count(), 3, "two diagrams stacked in one document");
    assert!(svg.contains("the first run parts here") && svg.contains("the second run parts here"));
    let html = bundle.get("text/html").unwrap();
    assert_eq!(html.matches("class=\"distsim-st\"").count(), 2);
    assert_eq!(data(html)["hl"][0][0], 6, "the divergent event is highlighted in the interactive view");
}

#[test]
fn diff_of_runs_of_different_lengths_parts_where_the_shorter_ends() {
    let a = partitioned();
    let mut b = a.clone();
    b.events.truncate(9);
    let d = a.diff(&b);
    assert_eq!(d.index(), Some(9));
    assert_eq!(d.left(), Some(&a.events[9]));
    assert_eq!(d.right(), None);
    assert!(d.summary().contains("second: (no more events)"), "{}", d.summary());
    let d = b.diff(&a);
    assert_eq!((d.index(), d.left(), d.right()), (Some(9), None, Some(&a.events[9])));
    let empty = Trace::default().diff(&a);
    assert_eq!(empty.index(), Some(0));
    assert!(empty.mime_bundle().get("text/plain").unwrap().contains("event 0 differs"));
}
