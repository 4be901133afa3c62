// Drives the interactive space-time diagrams written by `examples/spacetime_html.rs` in headless
// Debian chromium: steps through a run, hovers a message and reads the tooltip, filters a lane,
// zooms, moves the scrubber, times scrub steps on 10,000 events, checks the aggregated view of
// 100,000, and checks that with scripts off the static SVG is what shows.
//
// Usage: node spacetime.js DIR   (DIR holds small.html, large.html, huge.html)
// Prints one JSON line with what it measured; exits 1 with the failed checks on stderr.
// Run by tests/python/test_spacetime_browser.py.

"use strict";
const path = require("path");
const { chromium } = require("playwright-core");

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
// The canvas layout of spacetime.js: plot from x = 110 to width - 40, lanes at y = 40 + 56 * lane.
const LEFT = 110, TOP = 40, GAP = 56;

const problems = [];
function check(ok, what) { if (!ok) problems.push(what); }

async function status(root) { return (await root.locator(".dst-status").textContent()).trim(); }

async function small(browser, dir, found) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto("file://" + path.join(dir, "small.html"));
  await page.waitForFunction(() => document.querySelectorAll(".distsim-st[data-live]").length === 3, null, { timeout: 10000 });
  const ids = await page.$$eval(".distsim-st", (els) => els.map((e) => e.id));
  found.ids = ids;
  check(new Set(ids).size === 3, `three distinct ids: ${ids}`);
  const root = page.locator(".distsim-st").first();
  check(await root.locator(".dst-static").isHidden(), "the script hides the static SVG");
  check(await root.locator("canvas").isVisible(), "the canvas shows");
  check((await status(root)).startsWith("event 17/17"), `starts at the end: ${await status(root)}`);

  // Step buttons.
  await root.locator(".dst-prev").click();
  check((await status(root)).startsWith("event 16/17: t=65ms  b send #5 Done"), `prev: ${await status(root)}`);
  await root.locator(".dst-scrub").fill("0");
  check((await status(root)).startsWith("event 0/17: before the first event"), `scrub to 0: ${await status(root)}`);
  await root.locator(".dst-next").click();
  const first = await status(root);
  check(first.startsWith("event 1/17: t=0ns  a send #1 Vote { term: 1, granted: true }") && first.includes("vector [1, 0, 0]"), `next: ${first}`);
  found.stepped = first;
  // The scrubber moves the cursor: the status follows it.
  await root.locator(".dst-scrub").fill("7");
  const seventh = await status(root);
  check(seventh.startsWith("event 7/17: t=30ms  c drop #3 (blocked by a partition)"), `scrub to 7: ${seventh}`);

  // Hover the middle of message #1: from a at 0 ms to b at 10 ms, on a 70 ms axis 810 px wide.
  const box = await root.locator("canvas").boundingBox();
  const x = LEFT + (5 / 70) * 810, y = TOP + GAP / 2;
  await page.mouse.move(box.x + x, box.y + y);
  const tip = root.locator(".dst-tip");
  check(await tip.isVisible(), "hovering a message shows a tooltip");
  const tipText = await tip.textContent();
  found.tooltip = tipText;
  for (const want of ["#1 Vote { term: 1, granted: true }", "a -> b", "sent at t=0ns, delivered at t=10ms",
    "Lamport: send 1, delivery 2", "vector: send [1, 0, 0], delivery [1, 1, 0]"]) {
    check(tipText.includes(want), `tooltip has "${want}": ${tipText}`);
  }
  await page.mouse.move(box.x + 5, box.y + 5);
  check(await tip.isHidden(), "the tooltip goes when the mouse leaves the message");

  // Click lane c's name: only c's events; stepping from the start finds the first one.
  await page.mouse.click(box.x + LEFT - 30, box.y + TOP + 2 * GAP);
  check((await root.getAttribute("data-lane")) === "c", "clicking a name filters its lane");
  await root.locator(".dst-scrub").fill("0");
  await root.locator(".dst-next").click();
  check((await status(root)).startsWith("event 3/17: t=12ms  b send #2"), `first event about c: ${await status(root)}`);
  await root.locator(".dst-reset").click();
  check((await root.getAttribute("data-lane")) === "", "whole run clears the filter");

  // Drag across the plot from 35 ms to 70 ms: the view zooms to that range.
  await page.mouse.move(box.x + LEFT + 405, box.y + 150);
  await page.mouse.down();
  await page.mouse.move(box.x + LEFT + 600, box.y + 150, { steps: 4 });
  await page.mouse.move(box.x + LEFT + 810, box.y + 150, { steps: 4 });
  await page.mouse.up();
  found.zoom = await root.getAttribute("data-zoom");
  check(found.zoom === "t=35ms t=70ms", `zoomed to 35..70 ms: ${found.zoom}`);
  // The other diagrams did not move.
  check((await status(page.locator(".distsim-st").nth(1))).startsWith("event 17/17"), "diagrams are independent");
  check(errors.length === 0, `page errors: ${errors}`);
  await page.close();
}

