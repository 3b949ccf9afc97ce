// "有未保存的修改": a screen with unsaved work registers a check; the frame asks before the side
// navigation (or a link on another screen) takes the officer away from it.

import { inject, onBeforeUnmount, type InjectionKey } from "vue";

/** Says what would be lost (Chinese), or `null` when nothing is unsaved. */
export type LeaveCheck = () => string | null;

export interface LeaveGuard {
  add(check: LeaveCheck): () => void;
  /** The first unsaved-work message, if any screen has one. */
  pending(): string | null;
}

export const LEAVE: InjectionKey<LeaveGuard> = Symbol("leave");

export function createLeaveGuard(): LeaveGuard {
  const checks = new Set<LeaveCheck>();
  return {
    add(check) {
      checks.add(check);
      return () => checks.delete(check);
    },
    pending() {
      for (const check of checks) {
        const message = check();
        if (message) return message;
      }
      return null;
    },
  };
}

/** Registers `check` for as long as the calling component is on screen. */
export function useLeaveCheck(check: LeaveCheck) {
  const guard = inject(LEAVE, null);
  if (!guard) return;
  const remove = guard.add(check);
  onBeforeUnmount(remove);
}
