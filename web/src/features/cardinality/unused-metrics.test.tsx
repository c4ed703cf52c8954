import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { fakeCatalog, selfKey } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";

// jsdom has no canvas: the page's chart draws nothing here.
vi.mock("uplot", () => ({
  default: class {
    data: unknown[] = [];
    setData() {}
    setSize() {}
    destroy() {}
  },
}));

afterEach(() => localStorage.clear());

describe("unused metrics on the cardinality page", () => {
  it("ranks the metrics nobody reads by their cost, TallyCat's own left out until the switch shows them", async () => {
    const { transport, calls } = fakeCatalog({ self: true });
    renderAt("/cardinality", transport);
    const card = await screen.findByTestId("unused-metrics");
    const rows = await within(card).findAllByTestId("unused-metric");
    expect(rows.map((r) => within(r).getByRole("link").textContent)).toEqual(["queue.depth"]);
    expect(within(rows[0]!).getByRole("link")).toHaveAttribute("href", "/metrics/queue.depth");
    expect(within(rows[0]!).getByTestId("unused-series")).toHaveTextContent("3");
    expect(within(rows[0]!).getByTestId("unused-rate")).toHaveTextContent("0.5/min");
    expect(within(rows[0]!).getByTestId("unused-monthly")).toHaveTextContent("0.02");
    expect(calls.consumers.listConsumerFindings.at(-1)).toMatchObject({ findingIds: ["unused_metric"], excludeSelfTelemetry: true });

    await userEvent.click(screen.getByRole("switch", { name: "Show TallyCat's own telemetry" }));
    await waitFor(() => expect(within(card).getAllByTestId("unused-metric")).toHaveLength(2));
    const [first] = within(card).getAllByTestId("unused-metric");
    expect(within(first!).getByRole("link")).toHaveTextContent(selfKey);
    expect(within(first!).getByTestId("unused-series")).toHaveTextContent("9.0k");
    expect(within(first!).getByTestId("unused-monthly")).toHaveTextContent("42");
    expect(calls.consumers.listConsumerFindings.at(-1)?.excludeSelfTelemetry).toBe(false);
  });

  it("hides the list, and says why, while no dashboard or rule was ever synced", async () => {
    renderAt("/cardinality", fakeCatalog({ noConsumers: true }).transport);
    const card = await screen.findByTestId("unused-metrics");
    expect(await within(card).findByTestId("unused-unknown")).toHaveTextContent(
      "No dashboard or rule has been synced to the catalog, so nothing is known to be unused.",
    );
    expect(within(card).queryByRole("table")).not.toBeInTheDocument();
  });
});
