import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ConsumerKind } from "@/gen/tallycat/v1/schema_pb";
import { fakeCatalog } from "@/test/fake-catalog";
import { checkoutDashboardId } from "@/test/fake-consumers";
import { renderAt } from "@/test/render";

describe("consumers page", () => {
  it("lists the dashboards and rules, the broken ones first, with their counts and the page's stats", async () => {
    renderAt("/consumers", fakeCatalog().transport);
    const rows = await screen.findAllByTestId("consumer-row");
    expect(rows.map((r) => within(r).getByTestId("consumer-title").textContent)).toEqual(["Checkout", "CheckoutSlow", "shop:requests:rate1m"]);
    expect(rows.map((r) => r.hasAttribute("data-broken"))).toEqual([true, true, false]);

    const [checkout, slow, rates] = rows as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(checkout).getByTestId("consumer-title")).toHaveAttribute("href", `/consumers/${checkoutDashboardId}`);
    expect(within(checkout).getByTestId("consumer-kind")).toHaveTextContent("dashboard");
    expect(within(checkout).getByTestId("consumer-folder")).toHaveTextContent("Shop");
    expect(checkout).toHaveTextContent("grafana/dashboards/checkout.json");
    expect(within(checkout).getByTestId("consumer-queries")).toHaveTextContent("3");
    expect(within(checkout).getByTestId("consumer-broken")).toHaveTextContent("2");
    expect(within(checkout).getByTestId("consumer-findings")).toHaveTextContent("2 violations");
    expect(within(slow).getByTestId("consumer-kind")).toHaveTextContent("alert rule");
    expect(within(slow).getByTestId("consumer-unparsed")).toHaveTextContent("1");
    expect(within(rates).getByTestId("consumer-kind")).toHaveTextContent("recording rule");
    expect(within(rates).getByTestId("consumer-findings")).toHaveTextContent("none");

    expect(screen.getByTestId("stat-consumers")).toHaveTextContent("3");
    expect(screen.getByTestId("stat-queries")).toHaveTextContent("6");
    expect(screen.getByTestId("stat-unparsed")).toHaveTextContent("1");
    expect(screen.getByTestId("stat-skipped")).toHaveTextContent("other datasources: loki 2");
    expect(screen.getByTestId("stat-metrics")).toHaveTextContent("1 of 2");
    expect(screen.getByTestId("consumer-total")).toHaveTextContent("3 dashboards and rules");
  });

  it("asks for counts without TallyCat's own metrics until the switch shows them", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt("/consumers", transport);
    await screen.findAllByTestId("consumer-row");
    expect(calls.consumers.listConsumers.at(-1)?.excludeSelfTelemetry).toBe(true);
    await userEvent.click(screen.getByRole("switch", { name: /TallyCat/ }));
    await waitFor(() => expect(calls.consumers.listConsumers.at(-1)?.excludeSelfTelemetry).toBe(false));
  });

  it("goes back to the first page when the switch changes what is counted", async () => {
    const { transport, calls } = fakeCatalog({ manyConsumers: true });
    renderAt("/consumers", transport);
    await waitFor(() => expect(screen.getAllByTestId("consumer-row")).toHaveLength(50));
    await userEvent.click(screen.getByRole("button", { name: /Next/ }));
    await waitFor(() => expect(screen.getByText("51–63 of 63")).toBeInTheDocument());
    const second = calls.consumers.listConsumers.at(-1);
    expect(second?.pageToken).toBe("50");

    // The switch is remembered across pages, so it may start either way.
    await userEvent.click(screen.getByRole("switch", { name: /TallyCat/ }));
    await waitFor(() =>
      expect(calls.consumers.listConsumers.at(-1)).toMatchObject({ excludeSelfTelemetry: !second?.excludeSelfTelemetry, pageToken: "" }),
    );
    await waitFor(() => expect(screen.getByText("1–50 of 63")).toBeInTheDocument());
  }, 15000);

  it("starts again at the first page, without an error, when the catalog's selection changed under a page token", async () => {
    const { transport, calls } = fakeCatalog({ manyConsumers: true, staleTokens: true });
    renderAt("/consumers", transport);
    await waitFor(() => expect(screen.getAllByTestId("consumer-row")).toHaveLength(50));
    await userEvent.click(screen.getByRole("button", { name: /Next/ }));
    // The second page was asked for once, refused, and not asked again.
    await waitFor(() => expect(calls.consumers.listConsumers.filter((r) => r.pageToken === "50")).toHaveLength(1));
    await waitFor(() => expect(screen.getByText("1–50 of 63")).toBeInTheDocument());
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  }, 15000);

  it("filters by search, kind and broken only, in the URL", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/consumers", transport);
    await screen.findAllByTestId("consumer-row");

    await userEvent.click(screen.getByRole("switch", { name: "Broken only" }));
    await waitFor(() => expect(screen.getAllByTestId("consumer-row")).toHaveLength(2));
    expect(calls.consumers.listConsumers.at(-1)?.brokenOnly).toBe(true);
    expect(history.location.search).toContain("broken=true");

    await userEvent.click(screen.getByRole("combobox", { name: "Kind" }));
    await userEvent.click(await screen.findByRole("option", { name: "Alert rules" }));
    await waitFor(() => expect(screen.getAllByTestId("consumer-row")).toHaveLength(1));
    expect(calls.consumers.listConsumers.at(-1)?.kinds).toEqual([ConsumerKind.ALERT_RULE]);
    expect(screen.getByTestId("consumer-title")).toHaveTextContent("CheckoutSlow");

    await userEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    await userEvent.type(screen.getByRole("textbox", { name: "Search dashboards and rules" }), "rate1m");
    await waitFor(() => expect(screen.getAllByTestId("consumer-row")).toHaveLength(1));
    expect(calls.consumers.listConsumers.at(-1)?.query).toBe("rate1m");
    expect(screen.getByTestId("consumer-title")).toHaveTextContent("shop:requests:rate1m");
  });

  it("says how dashboards and rules arrive when none was ever synced", async () => {
    renderAt("/consumers", fakeCatalog({ noConsumers: true }).transport);
    const empty = await screen.findByTestId("no-consumers");
    expect(empty).toHaveTextContent("No dashboards or rules yet");
    expect(empty).toHaveTextContent("tallycat consumers sync --catalog");
    expect(empty).toHaveTextContent("--dashboards DIR --rules DIR");
    expect(empty).toHaveTextContent("--consumers-dashboards");
    expect(screen.queryByRole("table", { name: "Consumers" })).not.toBeInTheDocument();
  });

  it("is in the header's navigation", async () => {
    renderAt("/", fakeCatalog().transport);
    const nav = await screen.findByRole("navigation", { name: "Main" });
    await userEvent.click(within(nav).getByRole("link", { name: "Consumers" }));
    expect(await screen.findAllByTestId("consumer-row")).toHaveLength(3);
  });
});

