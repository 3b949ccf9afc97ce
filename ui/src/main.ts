import { createApp } from "vue";
import App from "./App.vue";
import { BACKEND, tauriBackend } from "./backend";
import { httpBackend } from "./httpBackend";
import "./styles.css";

// `vite build --mode uitest` makes the headless UI tests' build; the app always uses Tauri's IPC.
const backend = import.meta.env.MODE === "uitest" ? httpBackend("/") : tauriBackend;

createApp(App).provide(BACKEND, backend).mount("#app");
