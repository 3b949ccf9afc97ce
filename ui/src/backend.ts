// The one door from the screens to the app's data. Components talk to `Backend`, never to
// Tauri's `invoke`, so that tests can swap in another implementation.

import { inject, type InjectionKey } from "vue";
import { invoke } from "@tauri-apps/api/core";
import type {
  AppInfo,
  HazardKind,
  IpcError,
  KitChecklist,
  KitInspection,
  KitItem,
  PrintedCard,
  Village,
} from "./bindings";

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
  printCard(hazard: HazardKind): Promise<PrintedCard>;
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
  printCard: (hazard) => call("print_card", { hazard }),
};

export const BACKEND: InjectionKey<Backend> = Symbol("backend");

/** The backend the app was started with (see `main.ts`). */
export function useBackend(): Backend {
  const backend = inject(BACKEND);
  if (!backend) throw new Error("no Backend provided");
  return backend;
}
