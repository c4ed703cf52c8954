import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import { Signal } from "@/gen/tallycat/v1/schema_pb";
import { fakeCatalog } from "@/test/fake-catalog";
import { logSchema, spanSchema } from "@/test/fake-signals";
import { renderAt } from "@/test/render";

const spanPage = `/metrics/${encodeURIComponent(spanSchema.schemaKey)}?signal=span`;

describe("a span's or a log event's page", () => {
  it("names the key by its signal in every call that names it", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt(spanPage, transport);
    const card = await screen.findByTestId("schema-card");
    expect(within(card).getByTestId("span-kind")).toHaveTextContent("server");
    expect(within(card).getByTestId("error-share")).toHaveTextContent("7 %");
    expect(within(card).queryByText(/unit/)).not.toBeInTheDocument();
    await screen.findByText("Nothing has happened to this span yet.");
    await waitFor(() =>
      expect(new Set(calls.keyRequests.map((r) => r.method))).toEqual(new Set(["listSchemas", "listSchemaEvents", "listProposals", "listFindings"])),
    );
    for (const r of calls.keyRequests) expect(r).toEqual({ method: r.method, schemaKey: spanSchema.schemaKey, signal: Signal.SPAN });
    expect(within(screen.getByRole("main")).getByRole("link", { name: "Spans" })).toHaveAttribute("href", "/?signal=span");
    const findings = new URL(within(screen.getByTestId("findings-card")).getByTestId("findings-link").getAttribute("href")!, "http://x");
    expect(findings.pathname).toBe("/conformance");
    expect(Object.fromEntries(findings.searchParams)).toEqual({ metric: spanSchema.schemaKey, signal: "span" });
  });

  it("asks for a metric where the URL names no signal", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt("/metrics/http.server.request.duration", transport);
    await screen.findAllByTestId("schema-card");
    await waitFor(() => expect(calls.keyRequests.length).toBeGreaterThanOrEqual(4));
    expect(calls.keyRequests.every((r) => r.signal === Signal.METRIC)).toBe(true);
  });

  it("lists a log event's schemas under the log signal", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt(`/metrics/${logSchema.schemaKey}?signal=log`, transport);
    const card = await screen.findByTestId("schema-card");
    expect(card).toHaveTextContent("Log records120");
    expect(calls.keyRequests.find((r) => r.method === "listSchemas")?.signal).toBe(Signal.LOG);
  });
});
