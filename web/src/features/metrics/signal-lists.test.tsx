import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Signal } from "@/gen/tallycat/v1/schema_pb";
import { fakeCatalog } from "@/test/fake-catalog";
import { spanSchema } from "@/test/fake-signals";
import { renderAt } from "@/test/render";

const nav = () => within(screen.getByRole("navigation", { name: "Main" }));

describe("metrics, spans and logs lists", () => {
  it("lists metrics by default, as every URL before spans and logs did", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/", transport);
    expect(await screen.findAllByTestId("metric-row")).toHaveLength(2);
    expect(calls.schemaKeyRequests.at(-1)?.signals).toEqual([Signal.METRIC]);
    expect(history.location.search).not.toContain("signal");
    expect(nav().getByRole("link", { name: "Metrics" })).toHaveAttribute("aria-current", "page");
    expect(nav().getByRole("link", { name: "Spans" })).not.toHaveAttribute("aria-current");
  });

  it("switches to spans from the navigation, keeping the signal in the URL", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/?q=queue", transport);
    await screen.findAllByTestId("metric-row");

    await userEvent.click(nav().getByRole("link", { name: "Spans" }));
    await waitFor(() => expect(history.location.search).toContain("signal=span"));
    // Another signal is another list: the metric's search does not follow.
    expect(history.location.search).not.toContain("q=");
    const rows = await screen.findAllByTestId("span-row");
    expect(rows).toHaveLength(2);
    expect(screen.queryByTestId("metric-row")).not.toBeInTheDocument();
    expect(calls.schemaKeyRequests.at(-1)?.signals).toEqual([Signal.SPAN]);
    expect(screen.getByRole("heading", { name: "Spans" })).toBeInTheDocument();
    expect(within(rows[0]!).getByTestId("span-kinds")).toHaveTextContent("server");
    expect(within(rows[0]!).getByTestId("key-rate")).toHaveTextContent("3.3/min");
    expect(screen.queryByLabelText("Metric type")).not.toBeInTheDocument();
    expect(screen.getByTestId("key-total")).toHaveTextContent("2 spans");
    expect(nav().getByRole("link", { name: "Spans" })).toHaveAttribute("aria-current", "page");
    expect(nav().getByRole("link", { name: "Metrics" })).not.toHaveAttribute("aria-current");

    // A span's link carries its signal to the span's page.
    const link = within(rows[0]!).getByRole("link", { name: spanSchema.schemaKey });
    expect(link.getAttribute("href")).toMatch(/^\/metrics\/GET%20%2Fusers%2F%7Bid%7D\?signal=span$/);

    await userEvent.click(nav().getByRole("link", { name: "Metrics" }));
    await waitFor(() => expect(screen.getAllByTestId("metric-row")).toHaveLength(2));
    expect(history.location.search).not.toContain("signal");
    expect(calls.schemaKeyRequests.at(-1)?.signals).toEqual([Signal.METRIC]);
  });

  it("reads logs from the URL, searching log events with the signal kept", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/?signal=log", transport);
    const rows = await screen.findAllByTestId("log-row");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent("app.login");
    expect(screen.getByRole("columnheader", { name: /Event name or logger/ })).toBeInTheDocument();
    expect(calls.schemaKeyRequests.every((r) => r.signals.length === 1 && r.signals[0] === Signal.LOG)).toBe(true);
    expect(nav().getByRole("link", { name: "Logs" })).toHaveAttribute("aria-current", "page");

    await userEvent.type(screen.getByLabelText("Search log events"), "login");
    await waitFor(() => expect(history.location.search).toContain("q=login"));
    expect(history.location.search).toContain("signal=log");
    await waitFor(() => expect(calls.schemaKeyRequests.at(-1)).toMatchObject({ query: "login", signals: [Signal.LOG] }));
    // Still the Logs page, with a search in the URL.
    expect(nav().getByRole("link", { name: "Logs" })).toHaveAttribute("aria-current", "page");
  });

  it("tells how to send spans when there are none", async () => {
    renderAt("/?signal=span", fakeCatalog({ empty: true }).transport);
    expect(await screen.findByText("No spans yet")).toBeInTheDocument();
    expect(screen.getByText(/OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http:\/\/localhost:4318\/v1\/traces/)).toBeInTheDocument();
  });
});
