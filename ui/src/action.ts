// The state of one user action (a save, a print): busy while it runs, "已保存" for a few
// seconds after, or the Chinese error — and, for validation errors, which field it is about.

import { onBeforeUnmount, ref, type Ref } from "vue";
import { BackendError } from "./backend";
import { useStoreChanged } from "./storeEvents";

export function useAction() {
  const busy = ref(false);
  const done = ref(false);
  const error = ref<BackendError | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** Runs `f`; resolves with its result, or `undefined` if it failed (the error is kept). */
  async function run<T>(f: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    done.value = false;
    error.value = null;
    clearTimeout(timer);
    try {
      const out = await f();
      done.value = true;
      timer = setTimeout(() => (done.value = false), 4000);
      return out;
    } catch (e) {
      error.value = BackendError.from(e);
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  /** Shows a problem found before calling the backend (e.g. letters in a number field). */
  function fail(field: string, message: string) {
    error.value = new BackendError({ code: "input", message, field });
  }

  /** The message for the field with this (Chinese) label, if the last error was about it. */
  function errorFor(field: string): string | null {
    return error.value?.field === field ? error.value.message : null;
  }

  /** The message to show by the action's button: errors not tied to a field on the form. */
  function generalError(fields: readonly string[]): string | null {
    const e = error.value;
    if (!e) return null;
    return e.field && fields.includes(e.field) ? "有填写错误，请按红字提示修改后再保存。" : e.message;
  }

  function reset() {
    error.value = null;
    done.value = false;
  }

  onBeforeUnmount(() => clearTimeout(timer));

  return { busy, done, error, run, fail, errorFor, generalError, reset };
}

/**
 * What a page shows, read from the backend: `load()` reads it (again after each change), `loading`
 * while that runs, `error` when it failed (the last value read stays).
 */
export function useLoad<T>(read: () => Promise<T>) {
  const value = ref(null) as Ref<T | null>;
  const loading = ref(false);
  const error = ref<BackendError | null>(null);

  async function load() {
    loading.value = true;
    try {
      value.value = await read();
      error.value = null;
    } catch (e) {
      error.value = BackendError.from(e);
    } finally {
      loading.value = false;
    }
  }

  // Read again when the store changes underneath (a pull by the sync worker), once shown.
  useStoreChanged(() => {
    if (value.value !== null) return load();
  });

  return { value, loading, error, load };
}
