// USB sync and the county's other addresses, against a real county server on loopback (started
// by src-tauri/tests/ui.rs): the officer writes the changes to a folder standing in for a USB
// stick, reads the county's reply (its receipt stops the re-sending), enrolls, then uses another
// address of the same server; an address that answers as another county server is refused.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { go, openApp, t } from "./helpers.mjs";

const env = (name) => {
  const v = process.env[name];
  assert.ok(v, `${name} is set by src-tauri/tests/ui.rs`);
  return v;
};

let app;
before(async () => {
  app = await openApp();
  await go(app.page, "sync");
});
after(() => app?.close());

test("this computer's changes are written to the USB folder", async () => {
  const { page } = app;
  const usb = env("CUNAN_UI_USB");
  await page.fill(t("usb-folder"), join(usb, "没有这个文件夹"));
  await page.click(t("usb-write"));
  await page.locator(t("usb-card")).getByText("找不到这个文件夹").waitFor();

  await page.fill(t("usb-folder"), usb);
  // Never enrolled online and no reply read yet: the county does not know this computer, so the
  // bundle needs the county's code.
  await page.click(t("usb-write"));
  await page.locator(t("usb-card")).getByText("这台电脑还没有在县里登记").waitFor();
  await app.shot("usb-code-needed");
  assert.equal(readdirSync(usb).filter((f) => f.endsWith(".cunan")).length, 0, "nothing written");
  await page.fill(t("usb-code"), env("CUNAN_UI_USB_CODE"));
  await page.click(t("usb-write"));
  const done = page.locator(t("usb-written"));
  await done.waitFor();
  const written = Number((await done.innerText()).match(/已写入 (\d+) 条/)[1]);
  assert.ok(written > 1000, `the demo village's changes: ${written}`);
  await app.shot("usb-written");
  const files = readdirSync(usb).filter((f) => f.endsWith(".cunan"));
  assert.equal(files.length, 1, String(files));
  assert.match(files[0], /^村安数据包-.+-2026-06-15-\d{6}\.cunan$/);
  assert.ok(readFileSync(join(usb, files[0])).subarray(0, 12).toString() === "CUNAN-BUNDLE");
});

test("the county's reply is read back: its receipt leaves nothing to send again", async () => {
  const { page } = app;
  // A second window on the contacts page, left open while the bundle is read in the first.
  const other = await page
    .context()
    .browser()
    .newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  await other.goto(page.url());
  await other.locator(".layout").waitFor();
  await go(other, "teams");
  await other.click(t("tab-contacts"));
  await other.locator(t("contact-count")).waitFor();
  assert.equal(await other.getByText("县防指值班室").count(), 0, "not there before the bundle");

  await page.setInputFiles(t("usb-read-file"), env("CUNAN_UI_COUNTY_REPLY"));
  const done = page.locator(t("usb-read-done"));
  await done.waitFor();
  const text = await done.innerText();
  assert.match(text, /县里已确认收到本机 \d+ 条修改/);
  assert.match(text, /本机的修改县里都已收到/);
  await app.shot("usb-read");
  // The receipt says the county holds this computer's key: no code is asked for any more.
  await page.locator(t("usb-code")).waitFor({ state: "detached" });

  // Written again: the county has everything, so the bundle is empty.
  await page.click(t("usb-write"));
  await page.locator(t("usb-written")).getByText("已写入 0 条").waitFor();

  // The store changed underneath the other window: its contacts list reloads by itself.
  await other.getByText("县防指值班室").first().waitFor({ timeout: 10_000 });
  await other.close();

  // The county's contact came with it.
  await go(page, "teams");
  await page.click(t("tab-contacts"));
  await page.getByText("县防指值班室").first().waitFor();
  await go(page, "sync");
});

test("plain http to another computer needs the officer's explicit permission", async () => {
  const { page } = app;
  // 0.0.0.0 reaches this machine but is not loopback: to the app it is another computer.
  const plain = env("CUNAN_UI_COUNTY_URL").replace("127.0.0.1", "0.0.0.0");
  await page.fill(t("sync-server"), plain);
  await page.fill(t("sync-code"), "WRONG-CODE-0000");
  await page.locator(t("sync-allow-http")).waitFor();
  await page.click(t("sync-enroll"));
  await page.locator(t("sync-enroll-form")).getByText("不加密的 http 连接").waitFor();
  await app.shot("sync-plain-http");
  // Loopback needs no permission: the box goes away.
  await page.fill(t("sync-server"), env("CUNAN_UI_COUNTY_URL"));
  await page.locator(t("sync-allow-http")).waitFor({ state: "detached" });
});

test("another address of the same server is used; another county's server is refused", async () => {
  const { page } = app;
  await page.fill(t("sync-server"), env("CUNAN_UI_COUNTY_URL"));
  await page.fill(t("sync-code"), env("CUNAN_UI_COUNTY_CODE"));
  await page.click(t("sync-enroll"));
  await page.locator(t("sync-state")).waitFor();

  const byName = `http://localhost:${env("CUNAN_UI_COUNTY_PORT")}`;
  await page.click(t("sync-address-edit"));
  await page.fill(t("sync-address-input"), env("CUNAN_UI_STRANGER_URL"));
  await page.click(t("sync-address-save"));
  const form = page.locator(t("sync-address-form"));
  await form.getByText("另一台县级服务器").waitFor();
  await app.shot("sync-address-refused");

  await page.fill(t("sync-address-input"), byName);
  await page.click(t("sync-address-save"));
  await form.waitFor({ state: "detached" });
  const line = page.locator(t("sync-server-line"));
  assert.match(await line.innerText(), new RegExp(byName.replace(/[.:/]/g, "\\$&")));
  await page.locator(t("sync-address-note")).waitFor();
  await app.shot("sync-address");

  // And back to the enrolled address.
  await page.click(t("sync-address-edit"));
  await page.click(t("sync-address-reset"));
  await page.locator(t("sync-address-note")).waitFor({ state: "detached" });
});
