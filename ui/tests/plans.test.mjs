// Plans and the self-check: a plan made from the template lists what it lacks; filling an item
// from the roster removes that gap; a step without "who" is refused; the self-check links to the
// screen that fixes an item.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go, openApp, t } from "./helpers.mjs";

let app;
before(async () => {
  app = await openApp();
});
after(() => app?.close());

test("the self-check's 去完善 opens the screen where the item is fixed", async () => {
  const { page } = app;
  await page.locator(t("readiness-score")).waitFor();
  const score = Number((await page.locator(t("readiness-score")).innerText()).match(/\d+/)?.[0]);
  assert.ok(score > 0 && score < 100, `the demo village is partly ready: ${score}`);
  const link = page.locator(t("readiness-go")).first();
  const target = await link.getAttribute("data-page");
  await link.click();
  await page.locator(t(`${target}-page`)).waitFor();
});

test("a plan from the template lists its gaps, and choosing from the roster fills one", async () => {
  const { page } = app;
  await go(page, "plans");
  // The demo village has forest fire as a hazard but no plan for it.
  await page.click(t("plan-new-forest-fire"));
  await page.locator(t("plan-editor")).waitFor();
  const gaps = page.locator(t("plan-gap"));
  await gaps.first().waitFor();
  const before = await gaps.count();
  assert.ok(await page.locator(`${t("plan-gap")}[data-field="monitor"]`).count(), "the monitor is missing");
  await app.shot("plan-new");

  const pick = page.locator(t("plan-item-monitor-pick"));
  const choice = await pick.locator("option").nth(1).getAttribute("value");
  await pick.selectOption(choice);
  assert.notEqual(await page.inputValue(t("plan-item-monitor")), "", "the choice fills the text");
  await page.click(t("plan-save"));
  await page.locator(`${t("plan-gap")}[data-field="monitor"]`).waitFor({ state: "detached" });
  assert.equal(await gaps.count(), before - 1);

  // A step needs who does it.
  const steps = await page.locator(t("step-row")).count();
  await page.click(`${t("step-add")}[data-phase="recovery"]`);
  await page.locator(t("step-dialog")).waitFor();
  await page.fill(t("step-what"), "清点受损房屋");
  await page.click(t("step-save"));
  await page.locator(t("step-dialog")).getByText("谁来做不能为空").waitFor();
  await page.fill(t("step-who"), "网格员");
  await page.click(t("step-save"));
  await page.locator(t("step-dialog")).waitFor({ state: "detached" });
  // The editor reloads the plan after the dialog closes.
  await page.waitForFunction(
    ([sel, n]) => document.querySelectorAll(sel).length === n,
    [t("step-row"), steps + 1],
  );

  // Moving a step down: the core renumbers the phase in one go.
  const rows = page.locator(t("step-row"));
  const first = await rows.nth(0).getAttribute("data-step-id");
  const second = await rows.nth(1).getAttribute("data-step-id");
  await rows.nth(0).locator(t("step-down")).click();
  await page.waitForFunction(
    ([sel, id]) => document.querySelectorAll(sel)[1]?.getAttribute("data-step-id") === id,
    [t("step-row"), first],
  );
  assert.equal(await rows.nth(0).getAttribute("data-step-id"), second);
  await app.shot("plan-edited");
});

test("leaving a plan with unsaved changes asks first", async () => {
  const { page } = app;
  await page.locator(t("plan-editor")).waitFor();
  await page.fill(t("plan-title"), "青石村森林火灾应急预案（修订）");
  await page.click(t("nav-kit"));
  await page.locator(t("leave-dialog")).waitFor();
  await page.click(t("leave-stay"));
  assert.equal(await page.inputValue(t("plan-title")), "青石村森林火灾应急预案（修订）", "the edit is still there");
  await page.click(t("nav-kit"));
  await page.click(t("leave-discard"));
  await page.locator(t("kit-page")).waitFor();
});
