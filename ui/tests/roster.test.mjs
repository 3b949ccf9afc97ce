// The roster: a household with a vulnerable member and a helper is added and found by pinyin
// initials; a delete is undone; a roster workbook is previewed, then imported.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go, openApp, t } from "./helpers.mjs";

let app;
before(async () => {
  app = await openApp();
  await go(app.page, "roster");
});
after(() => app?.close());

const count = async (page, name) => Number(await page.locator(t(name)).innerText());

test("a household with a vulnerable member is added, then found by pinyin initials", async () => {
  const { page } = app;
  const households = await count(page, "total-households");
  const vulnerable = await count(page, "total-vulnerable");

  await page.click(t("household-add"));
  // The core's Chinese message arrives next to the field when the head's name is missing.
  await page.click(t("household-save"));
  await page.locator(t("household-form")).getByText("户主姓名不能为空，请填写。").waitFor();

  await page.fill(t("household-head"), "欧阳秋菊");
  await page.fill(t("household-address"), "溪口路 99 号");
  await page.fill(t("household-phone"), "13900009999");
  await page.click(t("household-save"));
  await page.locator(t("household-saved")).waitFor();

  await page.click(t("resident-add"));
  await page.fill(t("resident-name"), "欧阳秋菊");
  await page.fill(t("resident-relation"), "户主");
  await page.check(t("resident-vulnerable"));
  await page.selectOption(t("vulnerable-kind"), "elderly-alone");
  await page.fill(t("helper-name"), "欧阳明");
  // A helper phone that is not a phone number is refused with a message that says how to fix it.
  await page.fill(t("helper-phone"), "13800");
  await page.click(t("resident-save"));
  await page.locator(t("resident-form")).getByText("不是有效的电话号码").waitFor();
  await page.fill(t("helper-phone"), "13800005555");
  await page.click(t("resident-save"));
  await page.locator(t("resident-saved")).waitFor();
  await page.locator(t("resident-row")).filter({ hasText: "欧阳秋菊" }).waitFor();
  await app.shot("roster-household");
  await closeHousehold(page);

  await page.locator(t("total-households")).getByText(String(households + 1)).waitFor();
  assert.equal(await count(page, "total-vulnerable"), vulnerable + 1);

  await page.fill(t("roster-search"), "oyqj");
  const hit = page.locator(t("search-result")).filter({ hasText: "欧阳秋菊" });
  await hit.waitFor();
  assert.match(await hit.innerText(), /独居老人/);
  await app.shot("roster-search");
  // Choosing the hit opens the household.
  await hit.click();
  await page.locator(t("household-form")).waitFor();
  assert.equal(await page.inputValue(t("household-head")), "欧阳秋菊");
  await closeHousehold(page);
});

test("a vulnerable person with no helper yet is saved and marked 帮扶人待落实 until one is named", async () => {
  const { page } = app;
  const pendingBefore = await pendingCount(page);
  await page.fill(t("roster-search"), "");
  await page.fill(t("filter-text"), "欧阳秋菊");
  await page.locator(t("household-row")).filter({ hasText: "欧阳秋菊" }).click();
  await page.locator(t("household-form")).waitFor();
  await page.click(t("resident-add"));
  await page.fill(t("resident-name"), "欧阳小宝");
  await page.fill(t("resident-relation"), "孙子");
  await page.check(t("resident-vulnerable"));
  await page.selectOption(t("vulnerable-kind"), "left-behind-child");
  await page.locator(t("helper-pending-note")).waitFor();
  await page.click(t("resident-save"));
  await page.locator(t("resident-saved")).waitFor();
  const row = page.locator(t("resident-row")).filter({ hasText: "欧阳小宝" });
  assert.match(await row.innerText(), /帮扶人待落实/);
  await app.shot("roster-helper-pending");
  await closeHousehold(page);
  await page.fill(t("filter-text"), "");
  await page.locator(t("total-no-helper")).getByText(String(pendingBefore + 1)).waitFor();
});

test("ID numbers show masked by the core's one rule, and the ledger lists the vulnerable", async () => {
  const { page } = app;
  await page.fill(t("roster-search"), "");
  await page.fill(t("filter-text"), "");
  await page.locator(t("household-row")).first().click();
  await page.locator(t("household-form")).waitFor();
  const cells = page.locator(t("resident-id-masked"));
  await cells.first().waitFor();
  const shown = (await cells.allInnerTexts()).filter((x) => x !== "—");
  assert.ok(shown.length > 0, "the demo household has ID numbers");
  for (const id of shown) assert.match(id, /^\d{6}\*{10}[\dX]{2}$/, "first 6 and last 2, as on the printouts");
  await closeHousehold(page);

  // The 重点人员台账 comes from the core's ledger (no ID numbers or phones of the people).
  await page.click(t("total-vulnerable"));
  await page.locator(t("vulnerable-row")).first().waitFor();
  const count = Number((await page.locator(t("vulnerable-count")).innerText()).match(/\d+/)[0]);
  assert.equal(count, await (async () => Number(await page.locator(t("total-vulnerable")).locator("b").innerText()))());
  await page.click(t("tab-households"));
  await page.locator(t("household-row")).first().waitFor();
});

