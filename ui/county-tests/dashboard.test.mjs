// The county dashboard in headless Chromium (Debian's, driven by playwright-core), against a real
// `cunan-county` server with several synced villages (started by
// crates/cunan-county/tests/dashboard_browser.rs): log in, read the table, sort it, filter a
// township, open a village, the emergency view, export, and a township account's narrower view.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS } from "../tests/helpers.mjs";

const env = (name) => {
  const v = process.env[name];
  assert.ok(v, `${name} is set by crates/cunan-county/tests/dashboard_browser.rs`);
  return v;
};
const t = (id) => `[data-test="${id}"]`;
const URL = env("COUNTY_URL");

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
});
after(() => browser?.close());

async function shot(page, name) {
  const dir = process.env.CUNAN_UI_SHOTS;
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

async function loggedIn(user) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${URL}/dashboard`);
  // Not logged in: the login page.
  await page.locator(t("login")).waitFor();
  await page.fill(t("username"), user);
  await page.fill(t("password"), "wrong password");
  await page.click(t("login"));
  await page.locator(t("login-error")).getByText("账号或密码不对").waitFor();
  await page.fill(t("username"), user);
  await page.fill(t("password"), env("COUNTY_PASSWORD"));
  await page.click(t("login"));
  await page.locator(t("villages")).waitFor();
  return { page, errors };
}

const codes = async (page) =>
  page.locator(`${t("village-row")}:visible`).evaluateAll((rows) => rows.map((r) => r.dataset.code));

test("the county sees every village, sorts and filters them, and opens one", async () => {
  const { page, errors } = await loggedIn("county");
  const all = await codes(page);
  assert.equal(all.length, Number(env("COUNTY_VILLAGES")), String(all));
  assert.equal(await page.locator(t("stat-villages")).locator(".n").innerText(), env("COUNTY_VILLAGES"));
  assert.equal(await page.locator(t("stat-never")).locator(".n").innerText(), env("COUNTY_NEVER"));
  // Both charts are drawn, one bar per township with a synced village.
  assert.equal(await page.locator(`${t("chart-township")} rect.bar`).count(), Number(env("COUNTY_TOWNSHIPS")));
  assert.equal(await page.locator(`${t("chart-recency")} rect.bar`).count(), 5);
  await shot(page, "county-dashboard");

  // Sorting by the score: ascending, then descending (villages never synced count as -1).
  const scoreHead = page.locator("th", { hasText: "自查得分" });
  const scores = async () =>
    page.locator(`${t("village-row")} td:nth-child(4)`).evaluateAll((cells) => cells.map((c) => Number(c.dataset.v)));
  await scoreHead.click();
  const up = await scores();
  assert.deepEqual(up, [...up].sort((a, b) => a - b));
  await scoreHead.click();
  const down = await scores();
  assert.deepEqual(down, [...down].sort((a, b) => b - a));

  // One township.
  await page.selectOption(t("township"), env("COUNTY_TOWNSHIP_NAME"));
  const shown = await codes(page);
  assert.ok(shown.length > 0 && shown.length < all.length, String(shown));
  assert.ok(shown.every((c) => c.startsWith(env("COUNTY_TOWNSHIP_PREFIX"))), String(shown));
  assert.equal(await page.locator(t("shown")).innerText(), String(shown.length));
  assert.match(await page.locator(t("export")).getAttribute("href"), /township=/);
  await shot(page, "county-dashboard-township");

  // A village's page.
  await page.click(`${t("village-row")}[data-code="${env("COUNTY_SYNCED_CODE")}"] a`);
  await page.locator(t("village-name")).waitFor();
  assert.match(await page.locator(t("gaps")).innerText(), /自查未达标项/);
  assert.match(await page.locator(t("kit")).innerText(), /5\+X/);
  await shot(page, "county-village");

  // The emergency view.
  await page.click("nav >> text=应急态势");
  await page.locator(t("incident-count")).waitFor();
  assert.equal(await page.locator(t("incident-count")).innerText(), env("COUNTY_INCIDENTS"));
  await shot(page, "county-emergency");

  // 下发: a duty line published from the form.
  await page.click("nav >> text=下发资料");
  await page.fill(t("contact-name"), "县防指值班室");
  await page.fill(t("contact-org"), "县防汛防台抗旱指挥部");
  await page.fill(t("contact-phone"), "0572-2220000");
  await page.click(t("publish-contact"));
  await page.locator(t("published")).waitFor();
  assert.equal(await page.locator(t("county-contact")).count(), 1);
  await shot(page, "county-publish");

  // The export downloads an .xlsx.
  await page.click("nav >> text=各村备战");
  await page.locator(t("villages")).waitFor();
  const [download] = await Promise.all([page.waitForEvent("download"), page.click(t("export"))]);
  assert.match(download.suggestedFilename(), /^各村备战情况-\d{4}-\d{2}-\d{2}\.xlsx$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a township account sees only its own villages", async () => {
  const { page, errors } = await loggedIn("township");
  const shown = await codes(page);
  assert.ok(shown.length > 0);
  assert.ok(shown.every((c) => c.startsWith(env("COUNTY_TOWNSHIP_PREFIX"))), String(shown));
  assert.match(await page.locator(t("who")).innerText(), /乡镇/);
  assert.equal(await page.locator("nav >> text=下发资料").count(), 0, "publishing is the county's");
  const other = await page.goto(`${URL}/dashboard/village/${env("COUNTY_OTHER_CODE")}`);
  assert.equal(other.status(), 404);
  // Logging out leads back to the login page, and the dashboard stays closed.
  await page.goto(`${URL}/dashboard`);
  await page.click("text=退出");
  await page.locator(t("login")).waitFor();
  await page.goto(`${URL}/dashboard`);
  await page.locator(t("login")).waitFor();
  assert.deepEqual(errors, []);
  await page.close();
});
