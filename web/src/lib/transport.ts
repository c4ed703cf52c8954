import type { Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { ACTOR_HEADER, actorProblem, readActor } from "./actor";

/**
 * actorInterceptor names the person on every request: the catalog records
 * the name as who assigned or deprecated a version, instead of
 * "anonymous". It reads the name at each request, so a new one applies at
 * once; a name the header cannot carry (edited by hand in storage) is left
 * out rather than failing the request.
 */
export const actorInterceptor: Interceptor = (next) => (req) => {
  const actor = readActor();
  if (actor && !actorProblem(actor)) req.header.set(ACTOR_HEADER, actor);
  return next(req);
};

/** makeTransport is the API's transport with the actor interceptor; tests pass their own fetch. */
export function makeTransport(baseUrl: string, fetch?: typeof globalThis.fetch) {
  return createConnectTransport({ baseUrl, interceptors: [actorInterceptor], ...(fetch ? { fetch } : {}) });
}

/**
 * The UI is served by the catalog, so the API is on the page's own origin;
 * the Vite dev server proxies it in development.
 */
export const transport = makeTransport(typeof window === "undefined" ? "http://localhost:8080" : window.location.origin);
