// Emergency mode's shared state: the incident board (every incident with its two report
// deadlines, reckoned by the backend at the app's clock). One copy for the whole window, so the
// clock under the header and the emergency page always agree. While an incident is open it is
// read again every second, so the clock ticks with the app's own clock (the system clock in the
// app, the injected one in the tests); otherwise after each change.

import { computed, ref } from "vue";
import { BackendError, type Backend } from "./backend";
import type { IncidentBoard } from "./bindings";
import { useStoreChanged } from "./storeEvents";

const board = ref<IncidentBoard | null>(null);
const error = ref<BackendError | null>(null);
let source: Backend | null = null;
let reading: Promise<void> | null = null;

/** Reads the board again (after a start, a report, a store change); one read at a time. */
export function refreshIncidents(): Promise<void> {
  if (!source) return Promise.resolve();
  const backend = source;
  reading ??= backend
    .incidentBoard()
    .then(
      (b) => {
        board.value = b;
        error.value = null;
      },
      (e) => {
        error.value = BackendError.from(e);
      },
    )
    .finally(() => (reading = null));
  return reading;
}

/** The open incidents, the newest first (as the board orders them). */
const open = computed(() => board.value?.incidents.filter((i) => i.open) ?? []);

/**
 * Starts reading the board (App.vue, once the village is known): every second while an incident
 * is open. Returns a function that stops.
 */
export function watchIncidents(backend: Backend): () => void {
  source = backend;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastRead = 0;
  const tick = async () => {
    // Nothing open: the board changes only through the app's own calls (which read it again)
    // or a store change; a slow read now and then keeps it fresh all the same.
    if (open.value.length > 0 || Date.now() - lastRead >= 15000) {
      lastRead = Date.now();
      await refreshIncidents();
    }
    if (!stopped) timer = setTimeout(tick, 1000);
  };
  void tick();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** The board for a component; read again when the store changes underneath. */
export function useIncidents() {
  useStoreChanged(refreshIncidents);
  return { board, open, error, refresh: refreshIncidents };
}
