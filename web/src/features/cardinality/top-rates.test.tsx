import { describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { SchemaKeySort } from "@/gen/tallycat/v1/catalog_service_pb";
import { Signal, Window } from "@/gen/tallycat/v1/schema_pb";
import { fakeCatalog } from "@/test/fake-catalog";
import { byScopeSpanSchema, loggerKey, spanSchema } from "@/test/fake-signals";
import { renderAt } from "@/test/render";

// jsdom has no canvas: the chart draws nothing.
vi.mock("uplot", () => ({
  default: class {
    data: unknown[][] = [];
    setData() {}
    setSize() {}
    destroy() {}
  },
}));

describe("the Cardinality page for spans and logs", () => {
  it("lists the span names and log events with the highest rate beside the metrics' series", async () => {
    const { transport, calls } = fakeCatalog({ logger: true });
    renderAt("/cardinality", transport);
    await screen.findAllByTestId("top-metric");
    const spans = await screen.findAllByTestId("top-span");
    // otelhttp's names past the limit (83/min) before the users route (3.3/min), marked and linked to their finding.
    expect(spans.map((r) => within(r).getAllByRole("link")[0]!.textContent)).toEqual([byScopeSpanSchema.schemaKey, spanSchema.schemaKey]);
    expect(within(spans[0]!).getByTestId("rate")).toHaveTextContent("83/min");
    expect(within(spans[0]!).getByTestId("name-limit-mark")).toBeInTheDocument();
    expect(within(spans[1]!).getByTestId("span-kind")).toHaveTextContent("server");
    const logs = screen.getAllByTestId("top-log");
    expect(logs.map((r) => within(r).getAllByRole("link")[0]!.textContent)).toEqual([loggerKey.schemaKey, "app.login"]);
    expect(within(logs[0]!).getByTestId("logger-mark")).toBeInTheDocument();
    // Asked by rate, most first, ten of each signal, over the page's window.
    const asked = calls.schemaKeyRequests.filter((r) => r.signals[0] === Signal.SPAN || r.signals[0] === Signal.LOG);
    expect(asked.map((r) => r.signals)).toEqual(expect.arrayContaining([[Signal.SPAN], [Signal.LOG]]));
    for (const r of asked) expect(r).toMatchObject({ sort: SchemaKeySort.DATA_POINT_RATE, descending: true, pageSize: 10, window: Window.UNSPECIFIED });

    await userEvent.click(screen.getByRole("button", { name: "Last 24 hours" }));
    await waitFor(() => expect(calls.schemaKeyRequests.some((r) => r.signals[0] === Signal.SPAN && r.window === Window.LAST_DAY)).toBe(true));
    const more = screen.getByRole("link", { name: "Every span by rate →" });
    expect(Object.fromEntries(new URL(more.getAttribute("href")!, "http://x").searchParams)).toEqual({
      signal: "span",
      sort: String(SchemaKeySort.DATA_POINT_RATE),
      desc: "true",
      window: String(Window.LAST_DAY),
    });
  });

  it("shows a catalog of spans and logs alone their lists, not how to send metrics", async () => {
    renderAt("/cardinality", fakeCatalog({ noMetrics: true }).transport);
    expect(await screen.findByTestId("no-metric-series")).toHaveTextContent("No metric had data points in the last hour");
    expect(await screen.findAllByTestId("top-span")).toHaveLength(2);
    expect(screen.getAllByTestId("top-log")).toHaveLength(1);
    expect(screen.queryByTestId("no-series")).not.toBeInTheDocument();
    expect(screen.queryByTestId("top-metric")).not.toBeInTheDocument();
  });
});
