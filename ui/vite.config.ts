import { fileURLToPath, URL } from "node:url";
import { defineConfig } from "vite";
import vue from "@vitejs/plugin-vue";

// The shared assets (fonts, the 5+X catalogue) live outside `ui/`, at the workspace root.
const assets = fileURLToPath(new URL("../assets", import.meta.url));

export default defineConfig({
  plugins: [vue()],
  resolve: {
    alias: { "@assets": assets },
  },
  // Tauri shows its own errors; keep Vite's output readable in the terminal.
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    fs: { allow: [".", assets] },
  },
  build: {
    // The WebView of every supported system (WebKitGTK 2.40+, WebView2) handles ES2021.
    target: "es2021",
    // The font is large; it is meant to be a file of its own in `dist/assets`, not inlined.
    assetsInlineLimit: 4096,
    chunkSizeWarningLimit: 1024,
  },
});
