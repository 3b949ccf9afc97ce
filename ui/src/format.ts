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

/**
 * `2026-06-15T09:30:00+08:00` → `09:30`: a time as it was given (its own offset, which is this
 * computer's for times made here), without the browser reinterpreting it.
 */
export function clockTime(rfc3339: string | null | undefined): string {
  const m = /T(\d{2}:\d{2})/.exec(rfc3339 ?? "");
  return m ? m[1] : "";
}

/** `2026-06-15T09:30:00+08:00` → `6月15日 09:30`. */
export function dayAndTime(rfc3339: string | null | undefined): string {
  const m = /^\d{4}-(\d{2})-(\d{2})T(\d{2}:\d{2})/.exec(rfc3339 ?? "");
  return m ? `${Number(m[1])}月${Number(m[2])}日 ${m[3]}` : (rfc3339 ?? "");
}

/** Seconds as a countdown: `14:05`, or `1:02:09` from an hour up. */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const pad = (n: number) => String(n).padStart(2, "0");
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}
