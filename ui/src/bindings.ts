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
 * Where sync stands: sent with every change as the `sync-status` event, and by `sync_status`.
 * Holds no personal data.
 */
export type SyncStatusView = { phase: SyncPhase, enrolled: boolean, server_url: string | null, village_code: string | null, 
/**
 * The end of the last successful sync (RFC 3339), `null` if never.
 */
last_success_at: string | null, 
/**
 * The message of the last failed attempt, as saved in the store (cleared on success).
 */
last_error: string | null, 
/**
 * Local changes the county has not acknowledged yet.
 */
waiting_changes: number, 
/**
 * Versions that lost a merge and wait for the officer.
 */
open_conflicts: number, progress: SyncProgressView | null, 
/**
 * A problem a person must fix (revoked token, version mismatch), with what to do.
 */
problem: IpcError | null, 
/**
 * When the worker tries again by itself (RFC 3339, local time), if it is waiting to.
 */
next_attempt_at: string | null, };

/**
 * What sync is doing right now, for the status line.
 */
export type SyncPhase = "not_enrolled" | "idle" | "syncing" | "offline" | "error";

/**
 * Progress of a running sync round.
 */
export type SyncProgressView = { stage: SyncStage, 
/**
 * Changes sent and acknowledged (pushing) or received and saved (pulling).
 */
done: number, 
/**
 * How many changes are being sent; `null` while pulling (the county does not say).
 */
total: number | null, };

/**
 * Which half of a sync round is running.
 */
export type SyncStage = "pushing" | "pulling";

/**
 * A version that lost a merge, for the conflicts table.
 */
export type ConflictView = { id: number, table: string, 
/**
 * The table in words, e.g. `应急器材`.
 */
table_label: string, 
/**
 * The record's name if it has one (`name`, `title`, …), else empty.
 */
title: string, 
/**
 * When the losing version was written (RFC 3339), from its clock reading.
 */
lost_at: string | null, 
/**
 * Who wrote the losing version: `本机`, `县里` or `另一台电脑`.
 */
lost_by: string, 
/**
 * When the version that won was written, and by whom.
 */
won_at: string | null, won_by: string, 
/**
 * The losing version was a deletion.
 */
lost_deleted: boolean, 
/**
 * A county-owned record: read-only here, so it cannot be restored in the village.
 */
county_owned: boolean, 
/**
 * The losing version's fields, labelled in Chinese where known: those that differ from the
 * current version first.
 */
fields: Array<ConflictField>, };

export type ConflictField = { label: string, 
/**
 * In the losing version.
 */
value: string, 
/**
 * In the current version, when it differs; `null` when it is the same.
 */
current: string | null, };

export type Grid = { id: string, name: string, area: string, note: string, };

/**
 * Which printout to make.
 */
export type PrintRequest = { "product": "response_card", hazard: HazardKind, } | { "product": "household_cards" } | { "product": "grid_sheets", grid: string | null, } | { "product": "kit_sheet" } | { "product": "contacts_sheet" };

/**
 * A printout written to disk. Holds no personal data besides what the officer sees anyway.
 */
export type PrintedFile = { 
/**
 * The PDF's full path, shown to the officer.
 */
path: string, 
/**
 * The file name in the printouts folder; what the other print commands take.
 */
file_name: string, 
/**
 * Size of the PDF in bytes.
 */
bytes: number, 
/**
 * What was printed, e.g. "避险明白卡（312 户，每户一式三联）".
 */
title: string, };

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
