// Sync status shared by the status line and the 同步 page: one subscription to the worker's
// `sync-status` events, a clock for "3 分钟前", and the words for each state.

import { onBeforeUnmount, onMounted, ref, type Ref } from "vue";
import type { Backend } from "./backend";
import type { SyncStatusView } from "./bindings";

const status = ref<SyncStatusView | null>(null);
const now = ref(Date.now());
let users = 0;
let stop: (() => void) | null = null;
let timer: ReturnType<typeof setInterval> | undefined;

/** The latest sync status (kept current by events) and the current time (every 20 s). */
export function useSyncStatus(backend: Backend): {
  status: Ref<SyncStatusView | null>;
  now: Ref<number>;
  refresh: () => Promise<void>;
} {
  async function refresh() {
    try {
      status.value = await backend.syncStatus();
    } catch {
      // The status line is secondary: keep the last status rather than show an error.
    }
  }
  onMounted(async () => {
    users += 1;
    if (users > 1) return;
    timer = setInterval(() => (now.value = Date.now()), 20_000);
    const unlisten = await backend.onSyncStatus((s) => (status.value = s)).catch(() => null);
    if (users === 0) unlisten?.();
    else stop = unlisten;
    await refresh();
  });
  onBeforeUnmount(() => {
    users -= 1;
    if (users > 0) return;
    clearInterval(timer);
    stop?.();
    stop = null;
  });
  return { status, now, refresh };
}

/** `2025-06-01T08:00:00+08:00` → "刚刚" / "3 分钟前" / "2 小时前" / "昨天 14:05" / "6月1日 14:05". */
export function ago(iso: string | null | undefined, nowMs: number): string {
  if (!iso) return "";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return "";
  const secs = Math.round((nowMs - t.getTime()) / 1000);
  if (secs < 60) return "刚刚";
  if (secs < 3600) return `${Math.floor(secs / 60)} 分钟前`;
  const pad = (n: number) => String(n).padStart(2, "0");
  const hm = `${pad(t.getHours())}:${pad(t.getMinutes())}`;
  if (secs < 6 * 3600) return `${Math.floor(secs / 3600)} 小时前`;
  const today = new Date(nowMs);
  const day = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((day(today) - day(t)) / 86_400_000);
  if (days === 0) return `今天 ${hm}`;
  if (days === 1) return `昨天 ${hm}`;
  if (t.getFullYear() === today.getFullYear()) return `${t.getMonth() + 1}月${t.getDate()}日 ${hm}`;
  return `${t.getFullYear()}年${t.getMonth() + 1}月${t.getDate()}日 ${hm}`;
}

/** A full local date and time, e.g. `2025年6月1日 14:05`. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return "";
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${t.getFullYear()}年${t.getMonth() + 1}月${t.getDate()}日 ${pad(t.getHours())}:${pad(t.getMinutes())}`;
}

/** "正在上传 120/8963 条" / "正在下载，已收到 40 条" / "正在同步…". */
export function progressText(s: SyncStatusView): string {
  const p = s.progress;
  if (!p) return "正在同步…";
  if (p.stage === "pushing") return p.total ? `正在上传 ${p.done}/${p.total} 条` : "正在同步…";
  return p.done > 0 ? `正在接收县里的数据，已收到 ${p.done} 条` : "正在接收县里的数据…";
}

export type Tone = "ok" | "warn" | "problem" | "neutral" | "busy";

/** The one-line summary and its colour. */
export function summary(s: SyncStatusView | null, nowMs: number): { text: string; tone: Tone } {
  if (!s) return { text: "正在读取同步状态…", tone: "neutral" };
  if (s.phase === "not_enrolled") return { text: "未登记县级服务器", tone: "neutral" };
  if (s.phase === "syncing") return { text: progressText(s), tone: "busy" };
  const waiting = s.waiting_changes > 0 ? `待上传 ${s.waiting_changes} 条` : "";
  if (s.phase === "error") return { text: join(waiting, "同步出错，需要处理"), tone: "problem" };
  if (s.phase === "offline") return { text: join(waiting, "离线，将自动重试"), tone: "warn" };
  if (waiting) return { text: `${waiting} · 即将上传`, tone: "warn" };
  if (s.last_success_at) return { text: `已同步 · ${ago(s.last_success_at, nowMs)}`, tone: "ok" };
  return { text: "已登记 · 尚未同步", tone: "neutral" };
}

function join(a: string, b: string): string {
  return a ? `${a} · ${b}` : b;
}

/**
 * Whether `url` is plain http to another computer (not this one): the app refuses such an address
 * unless the officer allows it (mirrors `cunan_sync::client::is_plain_remote`).
 */
export function isPlainRemote(url: string): boolean {
  const m = /^http:\/\/([^/?#]*)/i.exec(url.trim());
  if (!m) return false;
  const authority = m[1].split("@").pop() ?? "";
  const host = authority.startsWith("[") ? authority.slice(1).split("]")[0] : authority.split(":")[0];
  const h = host.toLowerCase();
  return !(h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h));
}
