// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p cunan-app bindings`.
// Do not edit by hand.

/**
 * 行政村(社区): the village this store belongs to.
 */
export type Village = { id: string, 
/**
 * 12-digit 统计用区划代码.
 */
code: string, name: string, township: string, county: string, province_city: string, population: number | null, household_count: number | null, hazard_kinds: Array<HazardKind>, 
/**
 * Whether communications can be guaranteed after a disaster; if not, a satellite phone is required.
 */
comms_guaranteed: boolean, party_secretary: string, party_secretary_phone: string, officer_name: string, officer_phone: string, note: string, };

/**
 * The hazard kinds the app knows from day one.
 */
export type HazardKind = "flood" | "geological" | "forest-fire" | "fire" | "earthquake" | "other";

export type KitItem = { id: string, 
/**
 * The 5+X catalogue code for a standard item; `None` for the village's own X items.
 */
catalog_code: string | null, name: string, quantity: number, unit: string, location: string, custodian: string, custodian_phone: string, condition: KitCondition, inspect_every_days: number, note: string, };

/**
 * The state an item of kit is in.
 */
export type KitCondition = "good" | "needs-repair" | "broken";

export type KitInspection = { id: string, kit_item_id: string, date: string, inspector: string, result: KitCondition, note: string, };

/**
 * The checklist, standard items first in catalogue order, then the X items.
 */
export type KitChecklist = { standard_name: string, lines: Array<KitLine>, 
/**
 * Lines with at least one problem.
 */
problem_count: number, };

/**
 * One line of the kit checklist.
 */
export type KitLine = { item: KitItem, 
/**
 * 0 for the village's own X items.
 */
required: number, standard: boolean, last_inspected: string | null, next_due: string | null, problems: Array<KitProblem>, };

/**
 * What is wrong with a line of the checklist, worst first.
 */
export type KitProblem = "missing" | "short" | "broken" | "needs-repair" | "inspection-overdue";

/**
 * Every failed command rejects with this. `message` is the Chinese text for the officer (what is
 * wrong and what to do); `code` is what the UI matches on; `field` names the form field a
 * validation error is about (its Chinese label), so the UI can show the message next to it.
 */
export type IpcError = { code: string, message: string, field: string | null, };

/**
 * What the app tells the UI about itself at start-up. Holds no personal data.
 */
export type AppInfo = { app_version: string, 
/**
 * The store file, or `null` if the platform has no app-data folder.
 */
store_path: string | null, 
/**
 * Whether this is the demo village (`--demo`), not the officer's own data.
 */
demo: boolean, 
/**
 * The schema version of the open store; `null` if it could not be opened.
 */
schema_version: number | null, 
/**
 * This installation's id in sync; `null` if the store could not be opened.
 */
device_id: string | null, 
/**
 * Why the store could not be opened; the UI shows it instead of the screens.
 */
store_error: IpcError | null, };

/**
 * A response card written to disk.
 */
export type PrintedCard = { 
/**
 * The PDF's full path, shown to the officer.
 */
path: string, 
/**
 * Whether the system PDF viewer was started; if not, the UI asks the officer to open the file.
 */
opened: boolean, };

export const HAZARD_KIND_LABELS: Record<HazardKind, string> = {
  "flood": "防汛防台",
  "geological": "地质灾害",
  "forest-fire": "森林火灾",
  "fire": "消防安全",
  "earthquake": "地震",
  "other": "其他灾害",
};
export const KIT_CONDITION_LABELS: Record<KitCondition, string> = {
  "good": "完好",
  "needs-repair": "待维修",
  "broken": "损坏",
};
export const KIT_PROBLEM_LABELS: Record<KitProblem, string> = {
  "missing": "缺少",
  "short": "数量不足",
  "broken": "损坏",
  "needs-repair": "待维修",
  "inspection-overdue": "检查逾期",
};
