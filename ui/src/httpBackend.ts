// The backend of the headless UI tests: the app's real commands, run by the loopback bridge in
// `src-tauri/tests/support/bridge.rs` on tauri's mock runtime over a real store file. Only the
// transport differs from the app; built in with `vite build --mode uitest`, never in the app.

import { BackendError, makeBackend, type Backend } from "./backend";

export function httpBackend(base: string): Backend {
  return makeBackend(
    async <T>(command: string, args?: Record<string, unknown>): Promise<T> => {
      let res: Response;
      try {
        res = await fetch(`${base}invoke/${command}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(args ?? {}),
        });
      } catch (e) {
        throw BackendError.from(e);
      }
      if (!res.ok) {
        let error: unknown = `HTTP ${res.status}`;
        try {
          error = await res.json();
        } catch {
          // Not JSON: keep the status.
        }
        throw BackendError.from(error);
      }
      if (res.headers.get("content-type")?.startsWith("application/octet-stream")) {
        return (await res.arrayBuffer()) as T;
      }
      return (await res.json()) as T;
    },
    // No sync worker runs behind the bridge: no status events.
    async () => () => {},
    // The bridge counts the store-changed events of the app; polled while anyone listens.
    async (f) => {
      let seen: number | null = null;
      let stopped = false;
      const poll = async () => {
        while (!stopped) {
          try {
            const res = await fetch(`${base}events`);
            const { store_changed } = (await res.json()) as { store_changed: number };
            if (seen !== null && store_changed > seen) f();
            seen = store_changed;
          } catch {
            // The bridge is going away with the test: stop quietly.
          }
          // Once a second: a test waiting for "network idle" (500 ms) still sees it.
          await new Promise((r) => setTimeout(r, 1000));
        }
      };
      void poll();
      return () => {
        stopped = true;
      };
    },
  );
}
