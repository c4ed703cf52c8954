import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app";
import { transport } from "./lib/transport";
import "./index.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App transport={transport} />
  </StrictMode>,
);
