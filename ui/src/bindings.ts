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
 * A failed call: the code, the Chinese message, and the form field it is about (if any).
 */
export type ApiError = { code: ErrorCode, message: string, field: string | null, };

/**
 * Every error code the village side can give. The text is the wire form (snake_case).
 */
export type ErrorCode = "store_too_new" | "store_exists" | "store_missing" | "store_busy" | "no_data_dir" | "no_village" | "not_found" | "no_plan" | "storage" | "io" | "format" | "unknown_table" | "bad_record" | "required" | "out_of_range" | "too_long" | "date" | "date_order" | "phone" | "division_code" | "resident_id" | "id_number_taken" | "village_exists" | "village_code_fixed" | "county_owned" | "grid_missing" | "household_missing" | "resident_missing" | "hazard_site_missing" | "plan_exists" | "attendee_missing" | "attendee_ambiguous" | "report_sent" | "incident_closed" | "nobody_to_move" | "roll_call_ended" | "shelter_missing" | "id_number_in_text" | "input" | "unknown_hazard" | "nothing_to_print" | "grid_not_applicable" | "missing_glyphs" | "card_too_long" | "pdf_failed" | "print_failed" | "printout_unreadable" | "viewer_failed" | "reveal_failed" | "bad_file_name" | "file_missing" | "file_unreadable" | "excel_unreadable" | "excel_no_header" | "import_stale" | "no_import" | "import_bad_rows" | "import_nothing" | "sync_network" | "sync_bad_response" | "sync_unauthorized" | "sync_forbidden" | "sync_version" | "sync_server" | "sync_not_enrolled" | "sync_wrong_server" | "sync_foreign_rows" | "sync_response_too_large" | "sync_plain_http" | "sync_certificate" | "enroll_wrong_village" | "enroll_failed" | "address_failed" | "bundle_not_a_bundle" | "bundle_too_new" | "bundle_truncated" | "bundle_checksum" | "bundle_body" | "bundle_not_for_village" | "bundle_not_for_county" | "bundle_wrong_village" | "bundle_foreign_rows" | "bundle_other_server" | "bundle_unsigned" | "bundle_bad_signature" | "bundle_unknown_device" | "bundle_failed" | "folder_missing" | "internal";

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
 * Today (YYYY-MM-DD) by the app's clock, the date every rule uses: forms default to it, so
 * the screens and the core agree on what "today" is. `null` if the store could not be opened.
 */
today: string | null, 
/**
 * Why the store could not be opened; the UI shows it instead of the screens.
 */
store_error: ApiError | null, };

/**
 * Where sync stands: sent with every change as the `sync-status` event, and by `sync_status`.
 * Holds no personal data.
 */
