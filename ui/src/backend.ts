// The one door from the screens to the app's data. Components talk to `Backend`, never to
// Tauri's `invoke`, so that tests can swap in another implementation.

import { inject, type InjectionKey } from "vue";
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type {
  AppInfo,
  ApiError,
  ErrorCode,
  KitChecklist,
  KitInspection,
  KitItem,
  Village,
  Grid,
  PrintRequest,
  PrintedFile,
} from "./bindings";
import type {
  BundleRead,
  BundleWritten,
  ConflictView,
  SyncStatusView,
  UsbFolder,
  VulnerableRow,
} from "./bindings";
import type {
  Contact,
  Drill,
  EducationAttendance,
  EducationLog,
  EducationSession,
  ExportKind,
  DrillLog,
  EvacuationRoute,
  FloodResponsible,
  GridMember,
  HazardKind,
  HazardRegister,
  HazardReport,
  HazardSite,
  Household,
  HouseholdDetail,
  ImportPreview,
  ImportSummary,
  PersonHit,
  Plan,
  PlanList,
  PlanStep,
  PlanView,
  Readiness,
  Resident,
  ResidentEntry,
  ResponsibleKit,
  RosterView,
  Shelter,
  Team,
  TeamMember,
  TeamView,
  Tombstone,
  VulnerablePerson,
} from "./bindings";
import type { Incident, IncidentBoard, IncidentReport, NewIncident, ReportTexts } from "./bindings";
import type { EvacuationEvent, MarkInput, MarkResult, RollCall, RollCallBoard, TransferOrder } from "./bindings";

/** The record types the generic commands (`list`, `save`, `remove`) work on, by table name. */
export type RecordTypes = {
  grid: Grid;
  grid_member: GridMember;
  hazard_site: HazardSite;
  household: Household;
  resident: Resident;
  vulnerable_person: VulnerablePerson;
  team: Team;
  team_member: TeamMember;
  contact: Contact;
  shelter: Shelter;
  evacuation_route: EvacuationRoute;
  plan: Plan;
  plan_step: PlanStep;
  kit_item: KitItem;
  flood_responsible: FloodResponsible;
  hazard_report: HazardReport;
  drill: Drill;
  education_session: EducationSession;
  education_attendance: EducationAttendance;
};
export type RecordTable = keyof RecordTypes;



export interface Backend {
  appInfo(): Promise<AppInfo>;
  getVillage(): Promise<Village | null>;
  /** The first save also adds the standard 5+X items. */
  saveVillage(village: Village): Promise<Village>;
  kitChecklist(): Promise<KitChecklist>;
  saveKitItem(item: KitItem): Promise<KitItem>;
  recordInspection(inspection: KitInspection): Promise<KitInspection>;
  /** Writes the PDF and opens it in the system viewer; resolves with where it was saved. */
  /** Where sync with the county stands (from the store and the background worker). */
  syncStatus(): Promise<SyncStatusView>;
  /** Calls `f` with every new sync status; resolves with a function that stops listening. */
  onSyncStatus(f: (status: SyncStatusView) => void): Promise<() => void>;
  /**
   * Calls `f` whenever the store changed underneath the screens (the sync worker pulled changes,
   * a county bundle was read); resolves with a function that stops listening.
   */
  onStoreChanged(f: () => void): Promise<() => void>;
  /** 立即同步: wakes the background worker; progress comes through `onSyncStatus`. */
  syncNow(): Promise<void>;
  /** Exchanges the county's one-time code for this computer's token, then starts a sync. */
  enroll(serverUrl: string, code: string, allowPlainHttp: boolean): Promise<SyncStatusView>;
  /**
   * Uses another address of the enrolled server ("" goes back to the enrolled one). Refused
   * (field 服务器地址) when the address answers as another county server or cannot be reached.
   */
  setServerAddress(address: string): Promise<SyncStatusView>;
  /** Removable drives (USB sticks) mounted on this computer. */
  usbFolders(): Promise<UsbFolder[]>;
  /** Writes this device's changes the county has not confirmed to a bundle in `folder`. */
  writeBundle(folder: string, code: string | null): Promise<BundleWritten>;
  /** Reads the county's bundle for this village (a .cunan file the officer chose). */
  readCountyBundle(bytes: Uint8Array): Promise<BundleRead>;
  /** Moves a plan step one place up (-1) or down (+1) in its phase, in one transaction. */
  movePlanStep(id: string, by: -1 | 1): Promise<PlanStep[]>;
  /** The vulnerable-people ledger (no ID numbers or phones of the people). */
  vulnerableLedger(): Promise<VulnerableRow[]>;
  listConflicts(): Promise<ConflictView[]>;
  /** Makes a losing version current again. */
  restoreConflict(id: number): Promise<void>;
  /** Builds and writes a printout to `<app data>/printouts/`; resolves with where it was saved. */
  makePrintout(request: PrintRequest): Promise<PrintedFile>;
  /** The bytes of a printout written by `makePrintout`, for the preview. */
  printoutPdf(fileName: string): Promise<Uint8Array>;
  /** Opens a printout in the system PDF viewer (to print from there). */
  openPrintout(fileName: string): Promise<void>;
  /** Shows a printout in the system file manager. */
  revealPrintout(fileName: string): Promise<void>;
  listGrids(): Promise<Grid[]>;

