// 宣传教育: a session with a whole household signed in raises the share taught within 3 years, on
// the page and on the self-check; the session is deleted and the delete undone; the sign-in sheet
// is printed from the page.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go, openApp, t } from "./helpers.mjs";

let app;
before(async () => {
  app = await openApp();
});
after(() => app?.close());

/** "近 3 年已受教育 1,234 / 5,970 人" → [1234, 5970] */
function figures(text) {
  const m = text.match(/已受教育 ([\d,]+) \/ ([\d,]+) 人/);
  assert.ok(m, `no share in: ${text}`);
  return [Number(m[1].replaceAll(",", "")), Number(m[2].replaceAll(",", ""))];
}

async function readinessFigures(page) {
  await go(page, "readiness");
  const item = page.locator(`${t("readiness-item")}[data-id="education"]`);
  await item.waitFor();
  return { figures: figures(await item.innerText()), state: await item.getAttribute("data-state") };
}

async function banner(page) {
  const b = page.locator(t("education-banner"));
  await b.waitFor();
  return [Number(await b.getAttribute("data-taught")), Number(await b.getAttribute("data-residents"))];
}

test("a whole household signed in raises the share here and on the self-check", async () => {
  const { page } = app;
  const before = await readinessFigures(page);
  assert.equal(before.state, "partial", "the demo village is partly taught");

  // A household of the 5th grid, last taught more than 3 years ago.
  await go(page, "roster");
  await page.locator(t("household-row")).first().waitFor();
  await page.selectOption(t("filter-grid"), { label: "第5网格" });
  const head = (await page.locator(t("household-row-head")).first().innerText()).trim();
  assert.ok(head, "a head of household in the 5th grid");

  await go(page, "education");
  assert.deepEqual(await banner(page), before.figures, "the page and the self-check agree");
  await page.locator(t("education-row")).first().waitFor();
  const rows = await page.locator(t("education-row")).count();

  await page.click(t("education-add"));
  const dialog = page.locator(t("education-dialog"));
  await dialog.waitFor();
  assert.equal(await page.inputValue(t("education-date")), process.env.CUNAN_UI_TODAY, "today by default");
  // Without a topic the core says what to fill in, next to the field.
  await page.click(t("education-save"));
  await dialog.getByText("宣传主题不能为空，请填写。").waitFor();
  await page.fill(t("education-topic"), "汛前防汛防台预案宣讲");
  await page.fill(t("education-taught-by"), "村应急管理员");
  await page.fill(t("education-place"), "5组村民活动室");

  await page.check(t("education-whole-household"));
  await page.fill(t("education-search"), head);
  const hit = page.locator(t("education-hit")).filter({ hasText: "第5网格" }).first();
  await hit.waitFor();
  await hit.click();
  const signed = page.locator(t("education-signed-item"));
  await signed.first().waitFor();
  assert.match(await signed.first().innerText(), new RegExp(`${head}户`));
  assert.match(await page.locator(t("education-signed-count")).innerText(), /1 户全户/);
  await app.shot("education-dialog");
  await page.click(t("education-save"));
  await dialog.waitFor({ state: "detached" });

  await page.locator(t("education-row")).nth(rows).waitFor();
  const row = page.locator(t("education-row")).filter({ hasText: "汛前防汛防台预案宣讲" });
  assert.equal(await row.getAttribute("data-counts"), "true");
  const people = Number((await row.locator(t("education-row-people")).innerText()).match(/\d+/)[0]);
  assert.ok(people >= 1, `the household has people: ${people}`);
  const after = await banner(page);
  assert.deepEqual(after, [before.figures[0] + people, before.figures[1]], "the share went up by the household");
  await app.shot("education-page");

  const now = await readinessFigures(page);
  assert.deepEqual(now.figures, after, "the self-check counts the same people");
  await app.shot("education-readiness");

  // Deleting the session takes the household's sign-in with it; 撤销 brings both back.
  await go(page, "education");
  const again = page.locator(t("education-row")).filter({ hasText: "汛前防汛防台预案宣讲" });
  await again.locator(t("education-delete")).click();
  await again.waitFor({ state: "detached" });
  assert.deepEqual(await banner(page), before.figures);
  await page.click(t("undo"));
  await page.locator(t("education-row")).filter({ hasText: "汛前防汛防台预案宣讲" }).waitFor();
  await page.locator(`${t("education-banner")}[data-taught="${after[0]}"]`).waitFor();
  assert.deepEqual(app.errors, []);
});

test("the sign-in sheet of a session is printed from the page", async () => {
  const { page } = app;
  await go(page, "education");
  const row = page.locator(t("education-row")).filter({ hasText: "防汛防台预案宣讲" }).first();
  await row.waitFor();
  await row.locator(t("education-row-print")).click();
  await page.locator(t("print-page")).waitFor();
  const result = page.locator(t("print-result"));
  await result.waitFor({ timeout: 60_000 });
  assert.match(await result.innerText(), /预案宣传教育签到表（全部网格/);
  assert.match(await page.locator(t("print-path")).innerText(), /签到表-青石村-全部网格/);
  assert.notEqual(await page.inputValue(t("print-signin-session")), "", "the session is chosen");
  // The preview has read the PDF: a sheet for each of the demo's six grids at least.
  const count = page.locator(t("preview-pages"));
  await count.getByText(/共 \d+ 页/).waitFor({ timeout: 60_000 });
  const pages = Number((await count.innerText()).match(/共 (\d+) 页/)[1]);
  assert.ok(pages >= 6, `pages: ${pages}`);
  await app.shot("education-print");
  assert.deepEqual(app.errors, []);
});
