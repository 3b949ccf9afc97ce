// Shared by the UI tests: Debian's Chromium, headless, driven by playwright-core, on the page the
// loopback bridge serves (`CUNAN_UI_URL`, set by `src-tauri/tests/ui.rs`).

import { chromium } from "playwright-core";

/** Debian's Chromium, headless, without reaching out to the network (which this machine has not). */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Opens the app at 1366×768 (the officers' common laptop screen). */
export async function openApp() {
  const url = process.env.CUNAN_UI_URL;
  if (!url) throw new Error("CUNAN_UI_URL is not set: run the UI tests through `cargo test -p cunan-app --test ui`");
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  await page.locator(".layout").waitFor();
  return {
    page,
    errors,
    /** Saves a screenshot to `$CUNAN_UI_SHOTS/<name>.png` when that folder is given. */
    async shot(name) {
      const dir = process.env.CUNAN_UI_SHOTS;
      if (dir) await page.screenshot({ path: `${dir}/${name}.png` });
    },
    close: () => browser.close(),
  };
}

/** `[data-test="name"]` */
export const t = (name) => `[data-test="${name}"]`;

/** Goes to a page through the side navigation and waits for it. */
export async function go(page, id) {
  await page.click(t(`nav-${id}`));
  await page.locator(t(`${id}-page`)).waitFor();
}
