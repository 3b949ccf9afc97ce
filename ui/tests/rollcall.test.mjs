// Emergency mode, the roll call: a transfer started from the 转移点名 page lists the village's
// people (threatened households first); one tap marks a whole household and the totals follow;
// 投亲靠友 asks with whom; 只看未转移 leaves only people not yet safe; the incident's next report
// starts from the people moved; 解除 closes the list for marks.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { go, openApp, t } from "./helpers.mjs";

let app;
before(async () => {
  app = await openApp();
});
after(() => app?.close());

const invoke = async (command, args = {}) => {
  const res = await fetch(new URL(`invoke/${command}`, process.env.CUNAN_UI_URL), {
    method: "POST",
    body: JSON.stringify(args),
  });
  assert.equal(res.status, 200, `${command} answered`);
  return res.json();
};

/** The number in a totals tile. */
async function tile(name) {
  return Number(await app.page.locator(`${t(name)} .num`).innerText());
}

test("a transfer lists the village, a household is marked in one tap and the totals follow", async () => {
  const { page } = app;
  // An incident under way: the transfer belongs to it.
  await invoke("start_incident", { incident: { hazard: "flood", occurred_at: "", place: "溪口桥", severity: null } });

  await go(page, "rollcall");
  await page.locator(t("rollcall-none")).waitFor();
  await page.click(t("rollcall-new"));
  const dialog = page.locator(t("start-rollcall-dialog"));
  await dialog.waitFor();
  assert.match(await page.locator(t("rollcall-incident")).locator("option:checked").innerText(), /溪口桥/);
  const board = await invoke("rollcall_board");
  const people = board.grids.reduce((n, g) => n + g.people, 0);
  assert.match(await page.locator(t("rollcall-estimate")).innerText(), new RegExp(`${people} 人（全村）`));
  await app.shot("rollcall-start-dialog");
  await page.click(t("rollcall-start"));

  const detail = page.locator(t("rollcall-detail"));
  await detail.waitFor();
  await page.locator(t("rollcall-household")).first().waitFor();
  assert.equal(await tile("total-expected"), people);
  assert.equal(await tile("total-moved"), 0);
  assert.equal(await tile("total-not-moved"), people);

  // The list begins with a threatened household (the demo village has some).
  const firstHousehold = page.locator(t("rollcall-household")).first();
  assert.match(await firstHousehold.innerText(), /受威胁/);
  const householdId = await firstHousehold.getAttribute("data-id");
  const call = await invoke("rollcall_view", { id: await detail.getAttribute("data-id") });
  const members = call.people.filter((p) => p.household_id === householdId);
  assert.ok(members.length > 0);

  // One tap: everyone of the household is 已转移, to the shelter chosen above the list.
  const shelter = await page.locator(t("rollcall-shelter")).locator("option:checked").innerText();
  await firstHousehold.locator(t("household-mark-moved")).click();
  for (const m of members) {
    await page.locator(`${t("rollcall-person")}[data-id="${m.resident_id}"][data-status="moved"]`).waitFor();
  }
  assert.equal(await tile("total-moved"), members.length);
  assert.equal(await tile("total-not-moved"), people - members.length);
  assert.match(await firstHousehold.innerText(), /全部安全/);
  assert.match(await page.locator(t("shelter-loads")).innerText(), new RegExp(`${shelter}\\s+${members.length}`));

  // 投亲靠友 asks with whom; without it nothing is marked.
  const next = page.locator(t("rollcall-person")).nth(members.length);
  const nextId = await next.getAttribute("data-id");
  await next.locator(t("person-mark-with-relatives")).click();
  await page.locator(t("staying-dialog")).waitFor();
  await page.click(t("staying-save"));
  await page.locator(t("staying-dialog")).getByText("请填写投靠的亲友").waitFor();
  await page.fill(t("staying-with"), "镇上女儿家");
  await page.click(t("staying-save"));
  await page.locator(`${t("rollcall-person")}[data-id="${nextId}"][data-status="with-relatives"]`).waitFor();
  assert.match(await page.locator(`${t("rollcall-person")}[data-id="${nextId}"]`).innerText(), /镇上女儿家/);
  assert.equal(await tile("total-moved"), members.length + 1);

  // 已返回 is not safe: back in the count, and the row stands out.
  await page.locator(`${t("rollcall-person")}[data-id="${nextId}"]`).locator(t("person-mark-returned")).click();
  await page.locator(`${t("rollcall-person")}[data-id="${nextId}"][data-status="returned"]`).waitFor();
  assert.equal(await tile("total-not-moved"), people - members.length);

  // 只看未转移: the household marked is gone, the person back home is there.
  await page.click(t("rollcall-not-safe"));
  await page.locator(`${t("rollcall-household")}[data-id="${householdId}"]`).waitFor({ state: "detached" });
  await page.locator(`${t("rollcall-person")}[data-id="${nextId}"]`).waitFor();
  const statuses = await page.locator(t("rollcall-person")).evaluateAll((rows) => rows.map((r) => r.dataset.status));
  assert.ok(statuses.length > 0);
  assert.ok(statuses.every((s) => !["moved", "with-relatives", "away"].includes(s)), statuses.join());
  await app.shot("rollcall-not-safe");

  // 打印未转移名单: made now, one page per grid with anyone not safe, previewed in the app.
  await page.click(t("rollcall-print"));
  const printed = page.locator(t("not-safe-print-file"));
  await printed.getByText(/共 \d+ 页/).waitFor();
  const pages = Number(/共 (\d+) 页/.exec(await printed.innerText())[1]);
  assert.ok(pages >= board.grids.filter((g) => g.people > 0).length, `${pages} pages`);
  assert.match(await printed.innerText(), /\.pdf/);
  await app.shot("rollcall-print");
  await page.keyboard.press("Escape");
  await page.locator(t("not-safe-print")).waitFor({ state: "detached" });

  // The marks are in the store, as the screen showed them.
  const stored = await invoke("rollcall_view", { id: call.event.id });
  assert.equal(stored.totals.village.moved.people, members.length);
  assert.equal(stored.people.find((p) => p.resident_id === nextId).status, "returned");
  assert.deepEqual(app.errors, []);
});

