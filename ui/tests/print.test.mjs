// The print page when a hazard has no plan yet: the card cannot be printed, and the page leads
// to the 预案 page, where a plan is made from the template (no "coming soon").

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go, openApp, t } from "./helpers.mjs";

let app;
before(async () => {
  app = await openApp();
});
after(() => app?.close());

test("a hazard without a plan: the print page links to the 预案 page", async () => {
  const { page } = app;
  await go(page, "plans");
  const row = page.locator(`${t("plan-row")}[data-hazard="geological"]`);
  await row.waitFor();
  await row.locator(t("plan-row-delete")).click();
  await page.locator(t("undo-toast")).waitFor();
  await row.waitFor({ state: "detached" });

  await go(page, "print");
  await page.click(t("product-response_card"));
  await page.check(t("hazard-geological"));
  await page.click(t("print-generate"));
  const error = page.locator(t("print-error"));
  await error.waitFor();
  const text = await error.innerText();
  assert.match(text, /还没有地质灾害预案/);
  assert.doesNotMatch(text, /即将推出/);
  await app.shot("print-no-plan");

  await page.click(t("print-go-plans"));
  await page.locator(t("plans-page")).waitFor();
  await page.locator(t("plan-new-geological")).waitFor();
});

test("the roster prints the education sign-in sheets", async () => {
  const { page } = app;
  await go(page, "roster");
  await page.click(t("roster-print-signin"));
  await page.locator(t("print-page")).waitFor();
  const result = page.locator(t("print-result"));
  await result.waitFor({ timeout: 30_000 });
  assert.match(await result.innerText(), /签到表/);
  await app.shot("print-sign-in-from-roster");
});
