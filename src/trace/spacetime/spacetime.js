// Interactive space-time diagram (distsim). Draws the JSON data next to it on a canvas; no
// network, no globals beyond one counter. Layout and flat-array formats: see data.rs.
(function () {
  "use strict";
  var me = document.currentScript;
  var root = me && me.closest ? me.closest(".distsim-st") : null;
  if (!root) {
    var waiting = document.querySelectorAll(".distsim-st:not([data-live])");
    root = waiting[waiting.length - 1];
  }
  if (!root || root.getAttribute("data-live")) return;
  root.setAttribute("data-live", "1");
  // The id comes from the content: a second display of the same diagram gets a suffix.
  window.__distsimSpaceTimes = (window.__distsimSpaceTimes || 0) + 1;
  if (document.querySelectorAll('[id="' + root.id + '"]').length > 1) root.id += "-" + window.__distsimSpaceTimes;
  var D = JSON.parse(root.querySelector(".dst-data").textContent);
  var q = function (c) { return root.querySelector("." + c); };
  var canvas = q("dst-canvas"), tip = q("dst-tip"), scrub = q("dst-scrub"), status = q("dst-status");
  var LEFT = 110, RIGHT = 40, TOP = 40, GAP = 56, BOTTOM = 46, EF = 5, MF = 11, IF = 5, FF = 7;
  var N = D.names.length, W = D.width, H = TOP + Math.max(N - 1, 0) * GAP + BOTTOM, plotW = W - LEFT - RIGHT;
  var A = D.agg, nev = A ? A.columns : D.ev.length / EF, nmsg = D.msgs.length / MF, span = Math.max(D.t1 - D.t0, 1);
  var REASONS = ["", "random loss", "blocked by a partition", "the receiver was crashed", "the link's queue was full", "rejected by the receiver"];
  var COLOR = { ok: "#1f4e79", lost: "#c0392b", part: "#8c564b", crashed: "#c0392b", flight: "#888" };
  var DASH = { ok: [], lost: [5, 3], part: [2, 3], crashed: [], flight: [3, 3] };
  var s = { k: nev, v0: 0, v1: span, lane: -1, hover: null, pinned: null, drag: null };
  var dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(W * dpr); canvas.height = Math.round(H * dpr);
  canvas.style.width = W + "px"; canvas.style.height = H + "px";
  var g = canvas.getContext("2d");

  function dur(n) {
    n = Math.round(n);
    if (n < 1e3) return n + "ns";
    var v = n < 1e6 ? [n / 1e3, "µs"] : n < 1e9 ? [n / 1e6, "ms"] : [n / 1e9, "s"];
    return v[0].toFixed(3).replace(/0+$/, "").replace(/\.$/, "") + v[1];
  }
  function at(rel) { return "t=" + dur(D.t0 + rel); }
  function X(rel) { return LEFT + (rel - s.v0) / (s.v1 - s.v0) * plotW; }
  function Y(lane) { return TOP + lane * GAP; }
  function T(x) { return s.v0 + (x - LEFT) / plotW * (s.v1 - s.v0); }
  function ev(i, f) { return D.ev[i * EF + f]; }
  function m(i, f) { return D.msgs[i * MF + f]; }
  function text(i) { return i >= 0 ? D.text[i] : ""; }
  function vec(i) { return "[" + D.vc.slice(i * N, i * N + N).join(", ") + "]"; }
  function evTime(i) { return A ? i * A.column_ns : ev(i, 0); }
  function laneOk(a, b) { return s.lane < 0 || a === s.lane || b === s.lane; }

  // Where a message is drawn: delivered to the receiver's lane; lost at the send as a short stub
  // towards the addressee (never reaching another lane); lost later, up to just before the
  // addressee's lane; at a crashed receiver, onto its lane.
  function geom(i) {
    var sx = X(m(i, 3)), sy = Y(m(i, 1)), ty = Y(m(i, 2)), out = m(i, 5), why = m(i, 6), ex = X(m(i, 4));
    if (out === 1) return [sx, sy, ex, ty, "ok"];
    if (out === 0) return [sx, sy, sx + 24, sy + (ty - sy) * 0.25, "flight"];
    if (why === 3) return [sx, sy, ex, ty, "crashed"];
    var dy = ty - sy, dir = dy > 0 ? 1 : dy < 0 ? -1 : 0, style = why === 2 ? "part" : "lost";
    if (ex - sx < 18) return [sx, sy, sx + 18, sy + dir * Math.min(Math.abs(dy) * 0.5, GAP * 0.35), style];
    return [sx, sy, ex, ty - dir * GAP * 0.4, style];
  }

  function messageText(i) {
    var id = m(i, 0), label = text(m(i, 7)), out = m(i, 5), copy = m(i, 10), se = m(i, 8), ee = m(i, 9);
    var lines = ["#" + id + (label ? " " + label : "") + (copy >= 0 ? " (network copy of #" + copy + ")" : ""),
      D.names[m(i, 1)] + " -> " + D.names[m(i, 2)]];
    var when = "sent at " + at(m(i, 3));
    if (out === 1) when += ", delivered at " + at(m(i, 4)) + " (after " + dur(m(i, 4) - m(i, 3)) + ")";
    else if (out === 2) when += ", lost at " + at(m(i, 4)) + ": " + REASONS[m(i, 6)];
    else when += ", still in flight when the run stopped";
    lines.push(when);
    var lam = [], vc = [];
    if (se >= 0 && ev(se, 4) >= 0) { lam.push("send " + ev(se, 4)); vc.push("send " + vec(se)); }
    if (ee >= 0 && out === 1 && ev(ee, 4) >= 0) { lam.push("delivery " + ev(ee, 4)); vc.push("delivery " + vec(ee)); }
    if (lam.length) lines.push("Lamport: " + lam.join(", "), "vector: " + vc.join(", "));
    return lines.join("\n");
  }

  function eventText(i) {
    var c = ev(i, 1), node = ev(i, 2), aux = ev(i, 3), who = node >= 0 ? D.names[node] + " " : "", t = at(ev(i, 0));
    var what;
    switch (c) {
      case 1: what = "send #" + (aux >= 0 ? m(aux, 0) : "?") + " " + text(aux >= 0 ? m(aux, 7) : -1); break;
      case 2: what = "deliver #" + (aux >= 0 ? m(aux, 0) : "?"); break;
      case 3: what = "drop #" + (aux >= 0 ? m(aux, 0) + " (" + REASONS[m(aux, 6)] + ")" : "?"); break;
      case 4: what = "network duplicated #" + (aux >= 0 ? m(aux, 10) + " as #" + m(aux, 0) : "?"); break;
      case 6: what = "crashed"; break;
      case 7: what = "recovered"; break;
      case 8: what = "paused"; break;
      case 9: what = "resumed"; break;
      case 10: what = "partition " + text(aux); break;
      case 11: what = "healed " + text(aux); break;
      case 12: what = "log: " + text(aux); break;
      default: who = ""; what = text(aux);
    }
    var stamp = ev(i, 4) >= 0 ? "  [Lamport " + ev(i, 4) + ", vector " + vec(i) + "]" : "";
    return t + "  " + who + what + stamp;
  }

  function drawIntervals() {
    for (var o = 0; o < D.iv.length; o += IF) {
      var lane = D.iv[o], kind = D.iv[o + 1], x0 = X(D.iv[o + 2]), x1 = Math.max(X(D.iv[o + 3]), x0 + 2);
      if (kind === 3) {
        g.fillStyle = "rgba(140,86,75,0.13)";
        g.fillRect(x0, TOP - 24, x1 - x0, (N - 1) * GAP + 48);
        g.fillStyle = "#8c564b"; g.font = "10px sans-serif"; g.textAlign = "left";
        g.fillText("partition " + text(D.iv[o + 4]), x0 + 3, TOP - 28);
      } else if (laneOk(lane, lane)) {
        g.fillStyle = kind === 1 ? "rgba(192,57,43,0.16)" : "rgba(230,159,0,0.28)";
        g.fillRect(x0, Y(lane) - 11, x1 - x0, 22);
      }
    }
  }

  function cross(p, x, y, r) { p.moveTo(x - r, y - r); p.lineTo(x + r, y + r); p.moveTo(x - r, y + r); p.lineTo(x + r, y - r); }

  // Every message and event, fully drawn. A scrub step only changes how much of this picture is
  // shown solid (left of the cursor) and how much faint, so it is painted once per zoom or lane
  // filter, not once per step: a step costs two image copies whatever the run's length.
  function drawEvents() {
    var paths = {}, heads = new Path2D(), marks = { lost: new Path2D(), part: new Path2D(), crashed: new Path2D() };
    function path(key) { return paths[key] || (paths[key] = new Path2D()); }
    for (var i = 0; i < nmsg; i++) {
      if (!laneOk(m(i, 1), m(i, 2))) continue;
      var p = geom(i), st = p[4];
      if ((p[0] < LEFT && p[2] < LEFT) || (p[0] > LEFT + plotW && p[2] > LEFT + plotW)) continue;
      var q2 = path(st);
      q2.moveTo(p[0], p[1]); q2.lineTo(p[2], p[3]);
      if (st === "ok") arrowHead(heads, p);
      else if (st === "part") { q2 = marks.part; q2.moveTo(p[2] - 3, p[3] - 7); q2.lineTo(p[2] + 3, p[3] + 7); q2.moveTo(p[2] + 2, p[3] - 7); q2.lineTo(p[2] + 8, p[3] + 7); }
      else if (st !== "flight") cross(marks[st], p[2], p[3], 4.5);
    }
    for (var key in paths) {
      g.strokeStyle = COLOR[key]; g.setLineDash(DASH[key]); g.lineWidth = 1.3;
      g.stroke(paths[key]);
    }
    g.setLineDash([]);
    g.fillStyle = COLOR.ok; g.fill(heads);
    g.lineWidth = 2.2; g.strokeStyle = COLOR.lost; g.stroke(marks.lost); g.stroke(marks.crashed);
    g.strokeStyle = COLOR.part; g.stroke(marks.part);
    var dots = new Path2D(), timers = new Path2D(), big = [];
    for (var j = 0; j < nev; j++) {
      var node = ev(j, 2), c = ev(j, 1);
      if (node < 0 || (s.lane >= 0 && node !== s.lane)) continue;
      var x = X(ev(j, 0)), y = Y(node);
      if (x < LEFT - 8 || x > LEFT + plotW + 8) continue;
      if (c === 1 || c === 2) dots.rect(x - 1.5, y - 1.5, 3, 3);
      else if (c === 5 || c === 13) { timers.moveTo(x + 4.5, y); timers.arc(x, y, 4.5, 0, 2 * Math.PI); }
      else if (c !== 3 && c !== 8 && c !== 9) big.push(j);
    }
    g.fillStyle = "#222"; g.fill(dots);
    g.fillStyle = "#fff"; g.fill(timers); g.strokeStyle = "#555"; g.lineWidth = 1.5; g.stroke(timers);
    for (var b2 = 0; b2 < big.length; b2++) bigMark(big[b2]);
  }

  function arrowHead(p, q2) {
    var dx = q2[2] - q2[0], dy = q2[3] - q2[1], len = Math.max(Math.sqrt(dx * dx + dy * dy), 1e-9), ux = dx / len, uy = dy / len;
    var bx = q2[2] - 8 * ux, by = q2[3] - 8 * uy;
    p.moveTo(q2[2], q2[3]); p.lineTo(bx - 3.5 * uy, by + 3.5 * ux); p.lineTo(bx + 3.5 * uy, by - 3.5 * ux); p.closePath();
  }

  function bigMark(j) {
    var c = ev(j, 1), x = X(ev(j, 0)), y = Y(ev(j, 2)), p = new Path2D();
    if (c === 6) { cross(p, x, y, 7); g.strokeStyle = COLOR.lost; g.lineWidth = 2.5; g.stroke(p); }
    else if (c === 7) { p.moveTo(x, y - 8); p.lineTo(x - 6, y + 4); p.lineTo(x + 6, y + 4); p.closePath(); g.fillStyle = "#009e73"; g.fill(p); }
    else if (c === 12) { p.moveTo(x, y - 6); p.lineTo(x + 5, y); p.lineTo(x, y + 6); p.lineTo(x - 5, y); p.closePath(); g.fillStyle = "#cc79a7"; g.fill(p); }
    else if (c === 4) { g.fillStyle = "#e69f00"; g.font = "12px sans-serif"; g.textAlign = "center"; g.fillText("+", x, y - 10); }
  }

  // A large run: one line per (lane pair, pixel column), darker for more messages.
  function drawAggregate() {
    var maxN = 1, o, levels = [], cw = A.column_ns;
    for (o = 0; o < A.flows.length; o += FF) maxN = Math.max(maxN, A.flows[o + 3] + A.flows[o + 5] + A.flows[o + 6]);
    for (var l = 0; l < 8; l++) levels.push(new Path2D());
    var part = new Path2D(), lost = new Path2D();
    for (o = 0; o < A.flows.length; o += FF) {
      var f = A.flows[o], t = A.flows[o + 1], col = A.flows[o + 2];
      if (!laneOk(f, t)) continue;
      var x = X((col + 0.5) * cw), sy = Y(f), ty = Y(t), dir = ty > sy ? 1 : ty < sy ? -1 : 0;
      if (A.flows[o + 3] > 0) {
        var lvl = Math.min(7, Math.floor(8 * Math.sqrt(A.flows[o + 3] / maxN)));
        levels[lvl].moveTo(x, sy); levels[lvl].lineTo(X((col + 0.5) * cw + A.flows[o + 4]), ty);
      }
      if (A.flows[o + 5] > 0) { part.moveTo(x, sy); part.lineTo(x + 3, sy + dir * GAP * 0.3); }
      if (A.flows[o + 6] > 0) { lost.moveTo(x, sy); lost.lineTo(x + 3, sy + dir * GAP * 0.3); }
    }
    g.lineWidth = 1;
    for (l = 0; l < 8; l++) { g.globalAlpha = 0.12 + 0.11 * l; g.strokeStyle = COLOR.ok; g.stroke(levels[l]); }
    g.globalAlpha = 0.8; g.strokeStyle = COLOR.part; g.stroke(part); g.strokeStyle = COLOR.lost; g.stroke(lost);
    var bars = new Path2D();
    for (o = 0; o < A.lanes.length; o += 3) {
      if (s.lane >= 0 && A.lanes[o] !== s.lane) continue;
      var h = Math.min(12, 2 + 2 * Math.log2(A.lanes[o + 2])), bx = X(A.lanes[o + 1] * cw);
      bars.rect(bx, Y(A.lanes[o]) - h, Math.max(X((A.lanes[o + 1] + 1) * cw) - bx, 1), h);
    }
    g.globalAlpha = 0.5; g.fillStyle = "#222"; g.fill(bars);
    g.globalAlpha = 1;
  }

  function drawAxis() {
    var y = H - BOTTOM + 18, sp = s.v1 - s.v0, step = 1;
    g.strokeStyle = "#444"; g.lineWidth = 1; g.beginPath(); g.moveTo(LEFT, y); g.lineTo(LEFT + plotW, y); g.stroke();
    while (step * 6 < sp) step *= step.toString()[0] === "2" ? 2.5 : 2;
    g.fillStyle = "#333"; g.font = "11px sans-serif"; g.textAlign = "center";
    for (var t = Math.ceil((D.t0 + s.v0) / step) * step; t <= D.t0 + s.v1; t += step) {
      var x = X(t - D.t0); g.beginPath(); g.moveTo(x, y); g.lineTo(x, y + 5); g.stroke();
      g.fillText(dur(t), x, y + 17);
    }
  }

  // The painted picture of every event, redone only when the zoom or the lane filter changes.
  var layer = document.createElement("canvas"), layerKey = null;
  layer.width = canvas.width; layer.height = canvas.height;
  function paintLayer() {
    var key = s.v0 + " " + s.v1 + " " + s.lane;
    if (key === layerKey) return;
    layerKey = key;
    var main = g;
    g = layer.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0); g.clearRect(0, 0, W, H);
    g.save(); g.beginPath(); g.rect(LEFT - 8, 0, plotW + 16, H); g.clip();
    if (A) drawAggregate(); else drawEvents();
    g.restore();
    g = main;
  }

  function draw() {
    var started = performance.now(), k = s.k;
    paintLayer();
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.fillStyle = "#fff"; g.fillRect(0, 0, W, H);
    g.save(); g.beginPath(); g.rect(LEFT - 8, 0, plotW + 16, H); g.clip();
    drawIntervals();
    g.strokeStyle = "#bbb"; g.lineWidth = 1;
    for (var n = 0; n < N; n++) { g.beginPath(); g.moveTo(LEFT, Y(n)); g.lineTo(LEFT + plotW, Y(n)); g.stroke(); }
    // What happened up to the cursor is solid, the rest faint: events are in time order, so
    // "before the cursor" is "left of its x", and a message in flight is solid up to the cursor.
    var cx = k >= nev ? W : k === 0 ? 0 : X(evTime(k - 1)) + (A ? X(A.column_ns) - X(0) : 0.5);
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.globalAlpha = 0.14; g.drawImage(layer, 0, 0); g.globalAlpha = 1;
    g.save(); g.beginPath(); g.rect(0, 0, Math.max(cx, 0) * dpr, H * dpr); g.clip(); g.drawImage(layer, 0, 0); g.restore();
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    if (!A && k > 0 && k < nev) {
      var x = X(ev(k - 1, 0));
      g.strokeStyle = "rgba(214,39,40,0.7)"; g.lineWidth = 1; g.beginPath(); g.moveTo(x, TOP - 30); g.lineTo(x, H - BOTTOM); g.stroke();
      if (ev(k - 1, 2) >= 0) { g.beginPath(); g.arc(x, Y(ev(k - 1, 2)), 7, 0, 2 * Math.PI); g.stroke(); }
    }
    if (A && k > 0 && k < nev) { g.strokeStyle = "rgba(214,39,40,0.7)"; g.beginPath(); g.moveTo(cx, TOP - 30); g.lineTo(cx, H - BOTTOM); g.stroke(); }
    // Highlighted events (a violation's operations): a ring, numbered when several, and a
    // message's arrow drawn thick.
    for (var h = 0; !A && h < D.hl.length; h++) {
      var he = D.hl[h][0], hx = X(ev(he, 0)), hn = ev(he, 2), hc = ev(he, 1), ha = ev(he, 3);
      g.setLineDash([]);
      if ((hc === 1 || hc === 2) && ha >= 0 && laneOk(m(ha, 1), m(ha, 2))) { var hp = geom(ha); g.strokeStyle = "rgba(214,39,40,0.8)"; g.lineWidth = 3.5; g.beginPath(); g.moveTo(hp[0], hp[1]); g.lineTo(hp[2], hp[3]); g.stroke(); }
      if (hn < 0 || (s.lane >= 0 && hn !== s.lane)) continue;
      g.strokeStyle = "#d62728"; g.lineWidth = 2.5; g.beginPath(); g.arc(hx, Y(hn), 9, 0, 2 * Math.PI); g.stroke();
      if (D.hl.length > 1) { g.fillStyle = "#d62728"; g.font = "11px sans-serif"; g.textAlign = "left"; g.fillText(String(h + 1), hx + 9, Y(hn) - 9); }
    }
    var hi = s.pinned || s.hover;
    if (hi && hi.msg !== undefined) { var p = geom(hi.msg); g.strokeStyle = "#d62728"; g.lineWidth = 3; g.setLineDash([]); g.beginPath(); g.moveTo(p[0], p[1]); g.lineTo(p[2], p[3]); g.stroke(); }
    if (s.drag && s.drag.x1 !== undefined) { g.fillStyle = "rgba(31,78,121,0.15)"; g.fillRect(Math.min(s.drag.x0, s.drag.x1), 0, Math.abs(s.drag.x1 - s.drag.x0), H); }
    g.restore();
    g.font = "13px sans-serif"; g.textAlign = "right";
    for (n = 0; n < N; n++) { g.fillStyle = s.lane < 0 || s.lane === n ? "#000" : "#bbb"; g.fillText(D.names[n] + (s.lane === n ? " ●" : ""), LEFT - 12, Y(n) + 4); }
    drawAxis();
    root.setAttribute("data-zoom", at(s.v0) + " " + at(s.v1));
    root.setAttribute("data-lane", s.lane < 0 ? "" : D.names[s.lane]);
    root.setAttribute("data-draw-ms", (performance.now() - started).toFixed(3));
  }

  function showStatus() {
    var k = s.k, head = A ? "column " + k + "/" + nev : "event " + k + "/" + nev;
    if (k === 0) status.textContent = head + ": before the first " + (A ? "column" : "event");
    else if (A) status.textContent = head + ": up to " + at(k * A.column_ns);
    else status.textContent = head + ": " + eventText(k - 1);
    scrub.value = String(k);
  }
  function update() { draw(); showStatus(); }

  function passes(j) { var n = ev(j, 2); return A || s.lane < 0 || n === s.lane || (ev(j, 1) <= 4 && ev(j, 3) >= 0 && laneOk(m(ev(j, 3), 1), m(ev(j, 3), 2))); }
  function step(dir) {
    var j = dir > 0 ? s.k : s.k - 2;
    while (j >= 0 && j < nev && !passes(j)) j += dir;
    s.k = dir > 0 ? (j < nev ? j + 1 : s.k) : Math.max(j + 1, 0);
    update();
  }

  function segDist(px, py, p) {
    var dx = p[2] - p[0], dy = p[3] - p[1], l2 = dx * dx + dy * dy, t = l2 ? ((px - p[0]) * dx + (py - p[1]) * dy) / l2 : 0;
    t = Math.max(0, Math.min(1, t));
    var ex = p[0] + t * dx - px, ey = p[1] + t * dy - py;
    return Math.sqrt(ex * ex + ey * ey);
  }
  function find(px, py) {
    var best = null, bd = 7, i, d;
    if (A) {
      for (var o = 0; o < A.flows.length; o += FF) {
        if (!laneOk(A.flows[o], A.flows[o + 1])) continue;
        var x = X((A.flows[o + 2] + 0.5) * A.column_ns);
        d = segDist(px, py, [x, Y(A.flows[o]), X((A.flows[o + 2] + 0.5) * A.column_ns + A.flows[o + 4]), Y(A.flows[o + 1])]);
        if (d < bd) { bd = d; best = { flow: o }; }
      }
      return best;
    }
    for (i = 0; i < nev; i++) {
      var c = ev(i, 1), node = ev(i, 2);
      if (c === 1 || c === 2 || c === 3 || node < 0 || (s.lane >= 0 && node !== s.lane)) continue;
      d = Math.hypot(X(ev(i, 0)) - px, Y(node) - py);
      if (d < bd) { bd = d; best = { ev: i }; }
    }
    for (i = 0; i < nmsg; i++) {
      if (!laneOk(m(i, 1), m(i, 2))) continue;
      d = segDist(px, py, geom(i));
      if (d < bd) { bd = d; best = { msg: i }; }
    }
    return best;
  }
  function tipText(h) {
    if (h.msg !== undefined) return messageText(h.msg);
    if (h.ev !== undefined) return eventText(h.ev);
    var o = h.flow, F = A.flows, c0 = F[o + 2] * A.column_ns;
    return D.names[F[o]] + " -> " + D.names[F[o + 1]] + ", sent in [" + at(c0) + ", " + at(c0 + A.column_ns) + "):\n" +
      F[o + 3] + " delivered (mean latency " + dur(F[o + 4]) + "), " + F[o + 5] + " blocked by a partition, " + F[o + 6] + " lost otherwise";
  }
  function showTip(h, px, py) {
    if (!h) { tip.hidden = true; return; }
    tip.textContent = tipText(h);
    tip.hidden = false;
    var c = canvas.getBoundingClientRect(), r = root.getBoundingClientRect();
    tip.style.left = (c.left - r.left + root.scrollLeft + Math.min(px + 14, W - 260)) + "px";
    tip.style.top = (c.top - r.top + py + 14) + "px";
  }
  function point(e) { var c = canvas.getBoundingClientRect(); return [e.clientX - c.left, e.clientY - c.top]; }

  canvas.addEventListener("mousedown", function (e) { var p = point(e); if (p[0] >= LEFT) s.drag = { x0: p[0] }; });
  canvas.addEventListener("mousemove", function (e) {
    var p = point(e);
    if (s.drag) { s.drag.x1 = p[0]; draw(); return; }
    if (s.pinned) return;
    s.hover = find(p[0], p[1]);
    showTip(s.hover, p[0], p[1]);
    draw();
  });
  canvas.addEventListener("mouseleave", function () { if (!s.pinned) { s.hover = null; tip.hidden = true; draw(); } });
  window.addEventListener("mouseup", function (e) {
    if (!s.drag) return;
    var d = s.drag; s.drag = null;
    if (d.x1 !== undefined && Math.abs(d.x1 - d.x0) > 4) {
      var a = T(Math.min(d.x0, d.x1)), b = T(Math.max(d.x0, d.x1));
      s.v0 = a; s.v1 = Math.max(b, a + 1); s.pinned = null; tip.hidden = true; update();
    } else draw();
  });
  canvas.addEventListener("click", function (e) {
    var p = point(e);
    if (p[0] < LEFT - 4) {
      var lane = Math.round((p[1] - TOP) / GAP);
      if (lane >= 0 && lane < N && Math.abs(p[1] - Y(lane)) < GAP / 2) { s.lane = s.lane === lane ? -1 : lane; s.pinned = null; tip.hidden = true; update(); }
      return;
    }
    var h = find(p[0], p[1]);
    s.pinned = h; s.hover = h; showTip(h, p[0], p[1]); draw();
  });
  scrub.max = String(nev);
  scrub.addEventListener("input", function () { s.k = Number(scrub.value); update(); });
  q("dst-prev").addEventListener("click", function () { step(-1); });
  q("dst-next").addEventListener("click", function () { step(1); });
  q("dst-reset").addEventListener("click", function () { s.v0 = 0; s.v1 = span; s.lane = -1; s.pinned = null; tip.hidden = true; update(); });
  q("dst-static").hidden = true;
  q("dst-live").hidden = false;
  update();
})();
