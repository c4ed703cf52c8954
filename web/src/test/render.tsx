import { render } from "@testing-library/react";
import { createMemoryHistory } from "@tanstack/react-router";
import type { Transport } from "@connectrpc/connect";
import { App } from "@/app";

/** renderAt renders the whole app at a path, on a fake transport. */
export function renderAt(path: string, transport: Transport) {
  const history = createMemoryHistory({ initialEntries: [path] });
  return { history, ...render(<App transport={transport} history={history} />) };
}
