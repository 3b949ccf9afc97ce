// Emergency mode, reporting: an incident is started in two clicks from the start page, its report
// clock shows on every page, turns red with how late once the app's (injected) clock passes the
// telephone deadline, and a first report filed on the emergency page gives an SMS text within 3
// segments, without any ID number, that 复制 puts on the clipboard.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go, openApp, t } from "./helpers.mjs";

/** The instant the app's clock starts at (src-tauri/tests/ui.rs, UI_TEST_NOW). */
const NOW = new Date("2026-06-15T10:00:00+08:00");

let app;
before(async () => {
  app = await openApp();
  // Reading the clipboard back is how the test sees what 复制 copied.
  await app.page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
});
after(() => app?.close());

/** Moves the app's own clock (the bridge's test clock) on by `seconds`. */
async function advanceClock(seconds) {
  const res = await fetch(new URL("clock", process.env.CUNAN_UI_URL), {
    method: "POST",
    body: JSON.stringify({ advance_seconds: seconds }),
  });
  assert.equal(res.status, 200, "the bridge runs on a test clock");
}

/** `YYYY-MM-DDTHH:MM` on this computer's clock, as a datetime-local field shows it. */
function localMinute(d) {
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const clock = () => app.page.locator(t("incident-clock"));
const deadline = (n) => clock().locator(t("deadline")).nth(n);

test("an incident starts in two clicks from the start page and its clock shows on every page", async () => {
  const { page } = app;
  await page.locator(t("readiness-page")).waitFor();
  assert.equal(await clock().count(), 0, "no clock before any incident");

  await page.click(t("start-incident"));
  const dialog = page.locator(t("start-incident-dialog"));
  await dialog.waitFor();
  // The village's first hazard, and now, are already chosen; the place has the focus.
  const village = await (await fetch(new URL("invoke/get_village", process.env.CUNAN_UI_URL), { method: "POST" })).json();
  assert.equal(await page.inputValue(t("incident-hazard")), village.hazard_kinds[0]);
  assert.equal(await page.inputValue(t("incident-occurred-at")), localMinute(NOW));
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-test")), "incident-place");

  // Without a place it is not started; the reason is under the field.
  await page.click(t("incident-start"));
  await dialog.getByText("事发地点").nth(1).waitFor();
  assert.match(await dialog.locator(".error-text").first().innerText(), /事发地点/);

  await page.fill(t("incident-place"), "溪口桥");
  await app.shot("incident-start-dialog");
  await page.click(t("incident-start"));
  await dialog.waitFor({ state: "detached" });
  await page.locator(t("emergency-page")).waitFor();

  // Severity not known yet: the short limits, 15 minutes to phone and 30 to the written report.
  await clock().waitFor();
  assert.match(await clock().innerText(), /溪口桥/);
  assert.equal(await deadline(0).getAttribute("data-state"), "due");
  assert.match(await deadline(0).innerText(), /电话报告[\s\S]*还剩\s*15:00/);
  assert.match(await deadline(1).innerText(), /书面首报[\s\S]*还剩\s*30:00/);
  await page.locator(t("report-form")).waitFor();
  await app.shot("incident-emergency-page");

  // Another page: the clock is still there, as large as on the emergency page's bar.
  await go(page, "roster");
  await clock().waitFor();
  const size = await deadline(0).locator(t("deadline-value")).evaluate((e) => {
    const b = e.querySelector("b");
    return b ? parseFloat(getComputedStyle(b).fontSize) : 0;
  });
  assert.ok(size >= 24, `the countdown is readable at a glance (${size}px)`);
  await app.shot("incident-clock-roster");
});

test("the clock turns red with how late once the telephone deadline passes", async () => {
  const { page } = app;
  await advanceClock(27 * 60);
  // Polled each second at the app's clock: 27 minutes after 10:00 the phone report is 12 late.
  await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("data-state") === "overdue", `${t("incident-clock")} ${t("deadline")}`);
  assert.match(await deadline(0).innerText(), /已超时 12 分钟/);
  assert.match(await deadline(1).innerText(), /还剩\s*03:00/);
  const red = await deadline(0).evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.equal(red, "rgb(201, 48, 44)", "overdue is shown in red");
  await app.shot("incident-overdue");

  await clock().locator(t("clock-phoned")).click();
  await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("data-state") === "met", `${t("incident-clock")} ${t("deadline")}`);
  assert.match(await deadline(0).innerText(), /已报（迟 12 分钟）/);
  assert.equal(await clock().locator(t("clock-phoned")).count(), 0);
});

