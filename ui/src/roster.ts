// Helpers of the roster screens (网格花名册): how people's data is shown and edited. No business
// rules: validation is the core's.

import type { HouseholdRow, MatchKind, PersonSource } from "./bindings";

/** Common house structures (房屋结构), as village ledgers write them. */
export const HOUSE_TYPES = ["砖混", "砖木", "土木", "框架", "钢结构", "其他"] as const;

/** Common relations to the head of the household, offered as suggestions (free text allowed). */
export const RELATIONS = ["户主", "配偶", "子", "女", "父亲", "母亲", "孙子", "孙女", "儿媳", "女婿", "兄弟姐妹", "其他"] as const;

export const GENDERS = ["男", "女"] as const;

/** The field labels the core names in household validation errors. */
export const HOUSEHOLD_FIELDS = ["户主姓名", "户联系电话", "所在网格", "威胁本户的隐患点"] as const;
/** …in resident and vulnerable-person validation errors. */
export const RESIDENT_FIELDS = ["姓名", "身份证号", "电话", "出生日期", "帮扶责任人", "帮扶责任人电话"] as const;
export const GRID_FIELDS = ["网格名称"] as const;
export const GRID_MEMBER_FIELDS = ["网格员姓名", "网格员电话"] as const;

export const MATCH_LABELS: Record<MatchKind, string> = {
  name: "姓名",
  initials: "拼音首字母",
  phone: "电话",
};

export const SOURCE_LABELS: Record<PersonSource, string> = {
  resident: "居民",
  "grid-member": "网格员",
  "team-member": "队员",
  contact: "通讯录",
};

/** The household list's filters. `grid`: "" all, "none" households in no grid, or a grid id. */
export interface HouseholdFilter {
  grid: string;
  danger: boolean;
  vulnerable: boolean;
  text: string;
}

export function emptyFilter(): HouseholdFilter {
  return { grid: "", danger: false, vulnerable: false, text: "" };
}

export function filterHouseholds(rows: HouseholdRow[], f: HouseholdFilter): HouseholdRow[] {
  const text = f.text.trim().toLowerCase();
  if (!f.grid && !f.danger && !f.vulnerable && !text) return rows;
  return rows.filter(
    (r) =>
      (!f.grid || (f.grid === "none" ? !r.grid_id : r.grid_id === f.grid)) &&
      (!f.danger || r.in_danger_zone) &&
      (!f.vulnerable || r.vulnerable > 0) &&
      (!text ||
        r.head_name.toLowerCase().includes(text) ||
        r.address.toLowerCase().includes(text) ||
        r.phone.includes(text)),
  );
}

/** Age in whole years on `today` (both `YYYY-MM-DD`), or `null` without a birth date. */
export function age(birth: string | null, today: string): number | null {
  if (!birth) return null;
  const [by, bm, bd] = birth.split("-").map(Number);
  const [ty, tm, td] = today.split("-").map(Number);
  if (!by || !ty) return null;
  let a = ty - by;
  if (tm < bm || (tm === bm && td < bd)) a -= 1;
  return a >= 0 ? a : null;
}
