// The one door from the screens to the app's data. Components talk to `Backend`, never to
// Tauri's `invoke`, so that tests can swap in another implementation.

import { inject, type InjectionKey } from "vue";
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type {
  AppInfo,
  IpcError,
  KitChecklist,
  KitInspection,
  KitItem,
  Village,
  Grid,
  PrintRequest,
  PrintedFile,
} from "./bindings";
import type { ConflictView, SyncStatusView } from "./bindings";

export interface Backend {
  appInfo(): Promise<AppInfo>;
  getVillage(): Promise<Village | null>;
  /** The first save also adds the standard 5+X items. */
  saveVillage(village: Village): Promise<Village>;
  kitChecklist(): Promise<KitChecklist>;
  saveKitItem(item: KitItem): Promise<KitItem>;
  deleteKitItem(id: string): Promise<void>;
  recordInspection(inspection: KitInspection): Promise<KitInspection>;
  /** Writes the PDF and opens it in the system viewer; resolves with where it was saved. */
  /** Where sync with the county stands (from the store and the background worker). */
  syncStatus(): Promise<SyncStatusView>;
  /** Calls `f` with every new sync status; resolves with a function that stops listening. */
  onSyncStatus(f: (status: SyncStatusView) => void): Promise<() => void>;
  /** 立即同步: wakes the background worker; progress comes through `onSyncStatus`. */
  syncNow(): Promise<void>;
  /** Exchanges the county's one-time code for this computer's token, then starts a sync. */
  enroll(serverUrl: string, code: string): Promise<SyncStatusView>;
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
}

/** A failed call: `message` is the Chinese text to show, `field` the form field it is about. */
export class BackendError extends Error implements IpcError {
  readonly code: string;
  readonly field: string | null;

  constructor(e: IpcError) {
    super(e.message);
    this.name = "BackendError";
    this.code = e.code;
    this.field = e.field;
  }

  /** Whatever a call rejected with, as a `BackendError` with a Chinese message. */
  static from(e: unknown): BackendError {
    if (e instanceof BackendError) return e;
    if (isIpcError(e)) return new BackendError(e);
    return new BackendError({
      code: "unexpected",
      message: `程序内部出错，本次操作可能没有完成。请重试；如反复出现，请重启村安。（${String(e)}）`,
      field: null,
    });
  }
}

function isIpcError(e: unknown): e is IpcError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    throw BackendError.from(e);
  }
}

/** The real backend: the Rust commands in `src-tauri/src/commands.rs`. */
export const tauriBackend: Backend = {
  appInfo: () => call("app_info"),
  getVillage: () => call("get_village"),
  saveVillage: (village) => call("save_village", { village }),
  kitChecklist: () => call("kit_checklist"),
  saveKitItem: (item) => call("save_kit_item", { item }),
  deleteKitItem: (id) => call("delete_kit_item", { id }),
  recordInspection: (inspection) => call("record_inspection", { inspection }),
  syncStatus: () => call("sync_status"),
  onSyncStatus: (f) => listen<SyncStatusView>("sync-status", (e) => f(e.payload)),
  syncNow: () => call("sync_now"),
  enroll: (serverUrl, code) => call("enroll", { serverUrl, code }),
  listConflicts: () => call("list_conflicts"),
  restoreConflict: (id) => call("restore_conflict", { id }),
  makePrintout: (request) => call("make_printout", { request }),
  printoutPdf: async (fileName) => asBytes(await call<unknown>("printout_pdf", { fileName })),
  openPrintout: (fileName) => call("open_printout", { fileName }),
  revealPrintout: (fileName) => call("reveal_printout", { fileName }),
  listGrids: () => call("list_grids"),
};

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
