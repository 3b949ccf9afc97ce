// "已删除 … 撤销": every delete in the app is a tombstone that can be undone for a while. The
// frame provides one `Undo`; any screen offers an undo after it deletes something.

import { inject, ref, type InjectionKey, type Ref } from "vue";
import type { Tombstone } from "./bindings";

export interface UndoOffer {
  /** What was deleted, e.g. "已删除住户 张三". */
  label: string;
  tombstones: Tombstone[];
  /** Called after a successful undo, so the screen can reload. */
  after?: () => void;
}

export interface Undo {
  current: Ref<UndoOffer | null>;
  /** Shows "已删除 …  [撤销]" for 10 seconds (a newer offer replaces an older one). */
  offer(offer: UndoOffer): void;
  dismiss(): void;
}

export const UNDO: InjectionKey<Undo> = Symbol("undo");

export function createUndo(): Undo {
  const current = ref<UndoOffer | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  return {
    current,
    offer(offer) {
      clearTimeout(timer);
      current.value = offer;
      timer = setTimeout(() => (current.value = null), 10_000);
    },
    dismiss() {
      clearTimeout(timer);
      current.value = null;
    },
  };
}

export function useUndo(): Undo {
  const undo = inject(UNDO);
  if (!undo) throw new Error("no Undo provided");
  return undo;
}
