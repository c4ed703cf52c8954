import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { fakeCatalog } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";

describe("metric page", () => {
  it("shows the schemas side by side and their diff", async () => {
    renderAt("/metrics/http.server.request.duration", fakeCatalog().transport);
    const cards = await screen.findAllByTestId("schema-card", {}, { timeout: 5000 });
    expect(cards).toHaveLength(2);
    expect(within(cards[0]!).getByText("aaaaaaaa")).toBeInTheDocument();
    const diff = await screen.findByTestId("schema-diff");
    expect(await within(diff).findByText("changed")).toBeInTheDocument();
    expect(within(diff).getByText("− removed")).toBeInTheDocument();
    expect(within(diff).getAllByText("http.response.status_code")).toHaveLength(2);
  });
});
