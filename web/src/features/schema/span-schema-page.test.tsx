import { describe, expect, it } from "vitest";
import { screen, within } from "@testing-library/react";
import { fakeCatalog } from "@/test/fake-catalog";
import { byScopeSpanSchema, spanSchema } from "@/test/fake-signals";
import { renderAt } from "@/test/render";

const rowOf = (region: HTMLElement, name: string) =>
  within(region)
    .getAllByTestId("field-row")
    .find((r) => r.querySelector("code")?.textContent === name)!;

describe("span schema page", () => {
  it("shows the span's kind and the share of its spans with status error", async () => {
    renderAt(`/schemas/${spanSchema.schemaId}`, fakeCatalog().transport);
    // Named by the release that sends it; its id in full beside, to copy.
    expect(await screen.findByRole("heading", { name: "Span schema checkout 1.4.2" })).toBeInTheDocument();
    expect(screen.getAllByTestId("schema-id")[0]).toHaveTextContent(spanSchema.schemaId);
    const metadata = screen.getByLabelText("Metadata");
    expect(metadata).toHaveTextContent("Span nameGET /users/{id}");
    expect(within(metadata).getByTestId("span-kind")).toHaveTextContent("server");
    expect(within(metadata).getByTestId("error-share")).toHaveTextContent("7 % (14 of 200 spans)");
    expect(metadata).toHaveTextContent("Spans200");
    // A metric's properties mean nothing for a span.
    expect(metadata).not.toHaveTextContent(/Unit|Temporality|Monotonic/);
    expect(screen.getByTestId("schema-cost")).not.toHaveTextContent("Series");
    expect(screen.getByTestId("schema-cost")).toHaveTextContent("Spans in the last hour");
    expect(screen.queryByTestId("release-series")).not.toBeInTheDocument();
    // The way back is to the span's page, under the span signal.
    expect(screen.getByRole("link", { name: spanSchema.schemaKey })).toHaveAttribute(
      "href",
      `/metrics/${encodeURIComponent(spanSchema.schemaKey)}?signal=span`,
    );
  });

  it("lists the span's own and link attributes, and each event with its presence and its attributes under it", async () => {
    renderAt(`/schemas/${spanSchema.schemaId}`, fakeCatalog().transport);
    const own = await screen.findByRole("region", { name: "span fields" });
    expect(rowOf(own, "error.type")).toHaveTextContent("sometimes · 7 %");
    expect(within(rowOf(own, "http.response.status_code")).getAllByTestId("example-value").map((v) => v.textContent)).toEqual(["20093 %", "5007 %"]);

    const events = screen.getByRole("region", { name: "events" });
    expect(within(events).getAllByTestId("span-event").map((e) => e.getAttribute("aria-label"))).toEqual(["event cache.miss", "event exception"]);
    const exception = within(events).getByRole("region", { name: "event exception" });
    expect(within(exception).getAllByTestId("field-presence")[0]).toHaveTextContent("sometimes · 7 %");
    expect(within(exception).getAllByTestId("field-presence")[0]).toHaveAttribute("title", "On 7 % of the schema's spans");
    expect(within(exception).getAllByTestId("field-row").map((r) => r.querySelector("code")?.textContent)).toEqual(["exception.message", "exception.type"]);
    expect(rowOf(exception, "exception.message")).toHaveTextContent("sometimes · 5 %");
    const miss = within(events).getByRole("region", { name: "event cache.miss" });
    expect(miss).toHaveTextContent("sometimes · 30 %");
    expect(miss).toHaveTextContent("no attributes");
    expect(within(miss).queryByTestId("field-row")).not.toBeInTheDocument();

    const links = screen.getByRole("region", { name: "link fields" });
    expect(rowOf(links, "messaging.message.id")).toHaveTextContent("sometimes · 2 %");
    // The event fields are not listed again among the span's own.
    expect(within(own).queryByText("exception.type")).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "data point fields" })).not.toBeInTheDocument();
  });

  it("shows the span's own fields' distinct values, examples and high cardinality, and says its events' and links' are not counted", async () => {
    renderAt(`/schemas/${spanSchema.schemaId}`, fakeCatalog().transport);
    const own = await screen.findByRole("region", { name: "span fields" });
    const user = rowOf(own, "user.id");
    expect(user).toHaveAttribute("data-high-cardinality", "true");
    expect(within(user).getByTestId("high-cardinality")).toBeInTheDocument();
    expect(within(user).getByTestId("distinct-values")).toHaveTextContent("4.2k");
    expect(within(user).getByTestId("example-values-note")).toHaveTextContent("values not kept (privacy)");
    expect(within(rowOf(own, "http.response.status_code")).getByTestId("distinct-values")).toHaveTextContent("2");
    expect(within(rowOf(own, "http.response.status_code")).getAllByTestId("example-value")[0]).toHaveAttribute("title", "200: 186 spans");

    const exception = screen.getByRole("region", { name: "event exception" });
    for (const name of ["exception.message", "exception.type"]) {
      expect(within(rowOf(exception, name)).getByTestId("not-counted")).toHaveAttribute(
        "title",
        "A span carries any number of events and links, so their attributes' values are not counted per span",
      );
    }
    expect(within(exception).queryByRole("columnheader", { name: "Values" })).not.toBeInTheDocument();
    const links = screen.getByRole("region", { name: "link fields" });
    expect(within(rowOf(links, "messaging.message.id")).getByTestId("not-counted")).toHaveTextContent("not counted");
  });

  it("shows the span rate and, under a span price, its monthly estimate", async () => {
    renderAt(`/schemas/${spanSchema.schemaId}`, fakeCatalog().transport);
    const cost = await screen.findByTestId("schema-cost");
    expect(cost).toHaveTextContent("Rate3.3/min");
    expect(cost).toHaveTextContent("Spans in the last hour200");
    expect(cost).toHaveTextContent("Monthly estimate0.29");
    expect(within(cost).getByText("0.29").parentElement).toHaveAttribute("title", expect.stringContaining("--price-per-million-spans"));
    expect(cost).not.toHaveTextContent("Bytes");
  });

  it("says what a schema grouped by scope holds, with some of the names", async () => {
    renderAt(`/schemas/${byScopeSpanSchema.schemaId}`, fakeCatalog().transport);
    const note = await screen.findByTestId("by-scope-note");
    expect(note).toHaveTextContent(`Span names past the limit, counted under the scope ${byScopeSpanSchema.schemaKey}.`);
    const names = within(note).getByRole("list", { name: "Span names counted under the scope" });
    expect(within(names).getAllByRole("listitem").map((li) => li.textContent)).toEqual(["GET /orders/1001", "GET /orders/1002"]);
    expect(screen.getByLabelText("Metadata")).toHaveTextContent(`Scope${byScopeSpanSchema.schemaKey}`);
  });

  it("says nothing of scopes for a span of its own name", async () => {
    renderAt(`/schemas/${spanSchema.schemaId}`, fakeCatalog().transport);
    await screen.findByRole("region", { name: "span fields" });
    expect(screen.queryByTestId("by-scope-note")).not.toBeInTheDocument();
  });
});
