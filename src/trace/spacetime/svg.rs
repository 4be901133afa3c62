//! The SVG form of a space-time diagram.
//!
//! Written by hand rather than with plotters: the diagram is not a chart with axes over data but
//! lanes, arrows, arrowheads and tooltips, and plotters offers neither arrowheads nor `<title>`
//! tooltips. Hand-written SVG also lets every coordinate be printed with exactly one decimal, so
//! the output is byte-identical for identical input. Arrowheads are explicit polygons rather
//! than an SVG `<marker>`, because a marker needs an `id` and several diagrams in one notebook
//! page share one id namespace.

use super::{SendInfo, View};
use crate::render::escape_html;
use crate::time::{Duration, Time};
use crate::trace::{DropReason, EventKind, TraceEvent};
use std::fmt::Write;

pub(super) const LEFT: f64 = 110.0;
pub(super) const RIGHT: f64 = 40.0;
const TOP: f64 = 70.0;
const BOTTOM: f64 = 70.0;
const LANE_GAP: f64 = 56.0;
/// Above this many arrows, message labels would overlap: only tooltips carry them.
const MAX_LABELLED_ARROWS: usize = 30;
const DELIVERED: &str = "#1f4e79";
const LOST: &str = "#c0392b";
const PARTITION: &str = "#8c564b";
const HIGHLIGHT: &str = "#d62728";

/// Where a dropped message's line ends. A message the network dropped as it was sent (loss,
/// partition, full queue: the drop's time is the send's) is a short stub towards its addressee
/// that stops within 35% of a lane gap, so its mark sits by the sender and not by a lane it was
/// never addressed to. One dropped later ends 40% of a gap before its addressee's lane, or on it
/// when the addressee was crashed (it got there, and nobody was home).
pub(super) fn drop_end(start: (f64, f64), full_end: (f64, f64), reason: DropReason) -> (f64, f64) {
    let dy = full_end.1 - start.1;
    let dir = dy.signum() * f64::from(u8::from(dy != 0.0));
    if reason == DropReason::Crashed {
        return (full_end.0.max(start.0 + 18.0), full_end.1);
    }
    if full_end.0 - start.0 < 18.0 {
        return (start.0 + 18.0, start.1 + dir * (dy.abs() * 0.5).min(LANE_GAP * 0.35));
    }
    (full_end.0, full_end.1 - dir * LANE_GAP * 0.4)
}

fn reason_text(reason: DropReason) -> &'static str {
    match reason {
        DropReason::Loss => "random loss",
        DropReason::Partition => "blocked by a partition",
        DropReason::Crashed => "the receiver was crashed",
        DropReason::QueueFull => "the link's queue was full",
        DropReason::Rejected => "rejected by the receiver",
    }
}

struct Canvas<'a> {
    view: &'a View<'a>,
    out: String,
    plot_width: f64,
}

fn f(v: f64) -> String {
    format!("{v:.1}")
}

