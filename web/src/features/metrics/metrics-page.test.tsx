import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { SchemaKeySort } from "@/gen/tallycat/v1/catalog_service_pb";
import { Window } from "@/gen/tallycat/v1/schema_pb";
import { fakeCatalog } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";

describe("metrics page", () => {
  it("lists metrics and makes divergent ones stand out", async () => {
    renderAt("/", fakeCatalog().transport);
    const rows = await screen.findAllByTestId("metric-row");
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByText("http.server.request.duration")).toBeInTheDocument();
    expect(within(rows[0]!).getByText("2 schemas")).toBeInTheDocument();
    expect(within(rows[0]!).getByText("+1 superseded")).toBeInTheDocument();
    expect(within(rows[1]!).queryByText(/superseded/)).not.toBeInTheDocument();
    expect(within(rows[1]!).getByText("versioned")).toBeInTheDocument();
    expect(screen.getByText("2 metrics")).toBeInTheDocument();
  });

  it("shows each metric's series and rate, sorts by them on the server and counts over the window chosen", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/", transport);
    const rows = await screen.findAllByTestId("metric-row");
    expect(within(rows[0]!).getByTestId("metric-series")).toHaveTextContent("5.0k");
    expect(within(rows[0]!).getByTestId("metric-rate")).toHaveTextContent("12/min");
    expect(within(rows[1]!).getByTestId("metric-series")).toHaveTextContent("3");
    expect(within(rows[1]!).getByTestId("metric-rate")).toHaveTextContent("0.5/min");

    // The first click sorts the most series first, the second the fewest.
    await userEvent.click(screen.getByRole("button", { name: "Series" }));
    await waitFor(() => expect(history.location.search).toContain(`sort=${SchemaKeySort.SERIES}`));
    expect(history.location.search).toContain("desc=true");
    await waitFor(() => expect(calls.schemaKeyRequests.at(-1)).toMatchObject({ sort: SchemaKeySort.SERIES, descending: true }));
    await userEvent.click(screen.getByRole("button", { name: "Series" }));
    await waitFor(() => expect(screen.getAllByTestId("metric-row")[0]).toHaveTextContent("queue.depth"));
    expect(calls.schemaKeyRequests.at(-1)).toMatchObject({ sort: SchemaKeySort.SERIES, descending: false });

    await userEvent.click(screen.getByRole("button", { name: "Rate" }));
    await waitFor(() => expect(calls.schemaKeyRequests.at(-1)).toMatchObject({ sort: SchemaKeySort.DATA_POINT_RATE, descending: true }));

    await userEvent.click(screen.getByRole("button", { name: "Last 24 hours" }));
    await waitFor(() => expect(within(screen.getAllByTestId("metric-row")[0]!).getByTestId("metric-series")).toHaveTextContent("8.4k"));
    expect(history.location.search).toContain("window=2");
    expect(calls.schemaKeyRequests.at(-1)?.window).toBe(Window.LAST_DAY);
  });

  it("searches as you type, debounced, and keeps the query in the URL", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/", transport);
    await screen.findAllByTestId("metric-row");
    await userEvent.type(screen.getByLabelText("Search metrics"), "queue");
    await waitFor(() => expect(screen.getAllByTestId("metric-row")).toHaveLength(1));
    expect(history.location.search).toContain("q=queue");
    // One request for the whole word, not one per keystroke.
    expect(calls.listSchemaKeys.filter((q) => q !== "" && q !== "queue")).toEqual([]);
  });

  it("reads the search from the URL", async () => {
    renderAt("/?q=queue", fakeCatalog().transport);
    await waitFor(() => expect(screen.getAllByTestId("metric-row")).toHaveLength(1));
    expect(screen.getByLabelText("Search metrics")).toHaveValue("queue");
  });

  it("offers the services ListServices names in the service filter", async () => {
    const { transport } = fakeCatalog();
    const { history } = renderAt("/", transport);
    await screen.findAllByTestId("metric-row");
    await userEvent.click(screen.getByLabelText("Service"));
    await userEvent.click(await screen.findByRole("option", { name: "payments" }));
    await waitFor(() => expect(history.location.search).toContain("service=payments"));
  });

  it("tells a new user how to send metrics when the catalog is empty", async () => {
    renderAt("/", fakeCatalog({ empty: true }).transport);
    expect(await screen.findByText("No metrics yet")).toBeInTheDocument();
    expect(screen.getByText(/OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http:\/\/localhost:4317/)).toBeInTheDocument();
  });

  it("shows the API's error", async () => {
    renderAt("/", fakeCatalog({ failKeys: true }).transport);
    const alert = await screen.findByRole("alert", {}, { timeout: 5000 });
    expect(alert).toHaveTextContent("the database is on fire");
    expect(alert).toHaveTextContent("unavailable");
  });
});
