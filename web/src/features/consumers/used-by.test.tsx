import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { fakeCatalog, schemaA } from "@/test/fake-catalog";
import { checkoutDashboardId, slowRuleId } from "@/test/fake-consumers";
import { renderAt } from "@/test/render";

// The metric and schema pages load their schemas first: more than the default 5 s on a busy machine.
describe("used by", { timeout: 15_000 }, () => {
  it("names the dashboards, rules and panels that read a metric, the attributes they read and what is wrong", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt("/metrics/http.server.request.duration", transport);
    const card = await screen.findByTestId("used-by", {}, { timeout: 5000 });
    const readers = await within(card).findAllByTestId("reader");
    expect(readers.map((r) => r.textContent)).toEqual([
      "dashboard Checkout, panel Latency, query Ahttp.route",
      "dashboard Checkout, panel By method, query Ano attribute",
      "alert rule CheckoutSlowhttp.request.methodhttp.route",
      "recording rule shop:requests:rate1mevery attribute",
    ]);
    const latency = within(readers[0]!).getByRole("link", { name: "Checkout" });
    expect(latency).toHaveAttribute("href", `/consumers/${checkoutDashboardId}#query-panels-0-targets-0-expr`);
    expect(within(readers[2]!).getByRole("link", { name: "CheckoutSlow" })).toHaveAttribute("href", `/consumers/${slowRuleId}#query-groups-0-rules-0-expr`);
    expect(within(readers[3]!).getByTestId("reads-every-attribute")).toBeInTheDocument();
    expect(within(card).getByTestId("usage-summary")).toHaveTextContent(
      "4 queries in 3 dashboards and rules; one keeps every label of its series, so every attribute is read.",
    );

    const attributes = within(card).getAllByTestId("attribute-read");
    expect(attributes.map((a) => a.textContent)).toEqual(["http.routehttp_route2", "http.request.methodhttp_request_method1"]);

    const finding = within(card).getByTestId("consumer-finding");
    expect(finding).toHaveAttribute("data-finding", "consumer_missing_attribute");
    expect(within(finding).getByTestId("finding-title")).toHaveTextContent("Reads an attribute the metric lacks");
    expect(finding).toHaveTextContent("dashboard Checkout, panel By method, query A");
    expect(within(finding).getByTestId("finding-attribute")).toHaveTextContent("http_method");
    expect(finding).toHaveTextContent("label http_method (by)");
    expect(calls.consumers.getUsage).toEqual(["http.server.request.duration"]);
  });

  it("calls a metric nobody reads unused, with what it costs", async () => {
    renderAt("/metrics/queue.depth", fakeCatalog().transport);
    const card = await screen.findByTestId("used-by", {}, { timeout: 5000 });
    expect(await within(card).findByTestId("no-readers")).toHaveTextContent("No dashboard or rule synced to the catalog reads this metric.");
    const finding = within(card).getByTestId("consumer-finding");
    expect(finding).toHaveAttribute("data-finding", "unused_metric");
    expect(within(finding).getByTestId("finding-savings")).toHaveTextContent("≈ 3 series at 0.5/min, 0.02 a month that nobody reads.");
  });

  it("says nothing is known yet, and how to sync, while no dashboard or rule was ever synced", async () => {
    renderAt("/metrics/queue.depth", fakeCatalog({ noConsumers: true }).transport);
    const card = await screen.findByTestId("used-by", {}, { timeout: 5000 });
    const unknown = await within(card).findByTestId("usage-unknown");
    expect(unknown).toHaveTextContent("Nothing is known yet: no dashboard or rule has been synced to the catalog, so no metric is called unused.");
    expect(unknown).toHaveTextContent("tallycat consumers sync --catalog");
    expect(within(card).queryByTestId("consumer-finding")).not.toBeInTheDocument();
    expect(card).not.toHaveTextContent(/unused metric|nobody reads/i);
  });

  it("is on a schema's page, for the schema's key", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt(`/schemas/${schemaA.schemaId}`, transport);
    const card = await screen.findByTestId("used-by", {}, { timeout: 5000 });
    expect(await within(card).findAllByTestId("reader")).toHaveLength(4);
    expect(calls.consumers.getUsage).toEqual([schemaA.schemaKey]);
  });

  it("is not on a span's page: dashboards and rules query metrics", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt("/metrics/GET%20%2Fusers%2F%7Bid%7D?signal=span", transport);
    await screen.findByTestId("findings-card", {}, { timeout: 5000 });
    expect(screen.queryByTestId("used-by")).not.toBeInTheDocument();
    expect(calls.consumers.getUsage).toEqual([]);
  });
});
