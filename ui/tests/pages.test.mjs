// Every page of the app opens on the demo village, fits 1366×768 without sideways scrolling,
// and shows no error.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go, openApp } from "./helpers.mjs";

const PAGES = ["readiness", "emergency", "village", "roster", "teams", "places", "plans", "kit", "hazards", "drills", "education", "print", "sync"];

let app;
before(async () => {
  app = await openApp();
});
after(() => app?.close());

for (const id of PAGES) {
  test(`the ${id} page opens cleanly`, async () => {
    const { page } = app;
    await go(page, id);
    // Let the page's first load finish.
    await page.waitForLoadState("networkidle");
    await app.shot(`page-${id}`);
    const text = await page.locator(".content").innerText();
    assert.doesNotMatch(text, /程序内部出错/, `${id}: an internal error is shown`);
    const overflow = await page.evaluate(() => {
      const c = document.querySelector(".content");
      return c ? c.scrollWidth - c.clientWidth : 0;
    });
    assert.ok(overflow <= 1, `${id}: the page scrolls sideways by ${overflow}px at 1366×768`);
    assert.deepEqual(app.errors, [], `${id}: script errors`);
  });
}
