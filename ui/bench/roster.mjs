// Benchmark (not a test): how long the roster screen takes to show, and how long a search takes
// from typing to the hits on screen, in headless Chromium on the real core through the bridge.
// Run by scripts/ui-bench.sh, which starts the bridge on a 2,000-household demo village.

import { chromium } from "playwright-core";

const url = process.env.CUNAN_UI_URL ?? "http://127.0.0.1:5179/";
const runs = Number(process.env.RUNS ?? 15);
const t = (n) => `[data-test="${n}"]`;

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `median ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms, min ${s[0].toFixed(0)} ms (${s.length} runs)`;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
await page.goto(url);
await page.locator(".layout").waitFor();

// The roster command alone (SQLite → JSON → HTTP), as the screen calls it.
const command = [];
for (let i = 0; i < runs; i++) {
  command.push(
    await page.evaluate(async () => {
      const t0 = performance.now();
      const res = await fetch("/invoke/roster", { method: "POST", body: "{}" });
      const body = await res.text();
      window.__rosterBytes = body.length;
      return performance.now() - t0;
    }),
  );
}
const bytes = await page.evaluate(() => window.__rosterBytes);

// The screen: from the click on 网格花名册 to the household rows and totals drawn.
const screen = [];
for (let i = 0; i < runs; i++) {
  await page.click(t("nav-readiness"));
  await page.locator(t("readiness-page")).waitFor();
  const t0 = Date.now();
  await page.click(t("nav-roster"));
  await page.locator(t("household-row")).first().waitFor();
  await page.locator(t("total-households")).waitFor();
  screen.push(Date.now() - t0);
}
const households = await page.locator(t("total-households")).innerText();
const residents = await page.locator(t("total-residents")).innerText();
const domRows = await page.locator(t("household-row")).count();

// Search: from the last keystroke to the hits on screen (includes the UI's 150 ms debounce).
const queries = ["zs", "wjg", "张", "王小", "138", "1380"];
const search = {};
for (const q of queries) {
  search[q] = [];
  for (let i = 0; i < runs; i++) {
    await page.fill(t("roster-search"), "");
    await page.locator(t("search-results")).waitFor({ state: "detached" }).catch(() => {});
    const t0 = Date.now();
    await page.fill(t("roster-search"), q);
    await page.locator(`${t("search-result")}, ${t("search-empty")}`).first().waitFor();
    search[q].push(Date.now() - t0);
  }
}
await browser.close();

console.log(`village: ${households} households, ${residents} residents; roster JSON ${(bytes / 1024).toFixed(0)} KiB`);
console.log(`roster command over the bridge: ${stats(command)}`);
console.log(`roster screen, click to rows drawn: ${stats(screen)}; ${domRows} rows in the DOM`);
for (const q of queries) console.log(`search "${q}", typing to hits shown (incl. 150 ms debounce): ${stats(search[q])}`);
