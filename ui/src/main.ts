import { createApp } from "vue";
import App from "./App.vue";
import { BACKEND, tauriBackend } from "./backend";
import "./styles.css";

createApp(App).provide(BACKEND, tauriBackend).mount("#app");