  // Records, generically: every live row of a table; save (insert or update, validated by the
  // core; an empty id makes a new row); delete with the rows that belong to it, returning the
  // tombstones so that "撤销" can restore them.
  list<T extends RecordTable>(table: T): Promise<RecordTypes[T][]>;
  save<T extends RecordTable>(table: T, record: RecordTypes[T]): Promise<RecordTypes[T]>;
  remove(table: RecordTable, id: string): Promise<Tombstone[]>;
  restore(tombstones: Tombstone[]): Promise<void>;

  // Rosters.
  roster(): Promise<RosterView>;
  householdDetail(id: string): Promise<HouseholdDetail | null>;
  /** Saves a household and exactly these hazard-site links. */
  saveHousehold(household: Household, hazardSiteIds: string[]): Promise<Household>;
  /** Saves a resident with their vulnerable record; `null` removes an existing one. */
  saveResident(resident: Resident, vulnerable: VulnerablePerson | null): Promise<ResidentEntry>;
  /** By name, pinyin initials (`zs` finds 张三) or phone digits; best first. */
  searchPeople(query: string, limit: number): Promise<PersonHit[]>;
  teams(): Promise<TeamView[]>;

  // Plans.
  planList(): Promise<PlanList>;
  planView(id: string): Promise<PlanView | null>;
  /** A new plan from the built-in template for the hazard kind. */
  newPlan(hazard: HazardKind): Promise<Plan>;

  // Hazards, drills, the flood responsible people's four small items, the self-check.
  hazardRegister(): Promise<HazardRegister>;
  drillLog(): Promise<DrillLog>;
  /** 宣传教育: sessions with who signed in, and the share taught within 3 years. */
  educationLog(): Promise<EducationLog>;
  /** Saves a session and exactly these sign-ins (each a resident, or a whole household). */
  saveEducationSession(session: EducationSession, attendees: EducationAttendance[]): Promise<EducationSession>;
  responsibleKit(): Promise<ResponsibleKit>;
  readiness(): Promise<Readiness>;

  // Emergency mode: incidents reported up against the deadlines.
  /** Every incident with its two deadlines at the app's clock, open ones first. */
  incidentBoard(): Promise<IncidentBoard>;
  /** Starts an incident; the deadlines run from the time it happened. */
  startIncident(incident: NewIncident): Promise<Incident>;
  /** 已电话报告: the telephone report was made, now. */
  markPhoned(id: string): Promise<Incident>;
  /** Files the next report (首报, then 续报; 终报 with `finalReport`), kept as sent. */
  fileReport(incidentId: string, report: IncidentReport, finalReport: boolean): Promise<IncidentReport>;
  /** A filed report's SMS text (at most 3 segments) and WeChat text. */
  reportTexts(reportId: string): Promise<ReportTexts>;