describe("consumer page", () => {
  it("shows each query with what it reads, its findings in words and the keys it probably meant", async () => {
    renderAt(`/consumers/${checkoutDashboardId}`, fakeCatalog().transport);
    const queries = await screen.findAllByTestId("consumer-query");
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Checkout");
    expect(screen.getByTestId("consumer-meta")).toHaveTextContent("grafana/dashboards/checkout.json · Grafana dashboard");
    expect(screen.getByTestId("consumer-counts")).toHaveTextContent("3 queries, 2 broken; skipped on other datasources: loki 2");
    expect(queries.map((q) => within(q).getByTestId("query-place").textContent)).toEqual(["panel Latency", "panel Errors", "panel By method"]);

    const [latency, errors] = queries as [HTMLElement, HTMLElement];
    expect(latency).not.toHaveAttribute("data-broken");
    expect(within(latency).getByTestId("query-expr")).toHaveTextContent("histogram_quantile(0.99, sum by (le, http_route)");
    expect(latency).toHaveTextContent("as written: histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket[$__rate_interval])))");
    expect(within(latency).getByRole("link", { name: "http.server.request.duration" })).toHaveAttribute("href", "/metrics/http.server.request.duration");

    expect(errors).toHaveAttribute("data-broken", "true");
    expect(within(errors).getByTestId("query-ref")).toHaveTextContent("ref B");
    const finding = within(errors).getByTestId("consumer-finding");
    expect(within(finding).getByTestId("finding-title")).toHaveTextContent("Reads a metric nothing sends");
    expect(within(finding).getByTestId("level-badge")).toHaveTextContent("violation");
    expect(within(finding).getByTestId("finding-metric-name")).toHaveTextContent("http_server_request_duration_milliseconds_count");
    expect(within(finding).getByTestId("finding-near")).toHaveTextContent(
      "did you mean http.server.request.duration (http_server_request_duration_seconds_count)?",
    );
    expect(within(finding).getByTestId("near-key")).toHaveAttribute("href", "/metrics/http.server.request.duration");
  });

  it("keeps a query that does not parse, with the parser's error", async () => {
    renderAt(`/consumers/${"beef".repeat(8)}`, fakeCatalog().transport);
    const queries = await screen.findAllByTestId("consumer-query");
    const unparsed = queries.find((q) => within(q).queryByTestId("query-error"))!;
    expect(within(unparsed).getByTestId("query-error")).toHaveTextContent("Does not parse: 1:59: parse error: unexpected end of input");
    expect(within(unparsed).getByTestId("finding-title")).toHaveTextContent("Query does not parse");

    await userEvent.click(screen.getByRole("switch", { name: "Broken only (1)" }));
    expect(screen.getAllByTestId("consumer-query")).toHaveLength(1);
  });

  it("says a consumer the catalog no longer holds is not found", async () => {
    renderAt(`/consumers/${"0".repeat(32)}`, fakeCatalog().transport);
    expect(await screen.findByRole("alert")).toHaveAttribute("data-code", "not_found");
  });
});