/** The number on the "帮扶人待落实" tile (0 when it shows ✓). */
async function pendingCount(page) {
  const text = await page.locator(t("total-no-helper")).innerText();
  const n = parseInt(text, 10);
  return Number.isNaN(n) ? 0 : n;
}

/** Closes the household dialog; nothing is unsaved, so no "unsaved changes" question. */
async function closeHousehold(page) {
  await page.click(t("household-close"));
  try {
    await page.locator(t("household-dialog")).waitFor({ state: "detached", timeout: 5000 });
  } catch (e) {
    await app.shot("roster-close-failed");
    throw e;
  }
}

test("a deleted household comes back with its members on 撤销", async () => {
  const { page } = app;
  await page.fill(t("roster-search"), "");
  await page.fill(t("filter-text"), "欧阳秋菊");
  const row = page.locator(t("household-row")).filter({ hasText: "欧阳秋菊" });
  await row.waitFor();
  const households = await count(page, "total-households");
  const residents = await count(page, "total-residents");
  await row.locator(t("household-row-delete")).click();
  // No "are you sure": the delete is undoable.
  await page.locator(t("undo-toast")).waitFor();
  await page.locator(t("total-households")).getByText(String(households - 1)).waitFor();
  await page.click(t("undo"));
  await page.locator(t("total-households")).getByText(String(households)).waitFor();
  assert.equal(await count(page, "total-residents"), residents, "the members came back too");
  await page.fill(t("filter-text"), "");
});

test("a roster workbook is previewed without writing, then imported", async () => {
  const { page } = app;
  const file = process.env.CUNAN_UI_ROSTER_XLSX;
  assert.ok(file, "CUNAN_UI_ROSTER_XLSX is set by src-tauri/tests/ui.rs");
  const residents = await count(page, "total-residents");

  await page.setInputFiles(t("import-file"), file);
  await page.locator(t("import-rows-ok")).waitFor();
  const ok = Number(await page.locator(t("import-rows-ok")).innerText());
  assert.ok(ok > 0, "the workbook has rows to import");
  await page.locator(t("import-not-written")).waitFor();
  // A vulnerable person with no helper in the sheet is imported, not refused: the helper is pending.
  assert.match(await page.locator(t("import-helper-pending")).innerText(), /1 人帮扶人待落实/);
  await app.shot("roster-import-preview");
  assert.equal(await count(page, "total-residents"), residents, "a preview writes nothing");

  await page.click(t("import-confirm"));
  await page.locator(t("import-done")).waitFor();
  await page.click(t("import-done"));
  await page.locator(t("total-residents")).getByText(String(residents + ok)).waitFor();

  // The same file again: every row is now a duplicate, listed by its row number.
  await page.setInputFiles(t("import-file"), file);
  await page.locator(t("import-errors")).waitFor();
  assert.equal(
    Number(await page.locator(t("import-error-count")).innerText()),
    ok,
    "each row already imported is a problem row",
  );
  assert.equal(Number(await page.locator(t("import-rows-ok")).innerText()), 0);
  // The list is virtual: the first rows are on screen, each with its Excel row number and reason.
  const first = await page.locator(t("import-error")).first().innerText();
  assert.match(first, /第 \d+ 行/);
  await app.shot("roster-import-duplicates");
  await page.click(t("import-cancel"));
});

test("the roster is exported to an .xlsx in the app's exports folder, after a warning", async () => {
  const { page } = app;
  // Full ID numbers: it says so first, and offers the masked copy for sharing.
  await page.click(t("export-roster"));
  await page.locator(t("export-roster-warning")).getByText("完整身份证号").waitFor();
  assert.equal(await page.locator(t("export-roster-path")).count(), 0, "nothing written yet");
  await app.shot("roster-export-warning");
  await page.click(t("export-roster-masked"));
  const masked = await page.locator(t("export-roster-path")).innerText();
  assert.match(masked, /exports[\\/]网格花名册（脱敏）-.*\.xlsx$/);

  await page.click(t("export-roster"));
  await page.click(t("export-roster-full"));
  await page.locator(t("export-roster-path")).getByText(/[\\/]网格花名册-/).waitFor();
  await app.shot("roster-export");
});
