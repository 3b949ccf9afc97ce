// The kit page: an X item is deleted at once and 撤销 brings it back; ticking one of a flood
// responsible person's four small items is saved and counted.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go, openApp, t } from "./helpers.mjs";

let app;
before(async () => {
  app = await openApp();
  await go(app.page, "kit");
});
after(() => app?.close());

test("an X item is deleted without a question and comes back on 撤销", async () => {
  const { page } = app;
  const rows = page.locator(t("kit-row"));
  await rows.first().waitFor();
  const before = await rows.count();
  const row = rows.filter({ has: page.locator(t("kit-delete")) }).first();
  const name = (await row.innerText()).split("\n")[0].trim();
  await row.locator(t("kit-delete")).click();
  await page.locator(t("undo-toast")).waitFor();
  await page.waitForFunction(
    ([sel, n]) => document.querySelectorAll(sel).length === n,
    [t("kit-row"), before - 1],
  );
  await page.click(t("undo"));
  await page.waitForFunction(
    ([sel, n]) => document.querySelectorAll(sel).length === n,
    [t("kit-row"), before],
  );
  assert.ok((await page.locator(t("kit-table")).innerText()).includes(name), `${name} is back`);
});

test("ticking a missing small item is saved and counted", async () => {
  const { page } = app;
  const summary = page.locator(t("responsible-summary"));
  await summary.waitFor();
  const complete = async () => Number((await summary.innerText()).match(/(\d+)\s*\/\s*\d+/)?.[1]);
  const before = await complete();
  // People missing the most come first; find someone missing exactly one item.
  const rows = page.locator(t("responsible-row"));
  const n = await rows.count();
  let target = null;
  for (let i = 0; i < n; i++) {
    const missing = await rows.nth(i).locator(t("responsible-missing")).innerText().catch(() => "");
    if (/^缺\s*[^、]+$/.test(missing.trim())) {
      target = rows.nth(i);
      break;
    }
  }
  assert.ok(target, "the demo village has a person missing one item");
  const buttons = target.locator('[data-test^="responsible-item-"]');
  for (let i = 0; i < (await buttons.count()); i++) {
    const b = buttons.nth(i);
    if ((await b.getAttribute("aria-pressed")) === "false") {
      await b.click();
      break;
    }
  }
  await page.waitForFunction(
    ([sel, want]) => new RegExp(`^\\s*${want}\\s*/`).test(document.querySelector(sel)?.textContent ?? ""),
    [t("responsible-summary"), before + 1],
  );
  assert.equal(await complete(), before + 1);
});
