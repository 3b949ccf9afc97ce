// Shared helpers of the plans, hazards, drills and readiness screens: the Chinese labels of the
// codes these tables store as text, and small pure functions. No business rules (the core decides
// what is overdue, missing or complete).

import type { CheckState, PlanStep, ReportRow } from "./bindings";
import type { Page } from "./components/SideNav.vue";

/** 五色图 / warning colours, as stored in `hazard_site.risk_color` and `plan_step.warning_level`. */
export const RISK_COLORS = [
  { code: "red", label: "红色", short: "红" },
  { code: "orange", label: "橙色", short: "橙" },
  { code: "yellow", label: "黄色", short: "黄" },
  { code: "blue", label: "蓝色", short: "蓝" },
  { code: "green", label: "绿色", short: "绿" },
] as const;

/** Warning levels: 红/橙/黄/蓝 (no green). */
export const WARNING_LEVELS = RISK_COLORS.filter((c) => c.code !== "green");

export function colorLabel(code: string | null | undefined): string {
  if (!code) return "";
  return RISK_COLORS.find((c) => c.code === code)?.label ?? code;
}

/** Where a hazard report came from (`hazard_report.source`). Unknown text is shown as it is. */
export const REPORT_SOURCES = [
  { code: "unannounced-inspection", label: "暗访督查" },
  { code: "patrol", label: "日常巡查" },
  { code: "villager", label: "群众报告" },
  { code: "other", label: "其他" },
] as const;

export function sourceLabel(code: string): string {
  return REPORT_SOURCES.find((s) => s.code === code)?.label ?? code;
}

/** Kinds of drill (`drill.kind`). */
export const DRILL_KINDS = [
  { code: "comprehensive", label: "综合演练" },
  { code: "single", label: "单项演练" },
  { code: "tabletop", label: "桌面推演" },
] as const;

export function drillKindLabel(code: string): string {
  return DRILL_KINDS.find((k) => k.code === code)?.label ?? code;
}

/** Hazard-site types seen in the flood-season risk lists; the officer may type another. */
export const SITE_TYPES = [
  "山塘水库",
  "低洼易涝点",
  "地质灾害隐患点",
  "山洪沟",
  "危旧房",
  "在建工地",
  "林区防火点",
  "人员密集场所",
];

/** A hazard report's status as the badge text: 超期 N 天 / 还剩 N 天 / 已办结 / 超期办结. */
export function statusText(row: ReportRow): string {
  switch (row.status) {
    case "overdue":
      return `超期 ${Math.abs(row.days_left)} 天`;
    case "due-soon":
    case "open":
      return row.days_left === 0 ? "今天到期" : `还剩 ${row.days_left} 天`;
    case "closed-late":
      return "超期办结";
    case "closed":
      return "已办结";
  }
}

/** The badge class of a report status (colour is never the only signal: the text says it too). */
export function statusClass(row: ReportRow): string {
  switch (row.status) {
    case "overdue":
      return "problem";
    case "due-soon":
      return "warn";
    case "open":
      return "neutral";
    case "closed-late":
      return "warn";
    case "closed":
      return "ok";
  }
}

export function isOpen(row: ReportRow): boolean {
  return row.status === "overdue" || row.status === "due-soon" || row.status === "open";
}

export const CHECK_STATE_LABELS: Record<CheckState, string> = {
  ok: "已达标",
  partial: "部分达标",
  missing: "缺失",
};

/** The screens a readiness item can point at, by the core's names, as the side-nav's pages. */
const READINESS_PAGES: Record<string, Page> = {
  village: "village",
  roster: "roster",
  teams: "teams",
  contacts: "teams",
  shelters: "places",
  routes: "places",
  places: "places",
  plans: "plans",
  kit: "kit",
  hazards: "hazards",
  drills: "drills",
  education: "education",
  print: "print",
};

export function readinessPage(page: string): Page | null {
  return READINESS_PAGES[page] ?? null;
}

/** The six items of 六落实 on a plan: the text column, its reference column, the choices to pick from. */
export type SixItemField = "responsible" | "monitor" | "reporter" | "warning_signal" | "route" | "safe_place";
export type RefField = "responsible_ref" | "monitor_ref" | "reporter_ref" | "route_ref" | "safe_place_ref";

export interface SixItem {
  field: SixItemField;
  label: string;
  ref: RefField | null;
  choices: "people" | "routes" | "shelters" | null;
  placeholder: string;
}

export const SIX_ITEMS: readonly SixItem[] = [
  { field: "responsible", label: "责任人", ref: "responsible_ref", choices: "people", placeholder: "例如：张建国（村主任）" },
  { field: "monitor", label: "监测人", ref: "monitor_ref", choices: "people", placeholder: "谁盯雨情水情、巡查隐患点" },
  { field: "reporter", label: "信息员", ref: "reporter_ref", choices: "people", placeholder: "谁向乡镇报告灾情" },
  { field: "warning_signal", label: "预警信号", ref: null, choices: null, placeholder: "例如：鸣锣三声、手摇报警器长鸣" },
  { field: "route", label: "转移路线", ref: "route_ref", choices: "routes", placeholder: "从哪里经哪里到哪里" },
  { field: "safe_place", label: "安置点", ref: "safe_place_ref", choices: "shelters", placeholder: "转移到哪里" },
];

/** Steps of one phase, in display order. */
export function stepsOf(steps: PlanStep[], phase: PlanStep["phase"]): PlanStep[] {
  return steps.filter((s) => s.phase === phase).sort((a, b) => a.position - b.position);
}

/** The position for a new step at the end of its phase. */
export function nextPosition(steps: PlanStep[], phase: PlanStep["phase"]): number {
  const list = stepsOf(steps, phase);
  return list.length ? Math.max(...list.map((s) => s.position)) + 1 : 0;
}

/** `YYYY-MM-DD`, or null for an empty field; `undefined` when the text is not a date. */
export function parseDate(text: string): string | null | undefined {
  const t = text.trim();
  if (t === "") return null;
  return /^\d{4}-\d{2}-\d{2}$/.test(t) ? t : undefined;
}

/** `YYYY-MM-DD` plus `days` (calendar days, no time zone involved). */
export function addDays(iso: string, days: number): string {
  const [y, m, d] = iso.split("-").map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}
