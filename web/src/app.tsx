import { useState } from "react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { TransportProvider } from "@connectrpc/connect-query";
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { createRouter, RouterProvider, type RouterHistory } from "@tanstack/react-router";
import { routeTree } from "./routeTree.gen";

/** makeRouter builds the router; tests pass a memory history. */
export function makeRouter(history?: RouterHistory) {
  return createRouter({ routeTree, history, defaultPreload: "intent", scrollRestoration: true });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof makeRouter>;
  }
}

/**
 * retryable says whether a failed query is worth trying again: a refusal
 * (not found, invalid argument) will not change, an outage may. ABORTED is
 * not tried again as it was: the catalog answers it for a page token cut
 * from a selection that has since changed, which the same token will
 * never read; the page starts again at its first page instead.
 */
function retryable(failures: number, error: unknown): boolean {
  const code = ConnectError.from(error).code;
  return failures < 2 && [Code.Unavailable, Code.Unknown, Code.DeadlineExceeded, Code.Internal].includes(code);
}

/** App wires the API transport, the query cache and the router. */
export function App({ transport, history }: { transport: Transport; history?: RouterHistory }) {
  const [queryClient] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, retry: retryable, refetchOnWindowFocus: true } } }),
  );
  const [router] = useState(() => makeRouter(history));
  return (
    <TransportProvider transport={transport}>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </TransportProvider>
  );
}
