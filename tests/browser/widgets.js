// Widgets and the interactive space-time diagram in JupyterLab, in headless Debian chromium.
// Runs a notebook's cells (a slider made with `interact`, then a space-time diagram), drags the
// slider and waits for the widget's Output to follow, moves the diagram's scrubber and hovers a
// message, then saves, reloads the page and reads the widget again.
//
// Usage: node widgets.js --url URL --token TOKEN --notebook NAME.ipynb --screenshot PATH [--timeout-ms N]
// Prints one JSON line with what it found; exits 1 with a message on stderr when a step fails.
// The server is started and stopped by tests/python/test_widgets_browser.py.

"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

function parseArgs(argv) {
  const args = { timeoutMs: 600000 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "").replace(/-(\w)/g, (_, c) => c.toUpperCase());
    args[key] = key === "timeoutMs" ? Number(argv[i + 1]) : argv[i + 1];
  }
  return args;
}

// Polls `check` until it returns something truthy (and returns it); the default button of any
// dialog on the way is pressed (e.g. "Select Kernel").
async function until(page, timeoutMs, what, check) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const accept = page.locator(".jp-Dialog .jp-mod-accept");
    if (await accept.count()) await accept.first().click().catch(() => {});
    const value = await check(page);
    if (value) return value;
    await page.waitForTimeout(250);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function kernelIdle(page) {
  return page.evaluate(() => {
    const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = widget && widget.sessionContext && widget.sessionContext.session && widget.sessionContext.session.kernel;
    return Boolean(kernel && kernel.status === "idle" && kernel.connectionStatus === "connected");
  });
}

async function open(page, args) {
  const url = `${args.url}/lab/tree/${encodeURIComponent(args.notebook)}?token=${args.token}`;
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 120000 });
  await page.waitForSelector(".jp-NotebookPanel .jp-Cell", { timeout: 120000 });
  await until(page, 180000, "the kernel to start", kernelIdle);
}

// The slider's readout and the text of the widget's Output, once both show.
async function widgetState(page) {
  return page.evaluate(() => {
    const readout = document.querySelector(".widget-slider .widget-readout");
    const output = document.querySelector(".widget-output");
    if (!readout || !output || !output.textContent.trim()) return null;
    return { readout: readout.textContent.trim(), output: output.textContent.trim() };
  });
}

async function dragSlider(page) {
  const handle = page.locator(".widget-slider .noUi-handle").first();
  const track = await page.locator(".widget-slider .noUi-target").first().boundingBox();
  const box = await handle.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(track.x + track.width * 0.7, track.y + track.height / 2, { steps: 12 });
  await page.mouse.up();
}

// Scrubs the first live diagram to event 3, then sweeps the mouse over its canvas until a
// message's tooltip shows (a message names its two ends, `client -> server`; timers do not).
async function diagram(page) {
  const root = page.locator(".distsim-st[data-live]").first();
  await root.waitFor({ timeout: 60000 });
  await root.locator(".dst-scrub").fill("3");
  const scrubbed = (await root.locator(".dst-status").textContent()).trim();
  const canvas = await root.locator("canvas").boundingBox();
  const tip = root.locator(".dst-tip");
  for (let y = 10; y < canvas.height; y += 8) {
    for (let x = 60; x < canvas.width; x += 12) {
      await page.mouse.move(canvas.x + x, canvas.y + y);
      if (!(await tip.isVisible())) continue;
      const text = (await tip.textContent()).trim();
      if (text.includes(" -> ")) return { scrubbed, tooltip: text.slice(0, 200) };
    }
  }
  return { scrubbed, tooltip: "" };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "distsim-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS, viewport: { width: 1400, height: 1000 },
  });
  const page = context.pages()[0] || (await context.newPage());
  try {
    await open(page, args);
    await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
    await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
    const found = {};
    found.before = await until(page, args.timeoutMs, "the slider and its output", widgetState);
    await dragSlider(page);
    found.dragged = await until(page, 60000, "the output to follow the slider", async () => {
      const state = await widgetState(page);
      return state && state.readout !== found.before.readout && state.output === `loss is ${state.readout}` ? state : null;
    });
    found.diagram = await diagram(page);
    await until(page, args.timeoutMs, "the cells to finish", kernelIdle);
    await page.evaluate(() => window.jupyterapp.commands.execute("docmanager:save"));
    await page.screenshot({ path: args.screenshot });
    await page.reload({ waitUntil: "domcontentloaded" });
    await page.waitForSelector(".jp-NotebookPanel .jp-Cell", { timeout: 120000 });
    found.reloaded = await until(page, 120000, "the widget after the reload", widgetState);
    console.log(JSON.stringify(found));
  } catch (err) {
    await page.screenshot({ path: args.screenshot.replace(/\.png$/, "-failed.png") }).catch(() => {});
    throw err;
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`browser test failed: ${err.message}`);
  process.exit(1);
});
