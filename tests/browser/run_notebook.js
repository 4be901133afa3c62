// Opens one notebook in a running JupyterLab with headless Debian chromium, runs every cell the
// way a student would (Run menu > Run All Cells), waits for the kernel to go idle and checks what
// the page shows: at least one SVG plot, at least one HTML table, and no error output.
//
// Usage: node run_notebook.js --url http://127.0.0.1:PORT --token TOKEN --notebook NAME.ipynb
//                             --screenshot PATH [--timeout-ms N]
// Prints one JSON line with what it found; exits 1 with a message on stderr when a check fails.
// The server is started and stopped by tests/python/test_browser.py.

"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { chromium } = require("playwright-core");

function parseArgs(argv) {
  const args = { timeoutMs: 600000 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, "").replace(/-(\w)/g, (_, c) => c.toUpperCase());
    args[key] = key === "timeoutMs" ? Number(argv[i + 1]) : argv[i + 1];
  }
  for (const need of ["url", "token", "notebook", "screenshot"]) {
    if (!args[need]) throw new Error(`missing --${need}`);
  }
  return args;
}

// Chromium must not talk to anything but the local server: no sync, no updates, no QUIC probing.
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "distsim-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  try {
    const page = context.pages()[0] || (await context.newPage());
    const consoleErrors = [];
    page.on("pageerror", (err) => consoleErrors.push(String(err)));
    try {
      await run(page, args);
    } catch (err) {
      // Keep a picture of the page as it was when the run got stuck.
      await page.screenshot({ path: args.screenshot.replace(/\.png$/, "-failed.png") }).catch(() => {});
      throw err;
    }
    const found = await inspect(page);
    // A tidy picture: no news toast, and the first plot in view.
    await page.locator(".Toastify__toast button", { hasText: /^No$/ }).first().click({ timeout: 2000 }).catch(() => {});
    await page.locator(".jp-RenderedSVG").first().scrollIntoViewIfNeeded({ timeout: 5000 }).catch(() => {});
    await page.screenshot({ path: args.screenshot, fullPage: false });
    found.pageErrors = consoleErrors.length;
    console.log(JSON.stringify(found));
    const problems = [];
    if (found.svg < 1) problems.push("no SVG plot rendered");
    if (found.tables < 1) problems.push("no HTML table rendered");
    if (found.errorOutputs > 0) problems.push(`error outputs: ${found.errorText}`);
    if (found.stderrOutputs > 0) problems.push(`stderr/error outputs shown: ${found.stderrText}`);
    if (found.unfinished > 0) problems.push(`${found.unfinished} cells did not finish`);
    if (problems.length) throw new Error(problems.join("; "));
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function run(page, args) {
  const url = `${args.url}/lab/tree/${encodeURIComponent(args.notebook)}?token=${args.token}`;
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 120000 });
  // The notebook is open once its cells are in the DOM and its kernel has started.
  await page.waitForSelector(".jp-NotebookPanel .jp-Cell", { timeout: 120000 });
  await until(page, 180000, "the kernel to start", kernelIdle);
  await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
  // Then every code cell must carry an execution count and the kernel must be idle again. Run All
  // stops at the first failing cell, so an error output also ends the wait (and fails the test).
  await page.waitForTimeout(1000);
  await until(page, args.timeoutMs, "every cell to finish", async () =>
    ((await allCellsNumbered(page)) || (await anyErrorShown(page))) && (await kernelIdle(page)));
}

async function anyErrorShown(page) {
  return page.evaluate(() => Boolean(document.querySelector(
    '.jp-NotebookPanel .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')));
}

// Polls `check` until it holds, answering any JupyterLab dialog on the way with its default
// button (e.g. "Select Kernel" when the kernel was restarted while the page loaded).
async function until(page, timeoutMs, what, check) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const accept = page.locator(".jp-Dialog .jp-mod-accept");
    if (await accept.count()) await accept.first().click().catch(() => {});
    if (await check(page)) return;
    await page.waitForTimeout(500);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

// The kernel is ready when it is idle *and* its websocket is connected: the toolbar shows "idle"
// a moment before the connection is up, and cells run in that moment are silently dropped.
async function kernelIdle(page) {
  return page.evaluate(() => {
    const widget = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const session = widget && widget.sessionContext && widget.sessionContext.session;
    const kernel = session && session.kernel;
    return Boolean(kernel && kernel.status === "idle" && kernel.connectionStatus === "connected");
  });
}

async function allCellsNumbered(page) {
  return page.evaluate(() => {
    const prompts = [...document.querySelectorAll(".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt")];
    return prompts.length > 0 && prompts.every((p) => /\[\d+\]/.test(p.textContent));
  });
}

async function inspect(page) {
  return page.evaluate(() => {
    const panel = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden)") || document;
    const outputs = [...panel.querySelectorAll(".jp-OutputArea-output")];
    // JupyterLab shows image/svg+xml as an <img> with a data URI; count only pictures that decoded.
    const svg = outputs.filter((o) => [...o.querySelectorAll(".jp-RenderedSVG img")]
      .some((img) => img.complete && img.naturalWidth > 0)).length;
    const tables = outputs.filter((o) => o.querySelector("table")).length;
    // JupyterLab renders both error outputs and stderr text with this MIME type.
    const stderr = outputs.filter((o) => o.getAttribute("data-mime-type") === "application/vnd.jupyter.stderr");
    // The notebook model tells error outputs apart (the app is exposed by the test's server flags).
    let errorOutputs = 0, errorText = "";
    const app = window.jupyterapp;
    const widget = app && app.shell.currentWidget;
    const cells = widget && widget.content && widget.content.model ? widget.content.model.cells : null;
    let unfinished = 0;
    if (cells) {
      for (let i = 0; i < cells.length; i++) {
        const cell = cells.get(i);
        if (cell.type !== "code") continue;
        if (cell.executionCount == null) unfinished += 1;
        const outs = cell.outputs;
        for (let j = 0; j < outs.length; j++) {
          const out = outs.get(j);
          if (out.type === "error") {
            errorOutputs += 1;
            const raw = out.toJSON();
            errorText += `[cell ${i}] ${raw.ename}: ${raw.evalue} `;
          }
        }
      }
    }
    return {
      modelSeen: Boolean(cells),
      outputs: outputs.length,
      svg,
      tables,
      stderrOutputs: stderr.length,
      stderrText: stderr.map((o) => o.textContent.slice(0, 300)).join(" | "),
      errorOutputs,
      errorText,
      unfinished,
    };
  });
}

main().catch((err) => {
  console.error(`browser test failed: ${err.message}`);
  process.exit(1);
});
