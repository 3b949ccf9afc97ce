// Teams and the contacts directory: a contact with a bad phone is refused with the core's Chinese
// message by the field, then saved; deleting it can be undone; a team gets a member.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go, openApp, t } from "./helpers.mjs";

let app;
before(async () => {
  app = await openApp();
  await go(app.page, "teams");
});
after(() => app?.close());

test("a contact is refused with a bad phone, saved with a good one, and its delete undone", async () => {
  const { page } = app;
  await page.click(t("tab-contacts"));
  await page.locator(t("contact-panel")).waitFor();
  const rows = page.locator(t("contact-row"));
  // The demo village's directory has loaded before anything is counted.
  await rows.first().waitFor();
  const before = await rows.count();

  await page.click(t("contact-add"));
  await page.locator(t("contact-dialog")).waitFor();
  await page.fill(t("contact-name"), "溪口镇防汛办");
  await page.fill(t("contact-phone"), "13800");
  await page.click(t("contact-save"));
  await page.locator(t("contact-dialog")).getByText("不是有效的电话号码").waitFor();
  await page.fill(t("contact-phone"), "0572-2123456");
  await page.click(t("contact-save"));
  await page.locator(t("contact-dialog")).waitFor({ state: "detached" });
  const row = rows.filter({ hasText: "溪口镇防汛办" });
  await row.waitFor();
  assert.equal(await rows.count(), before + 1);

  await row.locator(t("contact-delete")).click();
  await page.locator(t("undo-toast")).waitFor();
  await row.waitFor({ state: "detached" });
  await page.click(t("undo"));
  await row.waitFor();
  assert.equal(await rows.count(), before + 1);
});

test("a new team gets a member", async () => {
  const { page } = app;
  await page.click(t("tab-teams"));
  await page.click(t("team-add"));
  await page.locator(t("team-dialog")).waitFor();
  await page.fill(t("team-name"), "夜间巡查队");
  await page.click(t("team-save"));
  await page.locator(t("team-dialog")).waitFor({ state: "detached" });
  await page.locator(t("team-row")).filter({ hasText: "夜间巡查队" }).click();
  await page.click(t("team-member-add"));
  await page.locator(t("team-member-dialog")).waitFor();
  await page.fill(t("team-member-name"), "赵铁柱");
  await page.fill(t("team-member-phone"), "13700001111");
  await page.click(t("team-member-save"));
  await page.locator(t("team-member-dialog")).waitFor({ state: "detached" });
  await page.locator(t("team-member-row")).filter({ hasText: "赵铁柱" }).waitFor();
  await app.shot("team-member");
});

test("Tab stays inside an open dialog, and Esc closes it", async () => {
  const { page } = app;
  await page.click(t("tab-contacts"));
  await page.click(t("contact-add"));
  const dialog = page.locator(t("contact-dialog"));
  await dialog.waitFor();
  for (let i = 0; i < 25; i++) {
    await page.keyboard.press(i % 7 === 6 ? "Shift+Tab" : "Tab");
    const inside = await page.evaluate(
      (sel) => document.querySelector(sel)?.contains(document.activeElement) ?? false,
      t("contact-dialog"),
    );
    assert.ok(inside, `focus left the dialog after ${i + 1} presses`);
  }
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "detached" });
});