impl Canvas<'_> {
    fn x(&self, t: Time) -> f64 {
        let span = (self.view.to.as_nanos().saturating_sub(self.view.from.as_nanos())).max(1) as f64;
        let offset = t.as_nanos() as f64 - self.view.from.as_nanos() as f64;
        LEFT + (offset / span).clamp(0.0, 1.0) * self.plot_width
    }
    fn y(&self, node: usize) -> f64 {
        TOP + node as f64 * LANE_GAP
    }
    fn line(&mut self, (x1, y1): (f64, f64), (x2, y2): (f64, f64), style: &str, title: &str) {
        let _ = write!(self.out, r#"<line x1="{}" y1="{}" x2="{}" y2="{}" {style}>"#, f(x1), f(y1), f(x2), f(y2));
        self.close("line", title);
    }
    fn close(&mut self, element: &str, title: &str) {
        if !title.is_empty() {
            let _ = write!(self.out, "<title>{}</title>", escape_html(title));
        }
        let _ = writeln!(self.out, "</{element}>");
    }
    fn text(&mut self, (x, y): (f64, f64), size: u32, anchor: &str, fill: &str, text: &str) {
        let _ = writeln!(
            self.out,
            r#"<text x="{}" y="{}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">{}</text>"#,
            f(x),
            f(y),
            escape_html(text)
        );
    }
    fn circle(&mut self, (x, y): (f64, f64), r: f64, style: &str, title: &str) {
        let _ = write!(self.out, r#"<circle cx="{}" cy="{}" r="{}" {style}>"#, f(x), f(y), f(r));
        self.close("circle", title);
    }
    fn polygon(&mut self, points: &[(f64, f64)], style: &str, title: &str) {
        let pts: Vec<String> = points.iter().map(|(x, y)| format!("{},{}", f(*x), f(*y))).collect();
        let _ = write!(self.out, r#"<polygon points="{}" {style}>"#, pts.join(" "));
        self.close("polygon", title);
    }
    fn cross(&mut self, (x, y): (f64, f64), size: f64, color: &str, title: &str) {
        let style = format!(r#"stroke="{color}" stroke-width="2.5""#);
        self.line((x - size, y - size), (x + size, y + size), &style, title);
        self.line((x - size, y + size), (x + size, y - size), &style, title);
    }

    /// Where a message's line starts: at its send, or where it crosses the left edge of the view.
    fn start_of(&self, send: &SendInfo, end: (Time, f64)) -> (f64, f64) {
        let sy = self.y(send.from);
        if send.time >= self.view.from || end.0 <= send.time {
            return (self.x(send.time), sy);
        }
        let part = (self.view.from.as_nanos() - send.time.as_nanos()) as f64
            / (end.0.as_nanos() - send.time.as_nanos()) as f64;
        (LEFT, sy + (end.1 - sy) * part)
    }

    fn arrow(&mut self, start: (f64, f64), end: (f64, f64), color: &str, title: &str) {
        self.line(start, end, &format!(r#"stroke="{color}" stroke-width="1.4""#), title);
        let (dx, dy) = (end.0 - start.0, end.1 - start.1);
        let len = (dx * dx + dy * dy).sqrt().max(1e-9);
        let (ux, uy) = (dx / len, dy / len);
        let (bx, by) = (end.0 - 8.0 * ux, end.1 - 8.0 * uy);
        let head = [end, (bx - 3.5 * uy, by + 3.5 * ux), (bx + 3.5 * uy, by - 3.5 * ux)];
        self.polygon(&head, &format!(r#"fill="{color}""#), "");
    }

    fn message_title(&self, msg: u64, send: &SendInfo, what: &str) -> String {
        let label = if send.label.is_empty() { String::new() } else { format!(" {}", send.label) };
        format!(
            "#{msg}{label}: {} -> {}, sent at {}, {what}",
            self.view.names[send.from], self.view.names[send.to], send.time
        )
    }
}

/// Renders the view as an SVG document.
pub(super) fn render(view: &View<'_>) -> String {
    let width = f64::from(view.width);
    let lanes = view.node_count.max(1);
    // The highlights' notes are listed below the time axis, one line each.
    let base = TOP + (lanes - 1) as f64 * LANE_GAP + BOTTOM;
    let height = base + view.highlight.len() as f64 * 14.0;
    let mut c = Canvas { view, out: String::new(), plot_width: width - LEFT - RIGHT };
    let _ = writeln!(
        c.out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="sans-serif">"#,
        f(width),
        f(height)
    );
    let _ = writeln!(c.out, r#"<rect x="0" y="0" width="{}" height="{}" fill="white"/>"#, f(width), f(height));
    c.text((12.0, 22.0), 16, "start", "black", "Space-time diagram");
    c.text((12.0, 40.0), 12, "start", "#555", &view.caption());
    draw_partitions(&mut c);
    draw_lanes(&mut c);
    let arrows = view.shown.iter().filter(|e| matches!(e.kind, EventKind::Deliver { .. })).count();
    let delivered_or_lost: std::collections::BTreeSet<u64> = view
        .shown
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Deliver { msg, .. } | EventKind::Drop { msg, .. } => Some(msg),
            _ => None,
        })
        .collect();
    for event in &view.shown {
        draw_event(&mut c, event, arrows <= MAX_LABELLED_ARROWS, &delivered_or_lost);
    }
    draw_highlight(&mut c, base - BOTTOM + 62.0);
    draw_axis(&mut c, base);
    c.out.push_str("</svg>\n");
    c.out
}

/// A partition is a shaded band across every lane, from when it started until it healed.
fn draw_partitions(c: &mut Canvas<'_>) {
    let bottom = c.y(c.view.node_count.max(1) - 1) + 20.0;
    for (description, start, end) in c.view.partitions.clone() {
        let (x0, x1) = (c.x(start), c.x(end));
        let title = format!("partition {description} from {start} to {end}");
        let _ = write!(
            c.out,
            r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{PARTITION}" fill-opacity="0.13">"#,
            f(x0),
            f(TOP - 24.0),
            f((x1 - x0).max(2.0)),
            f(bottom - TOP + 24.0)
        );
        c.close("rect", &title);
        c.text((x0 + 3.0, TOP - 28.0), 10, "start", PARTITION, &format!("partition {description}"));
    }
}

/// The highlighted events: for each, a vertical line across the lanes, a ring on its lane, a
/// message's arrow drawn thick, and its note (the notes are listed below the lanes, numbered,
/// from `notes_y` down, and each ring carries its number when there are several).
fn draw_highlight(c: &mut Canvas<'_>, notes_y: f64) {
    let marks = c.view.highlight.clone();
    let bottom = c.y(c.view.node_count.max(1) - 1) + 20.0;
    let numbered = marks.len() > 1;
    for (k, (seq, note)) in marks.iter().enumerate() {
        let Some(e) = c.view.shown.iter().find(|e| e.seq == *seq).copied() else { continue };
        let label = if numbered { format!("{}. {note}", k + 1) } else { note.clone() };
        let x = c.x(e.time);
        let style = format!(r#"stroke="{HIGHLIGHT}" stroke-width="1.5" stroke-dasharray="6 3""#);
        c.line((x, TOP - 20.0), (x, bottom), &style, &label);
        if let EventKind::Send { msg, .. } | EventKind::Deliver { msg, .. } = e.kind {
            if let (Some(send), Some(&end)) = (c.view.sends.get(&msg).cloned(), c.view.outcomes.get(&msg)) {
                let thick = format!(r#"stroke="{HIGHLIGHT}" stroke-width="3.5" stroke-opacity="0.8""#);
                let (from, to) = ((c.x(send.time), c.y(send.from)), (c.x(end), c.y(send.to)));
                c.line(from, to, &thick, &label);
            }
        }
        if let Some(node) = e.kind.node() {
            let ring = format!(r#"fill="none" stroke="{HIGHLIGHT}" stroke-width="2.5""#);
            c.circle((x, c.y(node)), 9.0, &ring, &label);
            if numbered {
                c.text((x + 9.0, c.y(node) - 9.0), 11, "start", HIGHLIGHT, &(k + 1).to_string());
            }
        }
        c.text((LEFT, notes_y + 14.0 * k as f64), 11, "start", HIGHLIGHT, &label);
    }
}

/// Lanes: solid while up, dashed red while crashed, with an orange band while paused.
fn draw_lanes(c: &mut Canvas<'_>) {
    for node in 0..c.view.node_count {
        let y = c.y(node);
        let name = c.view.names[node].clone();
        c.text((LEFT - 12.0, y + 4.0), 13, "end", "black", &name);
        let mut crashed = c.view.crashed_at_start[node];
        let mut paused_since: Option<f64> = None;
        let mut segment_start = LEFT;
        let mut changes: Vec<(f64, bool)> = Vec::new();
        for e in &c.view.shown {
            match e.kind {
                EventKind::Crash { node: n } if n == node => changes.push((c.x(e.time), true)),
                EventKind::Recover { node: n } if n == node => changes.push((c.x(e.time), false)),
                EventKind::Pause { node: n, paused } if n == node => {
                    let x = c.x(e.time);
                    match (paused, paused_since) {
                        (true, None) => paused_since = Some(x),
                        (false, since) => pause_band(c, since.unwrap_or(LEFT), x, y),
                        _ => {}
                    }
                    if !paused {
                        paused_since = None;
                    }
                }
                _ => {}
            }
        }
        if let Some(since) = paused_since {
            pause_band(c, since, LEFT + c.plot_width, y);
        }
        changes.push((LEFT + c.plot_width, !crashed));
        for (x, now_crashed) in changes {
            if now_crashed != crashed {
                let style = if crashed {
                    format!(r#"stroke="{LOST}" stroke-width="1.5" stroke-dasharray="4 4""#)
                } else {
                    r##"stroke="#444" stroke-width="1.5""##.to_string()
                };
                c.line((segment_start, y), (x, y), &style, if crashed { "crashed" } else { "" });
                segment_start = x;
                crashed = now_crashed;
            }
        }
    }
}

fn pause_band(c: &mut Canvas<'_>, from: f64, to: f64, y: f64) {
    c.line(
        (from, y),
        (to.max(from + 2.0), y),
        r##"stroke="#e69f00" stroke-width="7" stroke-opacity="0.45""##,
        "paused",
    );
}

fn draw_event(c: &mut Canvas<'_>, e: &TraceEvent, label_arrows: bool, resolved: &std::collections::BTreeSet<u64>) {
    let dot = |c: &mut Canvas<'_>, node: usize, title: &str| {
        let p = (c.x(e.time), c.y(node));
        c.circle(p, 3.0, "fill=\"#222\"", title);
        if let Some(l) = c.view.stamps.get(&e.seq) {
            c.text((p.0, p.1 - 9.0), 10, "middle", "#7a3e9d", &l.to_string());
        }
    };
    match &e.kind {
        EventKind::Send { from, to, msg, label } => {
            let send = SendInfo { time: e.time, from: *from, to: *to, label: label.clone(), is_copy: false };
            if !resolved.contains(msg) {
                let start = (c.x(e.time), c.y(*from));
                match c.view.outcomes.get(msg) {
                    // Arrives after the view ends: draw it up to the right edge.
                    Some(&t) if t > c.view.to => {
                        let (ex, ey) = (c.x(t), c.y(*to));
                        let part = (c.view.to.as_nanos() - e.time.as_nanos()) as f64
                            / (t.as_nanos() - e.time.as_nanos()).max(1) as f64;
                        let end = (start.0 + (ex - start.0).max(0.0) * part, start.1 + (ey - start.1) * part);
                        let title = c.message_title(*msg, &send, "arrives after this view");
                        c.line(
                            start,
                            end,
                            &format!(r#"stroke="{DELIVERED}" stroke-width="1.4" stroke-opacity="0.6""#),
                            &title,
                        );
                    }
                    // Never delivered nor dropped: still in flight when the run stopped.
                    None => {
                        let end = (start.0 + 24.0, start.1 + (c.y(*to) - start.1) * 0.25);
                        let title = c.message_title(*msg, &send, "still in flight when the run stopped");
                        c.line(start, end, r##"stroke="#888" stroke-width="1.4" stroke-dasharray="3 3""##, &title);
                    }
                    Some(_) => {}
                }
            }
            dot(c, *from, &format!("send #{msg} {label}"));
        }
        EventKind::Deliver { to, msg, .. } => {
            let end = (c.x(e.time), c.y(*to));
            if let Some(send) = c.view.sends.get(msg).cloned() {
                let start = c.start_of(&send, (e.time, end.1));
                let title = c.message_title(*msg, &send, &format!("delivered at {}", e.time));
                c.arrow(start, end, DELIVERED, &title);
                if label_arrows && !send.label.is_empty() && !send.is_copy {
                    c.text(
                        ((start.0 + end.0) / 2.0 + 4.0, (start.1 + end.1) / 2.0 - 3.0),
                        10,
                        "start",
                        DELIVERED,
                        &send.label,
                    );
                }
            }
            dot(c, *to, &format!("deliver #{msg}"));
        }
        EventKind::Drop { to, msg, reason, .. } => {
            let full_end = (c.x(e.time), c.y(*to));
            let Some(send) = c.view.sends.get(msg).cloned() else {
                c.cross(full_end, 5.0, LOST, &format!("#{msg} lost ({reason:?})"));
                return;
            };
            let start = c.start_of(&send, (e.time, full_end.1));
            let end = drop_end(start, full_end, *reason);
            let title = c.message_title(*msg, &send, &format!("lost at {}: {}", e.time, reason_text(*reason)));
            if *reason == DropReason::Partition {
                // A partition's drop is not bad luck: its own colour, a dotted line, and a wall.
                let style = format!(r#"stroke="{PARTITION}" stroke-width="1.4" stroke-dasharray="2 3""#);
                c.line(start, end, &style, &title);
                let wall = format!(r#"stroke="{PARTITION}" stroke-width="2.5""#);
                c.line((end.0 - 3.0, end.1 - 7.0), (end.0 + 3.0, end.1 + 7.0), &wall, &title);
                c.line((end.0 + 2.0, end.1 - 7.0), (end.0 + 8.0, end.1 + 7.0), &wall, &title);
            } else {
                let style = format!(r#"stroke="{LOST}" stroke-width="1.4" stroke-dasharray="5 3""#);
                c.line(start, end, &style, &title);
                c.cross(end, 5.0, LOST, &title);
            }
        }
        EventKind::Duplicate { to, msg, copy, .. } => {
            let p = (c.x(e.time), c.y(*to) - 14.0);
            c.text(p, 12, "middle", "#e69f00", "+");
            c.circle(p, 6.0, r#"fill="none" stroke="none""#, &format!("network duplicated #{msg} as #{copy}"));
        }
        EventKind::Timer { node, timer, label } => {
            let p = (c.x(e.time), c.y(*node));
            let label = if label.is_empty() { String::new() } else { format!(" {label}") };
            c.circle(
                p,
                4.5,
                r##"fill="white" stroke="#555" stroke-width="1.5""##,
                &format!("timer {timer}{label} fired at {}", e.time),
            );
            if let Some(l) = c.view.stamps.get(&e.seq) {
                c.text((p.0, p.1 - 9.0), 10, "middle", "#7a3e9d", &l.to_string());
            }
        }
        EventKind::Crash { node } => {
            c.cross((c.x(e.time), c.y(*node)), 7.0, LOST, &format!("{} crashed at {}", c.view.names[*node], e.time))
        }
        EventKind::Recover { node } => {
            let (x, y) = (c.x(e.time), c.y(*node));
            let title = format!("{} recovered at {}", c.view.names[*node], e.time);
            c.polygon(&[(x, y - 8.0), (x - 6.0, y + 4.0), (x + 6.0, y + 4.0)], r##"fill="#009e73""##, &title);
        }
        EventKind::Pause { .. } => {}
        // Drawn as a band by `draw_partitions`.
        EventKind::Partition { .. } => {}
        EventKind::Log { node, text } => {
            let (x, y) = (c.x(e.time), c.y(*node));
            c.polygon(
                &[(x, y - 6.0), (x + 5.0, y), (x, y + 6.0), (x - 5.0, y)],
                r##"fill="#cc79a7""##,
                &format!("log: {text}"),
            );
        }
        EventKind::Slow { node, factor } => {
            // An hourglass: two triangles meeting at the event's point.
            let (x, y) = (c.x(e.time), c.y(*node));
            let speed =
                if *factor == 1.0 { "back to normal speed".to_string() } else { format!("slowed to 1/{factor} speed") };
            c.polygon(
                &[(x - 5.0, y - 7.0), (x + 5.0, y - 7.0), (x, y), (x + 5.0, y + 7.0), (x - 5.0, y + 7.0), (x, y)],
                r##"fill="#e69f00""##,
                &format!("{} {speed} at {}", c.view.names[*node], e.time),
            );
        }
    }
}

/// A time axis under the lanes, ticks at 1/2/5 × 10^k nanoseconds, plus a one-line key.
fn draw_axis(c: &mut Canvas<'_>, height: f64) {
    let y = height - BOTTOM + 28.0;
    let right = LEFT + c.plot_width;
    c.line((LEFT, y), (right, y), r##"stroke="#444""##, "");
    let (from, to) = (c.view.from.as_nanos(), c.view.to.as_nanos());
    let span = (to - from).max(1);
    let mut step = 1u64;
    'search: for _ in 0..20 {
        for m in [1, 2, 5] {
            if step.saturating_mul(m).saturating_mul(6) >= span {
                step = step.saturating_mul(m);
                break 'search;
            }
        }
        step = step.saturating_mul(10);
    }
    let mut tick = from.div_ceil(step).saturating_mul(step);
    while tick <= to {
        let x = c.x(Time::from_nanos(tick));
        c.line((x, y), (x, y + 5.0), r##"stroke="#444""##, "");
        c.text((x, y + 18.0), 11, "middle", "#333", &Duration::from_nanos(tick).to_string());
        if tick > u64::MAX - step {
            break;
        }
        tick += step;
    }
    let key = "arrow: delivered · red dashed + ×: lost · brown dotted + //: blocked by a partition (shaded band) · \
               × on a lane: crash · ▲: recovery · ○: timer · ◇: log · ⧗: slowed";
    c.text((LEFT, height - 8.0), 10, "start", "#666", key);
}