test("a first report is kept as sent and gives an SMS text to copy", async () => {
  const { page } = app;
  await clock().locator(t("clock-open")).click();
  const form = page.locator(t("report-form"));
  await form.waitFor();
  assert.equal(await form.getAttribute("data-kind"), "首报");
  assert.equal(await page.inputValue(t("report-place")), "溪口桥");

  // Letters in a count are refused before anything is saved, with the reason under the field.
  await page.fill(t("report-injured"), "两");
  await page.click(t("report-save"));
  await form.getByText("受伤人数：请填写数字").waitFor();
  assert.equal(await page.locator(t("sent-report")).count(), 0);

  await page.selectOption(t("report-severity"), "IV");
  await page.fill(t("report-missing"), "1");
  await page.fill(t("report-injured"), "2");
  await page.fill(t("report-trapped"), "3");
  await page.fill(t("report-evacuated"), "46");
  await page.fill(t("report-actions"), "已封闭溪口桥，转移沿河住户");
  await page.fill(t("report-needs"), "冲锋舟一艘");
  await page.fill(t("report-reporter"), "潘宇航");
  await page.fill(t("report-phone"), "13912345678");
  // An ID number typed into free text is refused under its field (a report is kept as sent),
  // and nothing is filed; the rest of the form stays as typed.
  await page.fill(t("report-description"), "溪水漫过桥面，被困者身份证330502199001011234");
  await page.click(t("report-save"));
  await form.getByText("情况简述里有一串 15 位以上的数字").waitFor();
  assert.equal(await page.locator(t("sent-report")).count(), 0);
  assert.equal(await page.inputValue(t("report-needs")), "冲锋舟一艘");
  await page.fill(t("report-description"), "溪水漫过桥面，被困者张某某");
  await page.locator(t("report-save")).scrollIntoViewIfNeeded();
  await app.shot("incident-report-form");
  await page.click(t("report-save"));

  const sent = page.locator(t("sent-report"));
  await sent.first().waitFor();
  assert.equal(await sent.count(), 1);
  assert.equal(await sent.first().getAttribute("data-kind"), "first");
  assert.equal(await sent.first().locator("input, textarea, select").count(), 0, "a sent report is read-only");
  assert.match(await sent.first().innerText(), /冲锋舟一艘/);
  // The next report is a 续报, and the written deadline is met on time.
  await page.waitForFunction((sel) => document.querySelector(sel)?.getAttribute("data-kind") === "续报", t("report-form"));
  await page.waitForFunction((sel) => document.querySelectorAll(sel)[1]?.getAttribute("data-state") === "met", `${t("incident-card")} ${t("deadline")}`);
  assert.match(await page.locator(t("incident-card")).locator(t("deadline")).nth(1).innerText(), /已报（按时）/);

  const sms = page.locator(t("sms-text"));
  await sms.waitFor();
  const text = await sms.innerText();
  const [, chars, segments] = (await page.locator(t("sms-count")).innerText()).match(/^(\d+) 字 · (\d+) 条短信$/) ?? [];
  assert.equal(Number(chars), [...text].length, "the count is the text's length");
  assert.equal(Number(segments), Math.max(1, Math.ceil([...text].length / 70)));
  assert.ok(Number(segments) <= 3, `at most 3 SMS segments: ${segments}`);
  assert.match(text, /溪口桥/);
  assert.match(text, /已转移46人/);
  const wechat = await page.locator(t("wechat-text")).innerText();
  for (const s of [text, wechat]) assert.doesNotMatch(s, /\d{15,}/, `no ID number: ${s}`);
  await page.locator(t("report-texts")).scrollIntoViewIfNeeded();
  await app.shot("incident-report-texts");

  await page.click(t("sms-copy"));
  await page.locator(t("sms-copied")).getByText("已复制").waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text);
  await page.click(t("wechat-copy"));
  await page.locator(t("wechat-copied")).getByText("已复制").waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), wechat);
  assert.deepEqual(app.errors, []);
});