  // Emergency mode: the evacuation roll call (转移点名).
  /** Every roll call with its totals, the grids to choose from, the open incidents. */
  rollcallBoard(): Promise<RollCallBoard>;
  /** Starts a transfer; its list is fixed from the roster now. */
  startRollcall(order: TransferOrder): Promise<EvacuationEvent>;
  /** One roll call: everyone on it, in order, and its totals. */
  rollcallView(id: string): Promise<RollCall>;
  /** Marks these people (all or none); answers with them as the list shows them now and the totals. */
  markPeople(id: string, residentIds: string[], mark: MarkInput): Promise<MarkResult>;
  /** One tap for everyone of a household on the list. */
  markHousehold(id: string, householdId: string, mark: MarkInput): Promise<MarkResult>;
  /** 解除: the transfer is called off; no more marks. */
  endRollcall(id: string): Promise<EvacuationEvent>;

  // Excel.
  /** Reads a workbook and checks it; nothing is written. The backend keeps the parsed rows. */
  importRosterPreview(fileName: string, bytes: Uint8Array): Promise<ImportPreview>;
  /** Writes the good rows of the last previewed workbook, in one transaction. */
  importRosterCommit(): Promise<ImportSummary>;
  /** Writes `<app data>/exports/<name>.xlsx`; resolves with where it was saved. */
  exportXlsx(kind: ExportKind): Promise<PrintedFile>;
  /** Shows an exported file in the system file manager. */
  revealExport(fileName: string): Promise<void>;
}

/** A failed call: `message` is the Chinese text to show, `field` the form field it is about. */
export class BackendError extends Error implements ApiError {
  readonly code: ErrorCode;
  readonly field: string | null;

  constructor(e: ApiError) {
    super(e.message);
    this.name = "BackendError";
    this.code = e.code;
    this.field = e.field;
  }

  /** Whatever a call rejected with, as a `BackendError` with a Chinese message. */
  static from(e: unknown): BackendError {
    if (e instanceof BackendError) return e;
    if (isApiError(e)) return new BackendError(e);
    return new BackendError({
      code: "internal",
      message: `程序内部出错，本次操作可能没有完成。请重试；如反复出现，请重启村安。（${String(e)}）`,
      field: null,
    });
  }
}

function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** Runs one command by name with its arguments; rejects with a `BackendError`. */
export type Caller = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;
/** Subscribes to sync status events; resolves with a function that stops listening. */
export type StatusListener = (f: (status: SyncStatusView) => void) => Promise<() => void>;
/** Subscribes to store-changed events; resolves with a function that stops listening. */
export type ChangeListener = (f: () => void) => Promise<() => void>;

async function invokeCall<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw BackendError.from(e);
  }
}

/** The real backend: the Rust commands in `src-tauri/src/`, over Tauri's IPC. */
export const tauriBackend: Backend = makeBackend(
  invokeCall,
  (f) => listen<SyncStatusView>("sync-status", (e) => f(e.payload)),
  (f) => listen("store-changed", () => f()),
);

