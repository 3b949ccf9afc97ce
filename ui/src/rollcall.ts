// The roll call's words shared by its page, its detail and the start dialog.

import type { EvacuationEvent, Mark } from "./bindings";

/** The warning levels a transfer may be ordered under (`EvacuationEvent.level`). */
export const LEVEL_LABELS: Record<string, string> = {
  red: "红色预警",
  orange: "橙色预警",
  yellow: "黄色预警",
  blue: "蓝色预警",
};

/** "防汛防台 · 红色预警". */
export function transferTitle(hazardLabel: string, level: string): string {
  return [hazardLabel, LEVEL_LABELS[level]].filter(Boolean).join(" · ");
}

/** "全村", "2 个网格", "全村受威胁住户". */
export function transferScope(e: EvacuationEvent): string {
  const grids = e.grid_ids.length ? `${e.grid_ids.length} 个网格` : "全村";
  return e.threatened_only ? `${grids}受威胁住户` : grids;
}

/** Not safe yet: neither moved (to a shelter or relatives) nor away from the village. */
export function isNotSafe(m: Mark): boolean {
  return m !== "moved" && m !== "with-relatives" && m !== "away";
}
