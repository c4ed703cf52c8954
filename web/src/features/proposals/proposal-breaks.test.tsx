import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { fakeCatalog, schemaA } from "@/test/fake-catalog";
import { checkoutDashboardId, slowRuleId } from "@/test/fake-consumers";
import { renderAt } from "@/test/render";

// The pages load their schemas, then their proposals and timeline: more than the default 5 s on a busy machine.
describe("what a change breaks", { timeout: 15_000 }, () => {
  it("names the dashboards, panels and rules a proposal breaks, each a link to the query", async () => {
    renderAt(`/schemas/${schemaA.schemaId}`, fakeCatalog({ breaks: true }).transport);
    const proposal = await screen.findByTestId("proposal", {}, { timeout: 5000 });
    expect(proposal).toHaveAttribute("data-level", "major");
    const breaks = within(proposal).getAllByTestId("consumer-break");
    expect(breaks.map((b) => b.textContent)).toEqual([
      "breaks dashboard Checkout, panel Latency, query A: groups by http_route, which the change removes",
      "breaks alert rule CheckoutSlow: groups by http_route, which the change removes",
    ]);
    expect(within(breaks[0]!).getByRole("link", { name: "Checkout" })).toHaveAttribute("href", `/consumers/${checkoutDashboardId}#query-latency-a`);
    expect(within(breaks[1]!).getByRole("link", { name: "CheckoutSlow" })).toHaveAttribute("href", `/consumers/${slowRuleId}#query-checkoutslow`);
  });

  it("names them on the timeline's release move", async () => {
    renderAt("/metrics/http.server.request.duration", fakeCatalog({ breaks: true }).transport);
    const timeline = await screen.findByRole("list", { name: "Timeline" }, { timeout: 5000 });
    const moved = within(timeline)
      .getAllByTestId("timeline-event")
      .find((e) => e.getAttribute("data-kind") === "producer-moved")!;
    expect(within(moved).getAllByTestId("consumer-break").map((b) => b.textContent)).toEqual([
      "breaks dashboard Checkout, panel Latency, query A: groups by http_route, which the change removes",
      "breaks alert rule CheckoutSlow: groups by http_route, which the change removes",
    ]);
  });

  it("names nothing where a change breaks nothing", async () => {
    renderAt(`/schemas/${schemaA.schemaId}`, fakeCatalog().transport);
    const proposal = await screen.findByTestId("proposal", {}, { timeout: 5000 });
    expect(within(proposal).queryByTestId("consumer-breaks")).not.toBeInTheDocument();
  });
});