async function large(browser, dir, found) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto("file://" + path.join(dir, "large.html"));
  await page.waitForSelector(".distsim-st[data-live]", { timeout: 20000 });
  found.largeEvents = Number(await page.getAttribute(".distsim-st", "data-events"));
  // 200 scrub steps spread over the run; each redraws synchronously on its input event.
  found.scrub = await page.evaluate(async () => {
    const root = document.querySelector(".distsim-st"), scrub = root.querySelector(".dst-scrub");
    const n = Number(scrub.max), draws = [], frames = [];
    let last = await new Promise(requestAnimationFrame);
    for (let i = 0; i < 200; i++) {
      scrub.value = String(Math.round(((i * 37) % 200) / 199 * n));
      scrub.dispatchEvent(new Event("input"));
      draws.push(Number(root.getAttribute("data-draw-ms")));
      const now = await new Promise(requestAnimationFrame);
      frames.push(now - last);
      last = now;
    }
    const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
    draws.sort((a, b) => a - b);
    return { steps: draws.length, drawMeanMs: mean(draws), drawP95Ms: draws[Math.floor(draws.length * 0.95)],
      drawMaxMs: draws[draws.length - 1], frameMeanMs: mean(frames) };
  });
  // A zoom repaints every event once (the scrubber then only copies that picture).
  const box = await page.locator("canvas").boundingBox();
  const before = await page.getAttribute(".distsim-st", "data-zoom");
  await page.mouse.move(box.x + LEFT + 100, box.y + 100);
  await page.mouse.down();
  await page.mouse.move(box.x + LEFT + 500, box.y + 100, { steps: 3 });
  await page.mouse.up();
  found.zoomRepaintMs = Number(await page.getAttribute(".distsim-st", "data-draw-ms"));
  found.largeZoom = await page.getAttribute(".distsim-st", "data-zoom");
  check(found.largeZoom !== before, `the large diagram zoomed: ${before} -> ${found.largeZoom}`);
  await page.close();
}

async function huge(browser, dir, found) {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto("file://" + path.join(dir, "huge.html"));
  await page.waitForSelector(".distsim-st[data-live]", { timeout: 20000 });
  const root = page.locator(".distsim-st");
  found.hugeEvents = Number(await root.getAttribute("data-events"));
  check(/aggregated/.test(await root.locator(".dst-caption").textContent()), "the 100k caption says it aggregates");
  await root.locator(".dst-scrub").fill("100");
  check((await status(root)).startsWith("column 100/"), `aggregated scrubber steps by column: ${await status(root)}`);
  found.hugeDrawMs = Number(await root.getAttribute("data-draw-ms"));
  await page.close();
}

async function noScript(dir, found) {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto("file://" + path.join(dir, "small.html"));
    const root = page.locator(".distsim-st").first();
    found.noScriptStaticVisible = await root.locator(".dst-static svg").isVisible();
    check(found.noScriptStaticVisible, "without scripts the static SVG shows");
    check(await root.locator(".dst-live").isHidden(), "without scripts the controls stay hidden");
    check(await root.locator(".dst-static svg").textContent().then((t) => t.includes("Space-time diagram")), "static SVG has its title");
  } finally {
    await browser.close();
  }
}

async function main() {
  const dir = path.resolve(process.argv[2] || "");
  const found = {};
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
  try {
    await small(browser, dir, found);
    await large(browser, dir, found);
    await huge(browser, dir, found);
  } finally {
    await browser.close();
  }
  await noScript(dir, found);
  console.log(JSON.stringify(found));
  if (problems.length) {
    console.error(problems.join("\n"));
    process.exit(1);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
