// Benchmark (not a test) of emergency mode as the officer meets it, in headless Chromium on the
// real core through the bridge (scripts/ui-bench.sh starts it on a 2,000-household village):
// - start incident → copyable SMS text: the app's own time from the click on 开始计时 to the
//   report form, and from the click on 报送 to the SMS text with its 复制 button;
// - the roll call: from 开始点名 to the list on screen; marks on screen, one click each, from the
//   click to the row's new status and the new totals drawn (person by person, and household by
//   household with 只看未转移 on, as a grid member works through what is left).

import { chromium } from "playwright-core";

const url = process.env.CUNAN_UI_URL ?? "http://127.0.0.1:5179/";
const marks = Number(process.env.MARKS ?? 60);
const t = (n) => `[data-test="${n}"]`;

function stats(ms) {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
  return `median ${at(0.5).toFixed(0)} ms, p95 ${at(0.95).toFixed(0)} ms (${s.length} runs)`;
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
await page.goto(url);
await page.locator(".layout").waitFor();

// Start incident → copyable SMS text.
await page.click(t("start-incident"));
await page.fill(t("incident-place"), "溪口桥");
let t0 = Date.now();
await page.click(t("incident-start"));
await page.locator(t("report-form")).waitFor();
const toForm = Date.now() - t0;
await page.fill(t("report-evacuated"), "46");
await page.fill(t("report-description"), "溪水漫过桥面，桥头两户进水");
t0 = Date.now();
await page.click(t("report-save"));
await page.locator(t("sms-copy")).waitFor();
await page.locator(t("sms-text")).waitFor();
const toSms = Date.now() - t0;

// The roll call of the whole village.
await page.click(t("nav-rollcall"));
await page.locator(t("rollcall-page")).waitFor();
await page.click(t("rollcall-new"));
await page.locator(t("start-rollcall-dialog")).waitFor();
t0 = Date.now();
await page.click(t("rollcall-start"));
await page.locator(t("rollcall-person")).first().waitFor();
const toList = Date.now() - t0;
const expected = await page.locator(`${t("total-expected")} .num`).innerText();

const tileText = () => page.locator(`${t("total-moved")} .num`).innerText();

// Person by person, down the list.
const perPerson = [];
let t1 = Date.now();
for (let i = 0; i < marks; i++) {
  const row = page.locator(`${t("rollcall-person")}[data-status="pending"]`).first();
  const id = await row.getAttribute("data-id");
  const before = await tileText();
  const s = Date.now();
  await row.locator(t("person-mark-moved")).click();
  await page.locator(`${t("rollcall-person")}[data-id="${id}"][data-status="moved"]`).waitFor();
  await page.waitForFunction(
    ([sel, old]) => document.querySelector(sel)?.textContent !== old,
    [`${t("total-moved")} .num`, before],
  );
  perPerson.push(Date.now() - s);
}
const personRate = (marks * 1000) / (Date.now() - t1);

// Household by household, with 只看未转移: the one marked leaves the list.
await page.click(t("rollcall-not-safe"));
const perHousehold = [];
t1 = Date.now();
for (let i = 0; i < marks; i++) {
  const row = page.locator(t("rollcall-household")).first();
  const id = await row.getAttribute("data-id");
  const s = Date.now();
  await row.locator(t("household-mark-moved")).click();
  await page.locator(`${t("rollcall-household")}[data-id="${id}"]`).waitFor({ state: "detached" });
  perHousehold.push(Date.now() - s);
}
const householdRate = (marks * 1000) / (Date.now() - t1);
const moved = await tileText();

// The same on screen without the driver's round trips: inside the page, from the click to the
// next frame after the row shows its new status (still in 只看未转移, marked 未联系上 so it stays).
const inPage = await page.evaluate(async (n) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
  const out = [];
  for (let i = 0; i < n; i++) {
    const row = document.querySelector('[data-test="rollcall-person"][data-status="pending"]');
    if (!row) break;
    const id = row.dataset.id;
    const t0 = performance.now();
    row.querySelector('[data-test="person-mark-unreachable"]').click();
    while (document.querySelector(`[data-test="rollcall-person"][data-id="${id}"]`)?.dataset.status !== "unreachable") {
      await frame();
    }
    await frame();
    out.push(performance.now() - t0);
  }
  return out;
}, marks);

// The mark command alone (the core's transaction with fsync, the people changed and the totals
// → JSON → HTTP), as the screen calls it, to tell it from the drawing.
const eventId = await page.locator(t("rollcall-detail")).getAttribute("data-id");
const command = await page.evaluate(
  async ([id, n]) => {
    const view = await (await fetch("/invoke/rollcall_view", { method: "POST", body: JSON.stringify({ id }) })).json();
    const pending = view.people.filter((p) => p.status === "pending").slice(0, n);
    const out = [];
    for (const p of pending) {
      const t0 = performance.now();
      const res = await fetch("/invoke/mark_people", {
        method: "POST",
        body: JSON.stringify({
          id,
          residentIds: [p.resident_id],
          mark: { status: "unreachable", shelter_id: null, staying_with: "", marked_by: "bench", note: "" },
        }),
      });
      await res.json();
      out.push(performance.now() - t0);
    }
    return out;
  },
  [eventId, marks],
);
await browser.close();

console.log(`start incident: click 开始计时 → report form ${toForm} ms; click 报送 → SMS text with 复制 ${toSms} ms; together ${toForm + toSms} ms`);
console.log(`roll call of ${expected} people: click 开始点名 → list on screen ${toList} ms`);
console.log(`mark a person, click → status and totals drawn: ${stats(perPerson)}; ${personRate.toFixed(1)} marks/s one after another`);
console.log(`mark a household (只看未转移), click → gone from the list: ${stats(perHousehold)}; ${householdRate.toFixed(1)} households/s`);
console.log(`mark a person, timed inside the page (click → next frame after the new status): ${stats(inPage)}`);
console.log(`mark command alone over the bridge: ${stats(command)}`);
console.log(`moved at the end: ${moved}`);