test("the incident's next report starts from the people moved, and 解除 ends the marks", async () => {
  const { page } = app;
  await go(page, "emergency");
  await page.locator(t("incident-rollcall")).waitFor();
  const link = await page.locator(t("incident-rollcall")).innerText();
  const moved = Number(/已转移 (\d+) 人/.exec(link)?.[1]);
  assert.ok(moved > 0, link);
  assert.equal(await page.inputValue(t("report-evacuated")), String(moved));

  // Marks made while the form is open (on another laptop, or a moment ago): 转移人数 follows the
  // roll call, until the officer types a number of their own.
  const { roll_calls } = await invoke("rollcall_board");
  const id = roll_calls[0].event.id;
  const pendingHouseholds = async () => {
    const view = await invoke("rollcall_view", { id });
    return [...new Set(view.people.filter((p) => p.status === "pending").map((p) => p.household_id))];
  };
  const [h1, h2] = await pendingHouseholds();
  const mark = { status: "moved", shelter_id: null, staying_with: "", marked_by: "网格员", note: "" };
  const after1 = (await invoke("mark_household", { id, householdId: h1, mark })).totals.village.moved.people;
  await page.waitForFunction(
    ([sel, n]) => document.querySelector(sel)?.value === String(n),
    [t("report-evacuated"), after1],
  );
  await page.fill(t("report-evacuated"), "99");
  const after2 = (await invoke("mark_household", { id, householdId: h2, mark })).totals.village.moved.people;
  await page.locator(t("incident-rollcall")).getByText(`已转移 ${after2} 人`).waitFor();
  assert.equal(await page.inputValue(t("report-evacuated")), "99", "the officer's own number stays");

  await page.click(t("incident-rollcall"));
  // The typed number is unsaved work: leaving asks first.
  await page.click(t("leave-discard"));
  await page.locator(t("rollcall-detail")).waitFor();
  await page.click(t("rollcall-end"));
  await page.locator(t("end-dialog")).waitFor();
  assert.match(await page.locator(t("end-dialog")).innerText(), /仍有 \d+ 人未转移/);
  await page.click(t("end-confirm"));
  await page.locator(`${t("rollcall-state")}:has-text("已解除")`).waitFor();
  assert.equal(await page.locator(t("household-mark-moved")).count(), 0, "no mark buttons once ended");

  await page.click(t("rollcall-back"));
  await page.locator(t("rollcall-item")).first().waitFor();
  assert.match(await page.locator(t("rollcall-item")).first().innerText(), /已解除/);
  assert.deepEqual(app.errors, []);
});
