// Small helpers for showing and editing values; no business rules.

let appToday: string | null = null;

/** Sets "today" to the app's own date (`AppInfo.today`, from the clock every rule uses). */
export function setAppToday(iso: string | null | undefined) {
  appToday = iso ?? null;
}

/**
 * Today as `YYYY-MM-DD` (the format of the Rust `NaiveDate`): the app's date once it is known,
 * so forms and the core agree; before that, this computer's.
 */
export function todayIso(): string {
  if (appToday) return appToday;
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `2025-06-01` → `2025年6月1日`; empty for no date. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const [y, m, d] = iso.split("-").map(Number);
  if (!y || !m || !d) return iso;
  return `${y}年${m}月${d}日`;
}

/**
 * A whole number typed in a form: empty → `null`, digits → the number, anything else →
 * `undefined` (the form then asks for digits; ranges are the core's to check).
 */
export function parseCount(text: string): number | null | undefined {
  const t = text.trim();
  if (t === "") return null;
  return /^-?\d{1,12}$/.test(t) ? Number(t) : undefined;
}

export function countText(n: number | null | undefined): string {
  return n === null || n === undefined ? "" : String(n);
}