/** The `Backend` over any transport that runs the app's commands by name. */
export function makeBackend(
  call: Caller,
  onSyncStatus: StatusListener,
  onStoreChanged: ChangeListener,
): Backend {
  return {
    appInfo: () => call("app_info"),
    getVillage: () => call("get_village"),
    saveVillage: (village) => call("save_village", { village }),
    kitChecklist: () => call("kit_checklist"),
    saveKitItem: (item) => call("save_kit_item", { item }),
    recordInspection: (inspection) => call("record_inspection", { inspection }),
    syncStatus: () => call("sync_status"),
    onSyncStatus,
    onStoreChanged,
    syncNow: () => call("sync_now"),
    enroll: (serverUrl, code, allowPlainHttp) => call("enroll", { serverUrl, code, allowPlainHttp }),
    setServerAddress: (address) => call("set_server_address", { address }),
    usbFolders: () => call("usb_folders"),
    writeBundle: (folder, code) => call("write_bundle", { folder, code }),
    readCountyBundle: (bytes) => call("read_county_bundle", { bytes: Array.from(bytes) }),
    movePlanStep: (id, by) => call("move_plan_step", { id, by }),
    vulnerableLedger: () => call("vulnerable_ledger"),
    listConflicts: () => call("list_conflicts"),
    restoreConflict: (id) => call("restore_conflict", { id }),
    makePrintout: (request) => call("make_printout", { request }),
    printoutPdf: async (fileName) => asBytes(await call<unknown>("printout_pdf", { fileName })),
    openPrintout: (fileName) => call("open_printout", { fileName }),
    revealPrintout: (fileName) => call("reveal_printout", { fileName }),
    listGrids: () => call("list_grids"),
    list: (table) => call("list_records", { table }),
    save: (table, record) => call("save_record", { table, record }),
    remove: (table, id) => call("delete_record", { table, id }),
    restore: (tombstones) => call("restore_records", { tombstones }),
    roster: () => call("roster"),
    householdDetail: (id) => call("household_detail", { id }),
    saveHousehold: (household, hazardSiteIds) => call("save_household", { household, hazardSiteIds }),
    saveResident: (resident, vulnerable) => call("save_resident", { resident, vulnerable }),
    searchPeople: (query, limit) => call("search_people", { query, limit }),
    teams: () => call("teams"),
    planList: () => call("plan_list"),
    planView: (id) => call("plan_view", { id }),
    newPlan: (hazard) => call("new_plan", { hazard }),
    hazardRegister: () => call("hazard_register"),
    drillLog: () => call("drill_log"),
    educationLog: () => call("education_log"),
    saveEducationSession: (session, attendees) => call("save_education_session", { session, attendees }),
    responsibleKit: () => call("responsible_kit"),
    readiness: () => call("readiness"),
    incidentBoard: () => call("incident_board"),
    startIncident: (incident) => call("start_incident", { incident }),
    markPhoned: (id) => call("mark_phoned", { id }),
    fileReport: (incidentId, report, finalReport) => call("file_report", { incidentId, report, finalReport }),
    reportTexts: (reportId) => call("report_texts", { reportId }),
    rollcallBoard: () => call("rollcall_board"),
    startRollcall: (order) => call("start_rollcall", { order }),
    rollcallView: (id) => call("rollcall_view", { id }),
    markPeople: (id, residentIds, mark) => call("mark_people", { id, residentIds, mark }),
    markHousehold: (id, householdId, mark) => call("mark_household", { id, householdId, mark }),
    endRollcall: (id) => call("end_rollcall", { id }),
    importRosterPreview: (fileName, bytes) =>
      call("import_roster_preview", { fileName, bytes: Array.from(bytes) }),
    importRosterCommit: () => call("import_roster_commit"),
    exportXlsx: (kind) => call("export_xlsx", { kind }),
    revealExport: (fileName) => call("reveal_export", { fileName }),
  };
}

/** A raw IPC reply: an `ArrayBuffer`, or (on the postMessage fallback) an array of numbers. */
function asBytes(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Uint8Array) return data;
  if (Array.isArray(data)) return Uint8Array.from(data as number[]);
  throw new BackendError({
    code: "printout_unreadable",
    message: "读取打印文件失败，无法显示预览。请重新生成；文件仍可在保存位置打开。",
    field: null,
  });
}

export const BACKEND: InjectionKey<Backend> = Symbol("backend");

/** The backend the app was started with (see `main.ts`). */
export function useBackend(): Backend {
  const backend = inject(BACKEND);
  if (!backend) throw new Error("no Backend provided");
  return backend;
}
