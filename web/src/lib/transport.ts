import { createConnectTransport } from "@connectrpc/connect-web";

/**
 * The UI is served by the catalog, so the API is on the page's own origin;
 * the Vite dev server proxies it in development.
 */
export const transport = createConnectTransport({
  baseUrl: typeof window === "undefined" ? "http://localhost:8080" : window.location.origin,
});
