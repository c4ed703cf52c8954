import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import { create } from "@bufbuild/protobuf";
import { createMemoryHistory, createRootRoute, createRouter, RouterProvider } from "@tanstack/react-router";
import { CostSchema, MetricType } from "@/gen/tallycat/v1/schema_pb";
import { TopMetricSchema } from "@/gen/tallycat/v1/catalog_service_pb";
import { TopMetrics } from "./top-lists";

function renderMetrics(metrics: ReturnType<typeof create<typeof TopMetricSchema>>[]) {
  const rootRoute = createRootRoute({ component: () => <TopMetrics metrics={metrics} plotted={undefined} onPlot={() => {}} /> });
  const router = createRouter({ routeTree: rootRoute, history: createMemoryHistory() });
  render(<RouterProvider router={router} />);
}

const metric = (key: string, series: bigint, monthly?: number) =>
  create(TopMetricSchema, {
    schemaKey: key,
    metricType: MetricType.SUM,
    cost: create(CostSchema, { seriesEstimate: series, estimatedMonthlyCost: monthly }),
  });

describe("TopMetrics", () => {
  it("ranks by the monthly estimate when the catalog has a price model", async () => {
    renderMetrics([metric("a.many.cheap", 5000n, 2), metric("b.few.dear", 100n, 40.5)]);
    const rows = await screen.findAllByTestId("top-metric");
    expect(screen.getByRole("columnheader", { name: "Per month" })).toBeTruthy();
    expect(rows[0]!.textContent).toContain("b.few.dear");
    expect(within(rows[0]!).getByTestId("monthly").textContent).toBe("41");
    expect(within(rows[1]!).getByTestId("monthly").textContent).toBe("2");
  });

  it("keeps the series order and no cost column without one", async () => {
    renderMetrics([metric("a.many", 5000n), metric("b.few", 100n)]);
    const rows = await screen.findAllByTestId("top-metric");
    expect(rows[0]!.textContent).toContain("a.many");
    expect(screen.queryByText("Per month")).toBeNull();
  });
});
