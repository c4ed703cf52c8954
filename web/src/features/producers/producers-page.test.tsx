import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { fakeCatalog } from "@/test/fake-catalog";
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
});
