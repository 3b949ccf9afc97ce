// "The store changed underneath the screens": the backend's `store-changed` event (the sync
// worker pulled changes from the county, or a county USB bundle was read). Every page that
// shows data from the store reloads it then; forms with typed input are left alone.

import { ref, watch } from "vue";

const revision = ref(0);

/** Called once per `store-changed` event (App.vue subscribes). */
export function storeChanged() {
  revision.value++;
}

/** How many times the store changed underneath since the app started. */
export function storeRevision(): number {
  return revision.value;
}

/** Runs `reload` whenever the store changes underneath, while the calling component lives. */
export function useStoreChanged(reload: () => unknown) {
  watch(revision, () => {
    void reload();
  });
}
