import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app";
import { ThemeProvider } from "./components/theme";
import { transport } from "./lib/transport";
import "./index.css";

// The theme wraps the app here, not in the shell, so that component tests
// (which render App on a fake transport) need no matchMedia of jsdom's.
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ThemeProvider>
      <App transport={transport} />
    </ThemeProvider>
  </StrictMode>,
);
