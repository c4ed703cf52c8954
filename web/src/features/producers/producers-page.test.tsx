import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Signal } from "@/gen/tallycat/v1/schema_pb";
import { fakeCatalog } from "@/test/fake-catalog";
import { GONE, HEARTBEAT, LIVE, livenessOf } from "./last-seen";
import { renderAt } from "@/test/render";

describe("producers page", () => {
  it("counts each service's instances and lists only the most recent, however many pods it runs", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt("/producers", transport);
    const payments = await screen.findByRole("region", { name: "Service payments" });
    expect(within(payments).getByText(/1 release · 1,200 instances/)).toBeInTheDocument();
    expect(await within(payments).findByText("payments-pod-1")).toBeInTheDocument();
    expect(within(payments).getByTestId("instances-partial")).toHaveTextContent("The 1 most recently seen of 1,200 instances.");
    // Instances are asked for per service, newest first, a page at a time.
    const asked = calls.listProducers.filter((r) => r.filter.case === "serviceName" && r.filter.value === "payments");
    expect(asked[0]?.mostRecentFirst).toBe(true);
    expect(asked[0]?.pageSize).toBe(10);
  });

  it("says what each service and each of its releases sends, signal by signal, each count leading to its list", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/producers", transport);
    const checkout = await screen.findByRole("region", { name: "Service checkout" });
    const counts = await within(checkout).findByRole("navigation", { name: "What checkout sends" });
    expect(within(counts).getByTestId("service-metric-count")).toHaveTextContent("2 metrics");
    expect(within(counts).getByTestId("service-span-count")).toHaveTextContent("2 spans");
    expect(within(counts).getByTestId("service-log-count")).toHaveTextContent("1 log event");
    expect(within(counts).getByTestId("service-metric-count")).toHaveAttribute("href", "/?service=checkout");

    // The latest release first: 1.4.2 added a span and a log event to what 1.4.1 sent.
    const rows = within(checkout).getAllByTestId("release-row");
    expect(rows.map((r) => within(r).getByText(/^1\.4\./).textContent)).toEqual(["1.4.2", "1.4.1"]);
    const cells = (row: HTMLElement) => ["metric", "span", "log"].map((s) => within(row).getByTestId(`release-${s}-count`).textContent);
    expect(cells(rows[0]!)).toEqual(["2", "2+1", "1+1"]);
    expect(cells(rows[1]!)).toEqual(["2", "1", "0"]);
    expect(within(checkout).queryByTestId("releases-partial")).not.toBeInTheDocument();
    expect(calls.listServiceReleases).toEqual(expect.arrayContaining(["checkout", "payments"]));

    const payments = screen.getByRole("region", { name: "Service payments" });
    await waitFor(() => expect(within(payments).getByTestId("service-span-count")).toHaveTextContent("0 spans"));

    // A count opens its signal's list, filtered to the service.
    await userEvent.click(within(counts).getByTestId("service-span-count"));
    await waitFor(() => expect(history.location.pathname).toBe("/"));
    expect(Object.fromEntries(new URLSearchParams(history.location.search))).toEqual({ service: "checkout", signal: "span" });
    await screen.findAllByTestId("span-row");
    expect(calls.schemaKeyRequests.at(-1)).toMatchObject({ serviceName: "checkout", signals: [Signal.SPAN] });
  });

  it("says live while a producer sends, and marks a release that stopped as gone", async () => {
    renderAt("/producers", fakeCatalog().transport);
    const checkout = await screen.findByRole("region", { name: "Service checkout" });
    // Seen a minute ago, two heartbeats: live, not "1 minute ago".
    const header = within(checkout).getByRole("banner");
    expect(within(header).getByTestId("last-seen")).toHaveAttribute("data-liveness", "live");
    expect(within(header).getByTestId("last-seen")).toHaveTextContent("live");
    const [newest, older] = await within(checkout).findAllByTestId("release-row");
    expect(within(newest!).getByTestId("last-seen")).toHaveTextContent(/^live$/);
    // 1.4.1, last seen a week ago, has stopped sending.
    expect(within(older!).getByTestId("last-seen")).toHaveAttribute("data-liveness", "gone");
    expect(within(older!).getByTestId("last-seen")).toHaveTextContent(/^gone(7 days ago|last week)$/);
    expect(older).toHaveClass("text-muted-foreground");
    // The columns are fixed, the same in every service's card.
    for (const table of screen.getAllByRole("table", { name: "Releases" })) expect(table).toHaveClass("table-fixed");
  });

  it("counts heartbeats: live within four, gone after ten", () => {
    const now = Date.now();
    expect(livenessOf(new Date(now - HEARTBEAT), now)).toBe("live");
    expect(livenessOf(new Date(now - LIVE), now)).toBe("live");
    expect(livenessOf(new Date(now - LIVE - 1000), now)).toBe("quiet");
    expect(livenessOf(new Date(now - GONE), now)).toBe("quiet");
    expect(livenessOf(new Date(now - GONE - 1000), now)).toBe("gone");
    expect([LIVE, GONE]).toEqual([120_000, 300_000]);
  });
});
