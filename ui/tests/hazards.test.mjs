// Hazards and drills: a report found 20 days ago is overdue under the 15-day rule; closing it
// needs how it was fixed and marks it closed late. A drill entered today counts for this year.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go, openApp, t } from "./helpers.mjs";

let app;
before(async () => {
  app = await openApp();
});
after(() => app?.close());

/** `n` days before the app's own today (its injected clock, `CUNAN_UI_TODAY`), as YYYY-MM-DD. */
function daysAgo(n) {
  const today = process.env.CUNAN_UI_TODAY;
  assert.ok(today, "CUNAN_UI_TODAY is set by src-tauri/tests/ui.rs");
  const d = new Date(`${today}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

test("a hazard found 20 days ago is overdue, and closing it needs how it was fixed", async () => {
  const { page } = app;
  await go(page, "hazards");
  await page.click(t("hazard-report-add"));
  await page.locator(t("hazard-report-dialog")).waitFor();
  await page.fill(t("report-found-on"), daysAgo(20));
  await page.fill(t("report-description"), "村口石桥护栏松动");
  await page.click(t("report-save"));
  await page.locator(t("hazard-report-dialog")).waitFor({ state: "detached" });

  const row = page.locator(t("report-row")).filter({ hasText: "村口石桥护栏松动" });
  await row.waitFor();
  assert.equal(await row.getAttribute("data-status"), "overdue");
  assert.match(await row.locator(t("report-status")).innerText(), /超期 5 天/);
  await app.shot("hazard-overdue");

  await row.locator(t("report-close")).click();
  await page.locator(t("report-close-dialog")).waitFor();
  await page.click(t("close-save"));
  await page.locator(t("report-close-dialog")).getByText("整改情况").first().waitFor();
  assert.equal(await page.locator(t("report-close-dialog")).count(), 1, "not closed without a fix note");
  await page.fill(t("close-fix-note"), "已更换护栏并加固");
  await page.click(t("close-save"));
  await page.locator(t("report-close-dialog")).waitFor({ state: "detached" });

  await page.click(t("report-filter-all"));
  const closed = page.locator(t("report-row")).filter({ hasText: "村口石桥护栏松动" });
  await closed.waitFor();
  assert.equal(await closed.getAttribute("data-status"), "closed-late");
});

test("a drill entered today counts for this year", async () => {
  const { page } = app;
  await go(page, "drills");
  // The demo village's log has loaded before anything is counted.
  await page.locator(t("drill-row")).first().waitFor();
  const rows = await page.locator(t("drill-row")).count();
  await page.click(t("drill-add"));
  await page.locator(t("drill-dialog")).waitFor();
  await page.fill(t("drill-date"), daysAgo(0));
  await page.fill(t("drill-participants"), "三十");
  await page.click(t("drill-save"));
  // Letters in a number field are refused before anything is saved.
  await page.locator(t("drill-dialog")).getByText("参加人数").first().waitFor();
  await page.fill(t("drill-participants"), "36");
  await page.fill(t("drill-problems"), "广播音量不足");
  await page.click(t("drill-save"));
  await page.locator(t("drill-dialog")).waitFor({ state: "detached" });
  await page.locator(t("drill-row")).nth(rows).waitFor();
  assert.equal(await page.locator(t("drill-banner")).getAttribute("data-done"), "true");
});