export type SyncStatusView = { phase: SyncPhase, enrolled: boolean, 
/**
 * The address the store enrolled through.
 */
server_url: string | null, 
/**
 * Another address of the same server used instead (set by the officer), if any.
 */
address: string | null, village_code: string | null, 
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
open_conflicts: number, 
/**
 * The county holds this computer's key, so it takes its USB bundles; until then a bundle
 * must carry an enrollment code.
 */
key_registered: boolean, progress: SyncProgressView | null, 
/**
 * A problem a person must fix (revoked token, version mismatch), with what to do.
 */
problem: ApiError | null, 
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

/**
 * A folder the bundle can go to: a USB stick (or other removable drive) found on this computer.
 */
export type UsbFolder = { path: string, 
/**
 * What to call it: the drive's name.
 */
label: string, };

/**
 * What writing a bundle did.
 */
export type BundleWritten = { path: string, file_name: string, 
/**
 * Changes in the file (this device's changes the county has not confirmed yet).
 */
changes: number, bytes: number, };

/**
 * What reading the county's bundle did.
 */
export type BundleRead = { changes: number, applied: number, conflicts: number, 
/**
 * This device's changes the county confirmed it has: they are not written to USB again.
 */
acknowledged: number, still_waiting: number, };

export type Grid = { id: string, name: string, area: string, note: string, };

/**
 * Which printout to make.
 */
export type PrintRequest = { "product": "response_card", hazard: HazardKind, } | { "product": "household_cards" } | { "product": "grid_sheets", grid: string | null, } | { "product": "kit_sheet" } | { "product": "contacts_sheet" } | { "product": "sign_in_sheets", grid: string | null, session: string | null, } | { "product": "not_safe_sheets", event: string, grid: string | null, };

/**
 * A printout written to disk. Holds no personal data besides what the officer sees anyway.
 */
export type PrintedFile = { 
/**
 * The file's full path, shown to the officer.
 */
path: string, 
/**
 * The file name in its folder; what the open / reveal commands take.
 */
file_name: string, 
/**
 * Size of the file in bytes.
 */
bytes: number, 
/**
 * What was made, e.g. "避险明白卡（312 户，每户一式三联）".
 */
title: string, };

export type GridMember = { id: string, grid_id: string, name: string, phone: string, role: string, };

export type HazardSite = { id: string, name: string, hazard: HazardKind | null, site_type: string, location: string, risk_color: string, monitor_name: string, monitor_phone: string, note: string, };

export type Household = { id: string, grid_id: string | null, head_name: string, address: string, phone: string, house_type: string, in_danger_zone: boolean, note: string, };

export type Resident = { id: string, household_id: string, name: string, relation: string, gender: string, birth_date: string | null, id_number: string, phone: string, note: string, };

/**
 * The kinds of 重点人群.
 */
export type VulnerableKind = "elderly-alone" | "disabled" | "bedridden" | "pregnant" | "left-behind-child" | "other";

export type VulnerablePerson = { id: string, resident_id: string, kind: VulnerableKind, kind_note: string, helper_name: string, helper_phone: string, helper_resident_id: string | null, note: string, };

/**
 * One line of the vulnerable-people ledger (重点人员台账): who, which household, the record with
 * the helper. Carries no ID number and no phone of the person: the ledger does not show them.
 */
export type VulnerableRow = { vulnerable: VulnerablePerson, resident_id: string, household_id: string, name: string, gender: string, birth_date: string | null, };

export type Team = { id: string, name: string, kind: string, note: string, };

export type TeamMember = { id: string, team_id: string, name: string, phone: string, role: string, skills: string, resident_id: string | null, };

export type Contact = { id: string, name: string, organization: string, role: string, 
/**
 * village | township | county | emergency
 */
level: string, phone: string, phone_backup: string, is_duty_line: boolean, backup_of: string | null, 
/**
 * village | county; county-owned contacts are read-only in the village.
 */
owner: string, note: string, };

export type Shelter = { id: string, name: string, address: string, capacity: number | null, keeper_name: string, keeper_phone: string, hazard_kinds: Array<HazardKind>, note: string, };

export type EvacuationRoute = { id: string, name: string, from_place: string, shelter_id: string | null, description: string, distance_m: number | null, note: string, };

export type Plan = { id: string, hazard: HazardKind | null, title: string, warning_signal: string, warning_giver: string, responsible: string, responsible_ref: string | null, monitor: string, monitor_ref: string | null, reporter: string, reporter_ref: string | null, route: string, route_ref: string | null, safe_place: string, safe_place_ref: string | null, approved_by: string, approved_on: string | null, note: string, };

/**
 * The phases of a plan, in the order they happen.
 */
export type PlanPhase = "warning" | "first-response" | "evacuation" | "reporting" | "recovery";

export type PlanStep = { id: string, plan_id: string, phase: PlanPhase, position: number, warning_level: string | null, who: string, what: string, how: string, };

export type FloodResponsible = { id: string, name: string, phone: string, duty_area: string, resident_id: string | null, has_helmet: boolean, has_flashlight: boolean, has_rain_gear: boolean, has_life_jacket: boolean, };

export type HazardReport = { id: string, hazard_site_id: string | null, found_on: string, found_by: string, source: string, description: string, due_on: string | null, closed_on: string | null, fix_note: string, };

export type Drill = { id: string, date: string, kind: string, hazard: HazardKind | null, participants: number | null, problems: string, note: string, };

/**
 * 预案宣传教育: one session of teaching the plan (宣讲会、培训、入户宣传). A session dated after
 * today is planned and counts for nobody until it has been held.
 */
export type EducationSession = { id: string, date: string, topic: string, 
/**
 * The hazard the session was about; `None` for the whole plan / every hazard.
 */
hazard: HazardKind | null, taught_by: string, place: string, note: string, };

/**
 * One signature on a session's sign-in sheet (签到表): a resident, or a whole household signed
 * in by one person (`resident_id` empty, `household_id` set). Exactly one of the two is set.
 */
export type EducationAttendance = { id: string, session_id: string, resident_id: string | null, household_id: string | null, note: string, };

/**
 * A row moved to the deleted state by one delete, so that the delete can be undone.
 */
export type Tombstone = { table: string, id: string, };

/**
 * The whole roster screen in one read.
 */
export type RosterView = { grids: Array<GridSummary>, 
/**
 * Every live household, by grid then head's name.
 */
households: Array<HouseholdRow>, totals: RosterTotals, };

export type RosterTotals = { households: number, residents: number, vulnerable: number, 
/**
 * Vulnerable people whose helper has no name or phone.
 */
vulnerable_without_helper: number, households_in_danger: number, 
/**
 * Households not in any grid.
 */
households_without_grid: number, };

export type GridSummary = { grid: Grid, members: Array<GridMember>, households: number, residents: number, vulnerable: number, };

/**
 * One line of the household list.
 */
export type HouseholdRow = { id: string, head_name: string, address: string, phone: string, grid_id: string | null, 
/**
 * Empty when the household is in no grid.
 */
grid_name: string, house_type: string, in_danger_zone: boolean, residents: number, vulnerable: number, 
/**
 * Names of the hazard sites that threaten the household.
 */
hazard_sites: Array<string>, };

/**
 * A household with everything under it, for the household form.
 */
export type HouseholdDetail = { household: Household, residents: Array<ResidentEntry>, 
/**
 * The hazard sites that threaten this household (`household_hazard`).
 */
hazard_site_ids: Array<string>, };

/**
 * A resident and, if they are vulnerable, their 重点人群 record (kind and helper).
 */
export type ResidentEntry = { resident: Resident, vulnerable: VulnerablePerson | null, 
/**
 * The ID number as lists and printouts show it: the one masking rule
 * (`validate::mask_resident_id`), so that the screens and the paper agree.
 */
id_masked: string, };

export type PersonHit = { source: PersonSource, 
/**
 * The id of the row in its table (resident, grid_member, team_member, contact).
 */
id: string, name: string, phone: string, 
/**
 * For residents: their household, to open it.
 */
household_id: string | null, 
/**
 * One line saying who this is, e.g. "户主 张三 · 第一网格 · 溪口路 12 号".
 */
detail: string, vulnerable: VulnerableKind | null, matched: MatchKind, };

/**
 * Where a person found by search is kept.
 */
export type PersonSource = "resident" | "grid-member" | "team-member" | "contact";

/**
 * How the query matched.
 */
export type MatchKind = "name" | "initials" | "phone";

export type TeamView = { team: Team, members: Array<TeamMember>, };

export type PlanList = { plans: Array<PlanSummary>, 
/**
 * The village's hazard kinds that have no plan yet.
 */
hazards_without_plan: Array<HazardKind>, };

export type PlanSummary = { plan: Plan, steps: number, gaps: number, };

export type PlanView = { plan: Plan, 
/**
 * In phase order, then position.
 */
steps: Array<PlanStep>, gaps: Array<PlanGap>, choices: PlanChoices, };

/**
 * Something a plan still lacks. `field` is the plan column (e.g. `monitor`) or `phase:<phase>`;
 * `message` says in Chinese what to fill in.
 */
export type PlanGap = { field: string, label: string, message: string, };

export type PlanChoices = { 
/**
 * People for responsible / monitor / reporter (team members, grid members, flood responsible).
 */
people: Array<RefChoice>, routes: Array<RefChoice>, shelters: Array<RefChoice>, };

/**
 * A roster entry a 六落实 item can point at.
 */
export type RefChoice = { id: string, 
/**
 * What goes into the plan's text column, e.g. "张三（村主任）13800000000".
 */
label: string, 
/**
 * Where it comes from, e.g. "抢险队" or "网格员".
 */
detail: string, };

export type HazardRegister = { sites: Array<SiteRow>, 
/**
 * Worst status first, then by due date.
 */
reports: Array<ReportRow>, 
/**
 * Reports not closed yet (overdue and due-soon included).
 */
open: number, overdue: number, due_soon: number, 
/**
 * Closed, but after the due date.
 */
closed_late: number, };

export type SiteRow = { site: HazardSite, 
/**
 * Households linked to the site.
 */
households: number, open_reports: number, };

export type ReportRow = { report: HazardReport, 
/**
 * Empty if the report is not about a registered site.
 */
site_name: string, status: ReportStatus, due_on: string, 
/**
 * Days from today to the due date (negative when overdue); for closed reports, 0.
 */
days_left: number, };

export type ReportStatus = "overdue" | "due-soon" | "open" | "closed-late" | "closed";

export type DrillLog = { 
/**
 * Newest first.
 */
drills: Array<Drill>, year: number, done_this_year: boolean, last_drill: string | null, 
/**
 * The village's hazard kinds drilled this year, and those not.
 */
hazards_drilled: Array<HazardKind>, hazards_not_drilled: Array<HazardKind>, };

/**
 * The 宣传教育 screen.
 */
export type EducationLog = { 
/**
 * Newest first.
 */
sessions: Array<SessionRow>, 
/**
 * Taught within the cycle, of all live residents.
 */
share: EducationShare, year: number, 
/**
 * Sessions held this calendar year (up to today).
 */
sessions_this_year: number, 
/**
 * Live residents taught this calendar year.
 */
taught_this_year: number, last_session: string | null, 
/**
 * Per grid, in the roster's order; "未分网格" last when there are such households.
 */
grids: Array<GridEducation>, };

/**
 * How many of the village's people have been taught the plan within the cycle.
 */
export type EducationShare = { 
/**
 * Live residents.
 */
residents: number, 
/**
 * Of them, taught within the cycle.
 */
taught: number, 
/**
 * The earliest session date that counts ([`cycle_start`]).
 */
since: string, 
/**
 * The share in ‰ (tenths of a per cent), see [`per_mille`]: 1000 only when everybody is.
 */
per_mille: number, 
/**
 * As printed and shown: "1,234 / 5,970 人（20.7%）".
 */
text: string, };

export type SessionRow = { session: EducationSession, 
/**
 * In the order they were signed in.
 */
attendees: Array<Attendee>, 
/**
 * Live residents the session reached (each once).
 */
people: number, 
/**
 * Held (dated on or before today); a later date is planned.
 */
held: boolean, 
/**
 * Held within the cycle: it counts towards the share.
 */
counts: boolean, };

/**
 * One signature of a session as the screen shows it.
 */
export type Attendee = { attendance: EducationAttendance, 
/**
 * "王秀英", or "张建国户" for a whole household.
 */
name: string, 
/**
 * "户主 张建国 · 第1网格 · 青石村1组1号", or "全户 4 人 · 第1网格 · 青石村1组1号";
 * "（已从花名册删除）" for a person or household no longer on the roster.
 */
detail: string, whole_household: boolean, 
/**
 * Live residents it stands for (a whole household: its live members; deleted: 0).
 */
people: number, };

/**
 * One grid's share, for planning who is left.
 */
export type GridEducation = { 
/**
 * `None` for households in no (live) grid.
 */
grid_id: string | null, 
/**
 * "第1网格", or "未分网格".
 */
name: string, residents: number, taught: number, };

export type Readiness = { 
/**
 * 0–100: ok items count 1, partial ½.
 */
score: number, groups: Array<ReadinessGroup>, };

export type ReadinessGroup = { id: string, label: string, items: Array<ReadinessItem>, };

export type ReadinessItem = { id: string, label: string, state: CheckState, 
/**
 * Chinese: what was found, and what is still missing.
 */
detail: string, 
/**
 * The screen where it is fixed, one of: village, roster, teams (teams and contacts), places
 * (shelters and routes), plans, kit, hazards, drills, education.
 */
page: string, };

export type CheckState = "ok" | "partial" | "missing";

export type ResponsibleKit = { item_names: Array<string>, people: Array<ResponsibleKitRow>, 
/**
 * People with all four items.
 */
complete: number, };

/**
 * The four small items (四小件) each flood responsible person should carry.
 */
export type ResponsibleKitRow = { person: FloodResponsible, 
/**
 * The names (from the catalogue's `four_small_items`) of the items this person lacks.
 */
missing: Array<string>, };

/**
 * What an import would do, shown before anything is written.
 */
export type ImportPreview = { sheet: string, 
/**
 * The Excel row number of the header row.
 */
header_row: number, 
/**
 * Header names recognised, as written in the file.
 */
columns: Array<string>, 
/**
 * Header names not used.
 */
ignored_columns: Array<string>, 
/**
 * Data rows read (not counting blank rows).
 */
rows_read: number, 
/**
 * Rows that will be imported.
 */
rows_ok: number, new_households: number, new_residents: number, errors: Array<RowError>, 
/**
 * Of the new residents, how many are vulnerable (重点人群).
 */
new_vulnerable: number, 
/**
 * Of those, how many have no helper named in the file yet (帮扶人待落实): they are imported
 * all the same, and show as gaps on the roster and in the self-check.
 */
new_helper_pending: number, 
/**
 * Households already in the store that imported residents join (same 户主 and 住址).
 */
existing_households: number, 
/**
 * Grids named in the sheet that do not exist yet and will be created.
 */
new_grids: Array<string>, 
/**
 * Rows without a name that hold a note ("制表人：…", "合计：…") or a repeated header:
 * skipped, not errors.
 */
note_rows: Array<number>, };

/**
 * A bad row of the workbook: the Excel row number (1-based, as Excel shows it) and why.
 *
 * A row with several problems has one `RowError` per problem. The reason never quotes the ID
 * number or phone itself (personal data): it names the column and the row to look at.
 */
export type RowError = { row: number, 
/**
 * The column header the problem is in, if it is one column's.
 */
column: string | null, reason: string, };

export type ImportSummary = { households: number, residents: number, grids_created: number, 
/**
 * Vulnerable-person records written.
 */
vulnerable: number, };

/**
 * What to export.
 */
export type ExportKind = "roster" | "roster-masked" | "kit" | "contacts";

/**
 * 事件等级: I 特别重大, II 重大, III 较大, IV 一般.
 */
export type Severity = "I" | "II" | "III" | "IV";

/**
 * Which report of an incident.
 */
export type ReportKind = "first" | "continuation" | "final";

/**
 * 突发事件: an incident being reported up (emergency mode). See `incident.rs` for its rules.
 */
export type Incident = { id: string, hazard: HazardKind | null, 
/**
 * When it happened (RFC 3339): the report deadlines run from here.
 */
occurred_at: string, place: string, 
/**
 * `I` … `IV`, I the gravest; `None` until known.
 */
severity: string | null, 
/**
 * When the officer started it in the app (RFC 3339).
 */
started_at: string, 
/**
 * When the telephone report was made, if it was.
 */
phoned_at: string | null, 
/**
 * When the final report closed it.
 */
closed_at: string | null, note: string, };

/**
 * One report of an incident (首报, 续报 or 终报), kept exactly as sent.
 */
export type IncidentReport = { id: string, first_report_id: string | null, occurred_at: string, reported_at: string, place: string, hazard: HazardKind | null, severity: string | null, deaths: number, injured: number, missing: number, evacuated: number, description: string, actions_taken: string, reporter: string, incident_id: string | null, 
/**
 * 首报, 续报 or 终报.
 */
kind: ReportKind, trapped: number, 
/**
 * What is needed (rescue, supplies, …).
 */
needs: string, reporter_phone: string, };

/**
 * Minutes from the time it happened to each report.
 */
export type DeadlineRule = { phone_minutes: number, written_minutes: number, };

/**
 * The county's report deadlines: the normal limits, the short ones, and the severity from which
 * (it and graver) the short ones apply.
 */
export type DeadlineSetting = { normal: DeadlineRule, urgent: DeadlineRule, urgent_from: Severity, };

/**
 * Where the deadlines in force came from.
 */
export type DeadlineSource = { "kind": "built_in" } | { "kind": "county" };

/**
 * Where one deadline stands.
 */
export type DeadlineState = { "state": "due", seconds_left: number, } | { "state": "overdue", seconds_late: number, } | { "state": "met", seconds_late: number, };

/**
 * One deadline of an incident, with where it stands in words.
 */
export type DeadlineLine = { 
/**
 * 电话报告 or 书面首报.
 */
what: string, minutes: number, 
/**
 * RFC 3339, in the offset the incident's time was given in.
 */
due_at: string, state: DeadlineState, 
/**
 * "还剩 12 分钟", "已超时 5 分钟", "已报（按时）", "已报（迟 3 分钟）".
 */
words: string, };

/**
 * One incident on the board.
 */
export type IncidentEntry = { incident: Incident, hazard_label: string, severity_label: string | null, 
/**
 * The telephone report, then the written first report.
 */
deadlines: Array<DeadlineLine>, 
/**
 * In the order they were filed, each exactly as sent.
 */
reports: Array<IncidentReport>, open: boolean, 
/**
 * People moved to safety in this incident's roll calls, when it has any: what the next
 * report's 转移人数 starts at.
 */
moved_in_roll_calls: number | null, };

/**
 * The emergency board: what the emergency page and the clock under the header show.
 */
export type IncidentBoard = { 
/**
 * The instant the deadlines are reckoned at (RFC 3339, in this computer's offset): the
 * app's clock.
 */
now: string, 
/**
 * The same instant to the minute as a `datetime-local` field holds it
 * (`2026-06-15T10:00`): the default time it happened in the start dialog.
 */
now_local: string, 
/**
 * The deadlines in force, and where they came from.
 */
setting: DeadlineSetting, source: DeadlineSource, 
/**
 * Open incidents first, newest first.
 */
incidents: Array<IncidentEntry>, };

/**
 * An incident the officer starts: what, when (empty for now), where, how grave (if known).
 */
export type NewIncident = { hazard: HazardKind, 
/**
 * RFC 3339, or a time on this computer's clock as a `datetime-local` field gives it
 * (`2026-06-15T09:30`); empty for now.
 */
occurred_at: string, place: string, 
/**
 * `I` … `IV`; `null` or empty while unknown.
 */
severity: string | null, };

/**
 * A report as plain text, with its length.
 */
export type ReportText = { text: string, chars: number, 
/**
 * SMS segments of [`SMS_SEGMENT_CHARS`] the text takes.
 */
segments: number, };

/**
 * A report's two texts: for an SMS (at most [`SMS_MAX_SEGMENTS`] segments) and for WeChat.
 */
export type ReportTexts = { report_id: string, kind: ReportKind, sms: ReportText, wechat: ReportText, 
/**
 * Characters in one SMS segment, and the most segments a report's SMS takes.
 */
segment_chars: number, max_segments: number, };

/**
 * 转移: a transfer order and its roll call (see `rollcall.rs` for its rules).
 */
export type EvacuationEvent = { id: string, hazard: HazardKind | null, started_at: string, 
/**
 * When it was called off (解除), if it was.
 */
ended_at: string | null, reason: string, note: string, 
/**
 * The incident the transfer is part of, if any: its reports count the people moved.
 */
incident_id: string | null, 
/**
 * The warning level behind the order (red | orange | yellow | blue), or empty.
 */
level: string, 
/**
 * The grids ordered to move; empty for the whole village.
 */
grid_ids: Array<string>, 
/**
 * Only households in a hazard area (the ones with household evacuation cards).
 */
threatened_only: boolean, started_by: string, };

/**
 * Where a person on the list is, as last marked.
 */
export type Mark = "pending" | "moved" | "with-relatives" | "refused" | "away" | "unreachable" | "returned";

/**
 * What the officer orders when a transfer starts.
 */
export type TransferOrder = { hazard: HazardKind | null, 
/**
 * red | orange | yellow | blue, or empty when not from a warning.
 */
level: string, 
/**
 * The grids ordered to move; empty for the whole village.
 */
grid_ids: Array<string>, 
/**
 * Only the households in a hazard area (those with household evacuation cards).
 */
threatened_only: boolean, incident_id: string | null, reason: string, started_by: string, };

/**
 * One mark, for one person or a whole household.
 */
export type MarkInput = { status: Mark, 
/**
 * The shelter, for [`Mark::Moved`].
 */
shelter_id: string | null, 
/**
 * With whom or where, for [`Mark::WithRelatives`].
 */
staying_with: string, marked_by: string, note: string, };

/**
 * A number of people, and how many of them are vulnerable.
 */
export type Count = { people: number, vulnerable: number, };

/**
 * The totals of a roll call, for a grid or the village.
 */
export type Totals = { 
/**
 * Everyone on the list.
 */
listed: Count, 
/**
 * 应转移: the list less those away from the village.
 */
expected: Count, 
/**
 * 已转移: to a shelter or to relatives.
 */
moved: Count, 
/**
 * 未转移: expected and not yet safe (not marked, refused, not reached, gone back).
 */
not_moved: Count, 
/**
 * Each mark, in [`Mark::ALL`] order, with how many carry it.
 */
by_mark: Array<MarkCount>, };

export type MarkCount = { mark: Mark, label: string, count: Count, };

export type GridTotals = { 
/**
 * `None` for households in no grid.
 */
grid_id: string | null, grid_name: string, totals: Totals, };

/**
 * People moved to one shelter, against its capacity.
 */
export type ShelterLoad = { 
/**
 * `None` for people moved without a shelter named.
 */
shelter_id: string | null, name: string, capacity: number | null, people: number, 
/**
 * More people than its capacity.
 */
over: boolean, };

export type RollCallTotals = { village: Totals, 
/**
 * By grid, in the order of the grids; households in no grid last.
 */
grids: Array<GridTotals>, 
/**
 * Every shelter with people in it or named in the village, by name.
 */
shelters: Array<ShelterLoad>, };

/**
 * One person on the roll call, as the list shows them.
 */
export type RollCallPerson = { resident_id: string, name: string, relation: string, household_id: string, head_name: string, address: string, 
/**
 * The household's phone, else the person's own.
 */
phone: string, grid_id: string | null, grid_name: string, 
/**
 * The grid member who answers for the grid: "网格长 王某 138…".
 */
grid_member: string, threatened: boolean, 
/**
 * e.g. "独居老人（长期卧床）" for a vulnerable person.
 */
vulnerable: string | null, 
/**
 * Who helps them evacuate: "李四 138…", or 帮扶人待落实.
 */
helper: string | null, status: Mark, status_label: string, shelter_id: string | null, shelter_name: string, staying_with: string, 
/**
 * When and by whom the latest mark was made; `None` while not marked.
 */
marked_at: string | null, marked_by: string, note: string, };

/**
 * A roll call: the order, everyone on it, and the totals.
 */
export type RollCall = { event: EvacuationEvent, hazard_label: string, open: boolean, 
/**
 * Threatened households first, then by grid and household; in a household the householder,
 * then the vulnerable, then by name.
 */
people: Array<RollCallPerson>, totals: RollCallTotals, };

/**
 * One roll call in the list of them.
 */
export type RollCallSummary = { event: EvacuationEvent, hazard_label: string, open: boolean, totals: Totals, };

/**
 * The roll-call page before a roll call is opened.
 */
export type RollCallBoard = { 
/**
 * Open roll calls first, newest first, each with the village's totals.
 */
roll_calls: Array<RollCallSummary>, 
/**
 * The grids a transfer can be ordered for, with how many people each holds.
 */
grids: Array<GridChoice>, 
/**
 * Incidents still being reported, newest first: a transfer started now is usually theirs.
 */
incidents: Array<IncidentChoice>, 
/**
 * Who marks on this laptop unless the officer says otherwise: the village's officer.
 */
marked_by: string, };

/**
 * A grid in the start dialog.
 */
export type GridChoice = { 
/**
 * `None` for households in no grid (they are in a whole-village transfer only).
 */
grid_id: string | null, name: string, households: number, people: number, 
/**
 * Households in a hazard area, and the people in them.
 */
threatened_households: number, threatened_people: number, };

/**
 * An open incident a transfer can belong to.
 */
export type IncidentChoice = { incident: Incident, 
/**
 * "山洪 · 溪口桥 · 06-15 09:30".
 */
label: string, };

/**
 * What a mark changed: the people marked, as the list shows them now, and the new totals.
 */
export type MarkResult = { people: Array<RollCallPerson>, totals: RollCallTotals, };

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
export const VULNERABLE_KIND_LABELS: Record<VulnerableKind, string> = {
  "elderly-alone": "独居老人",
  "disabled": "残疾人",
  "bedridden": "卧床病人",
  "pregnant": "孕妇",
  "left-behind-child": "留守儿童",
  "other": "其他",
};
export const PLAN_PHASE_LABELS: Record<PlanPhase, string> = {
  "warning": "预警发布",
  "first-response": "先期处置",
  "evacuation": "转移避险",
  "reporting": "信息报告",
  "recovery": "灾后恢复",
};
export const SEVERITY_LABELS: Record<Severity, string> = {
  "I": "特别重大（I级）",
  "II": "重大（II级）",
  "III": "较大（III级）",
  "IV": "一般（IV级）",
};
export const REPORT_KIND_LABELS: Record<ReportKind, string> = {
  "first": "首报",
  "continuation": "续报",
  "final": "终报",
};
export const MARK_LABELS: Record<Mark, string> = {
  "pending": "未标记",
  "moved": "已转移",
  "with-relatives": "投亲靠友",
  "refused": "拒绝转移",
  "away": "不在村",
  "unreachable": "未联系上",
  "returned": "已返回",
};
