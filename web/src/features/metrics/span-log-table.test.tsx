import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { SchemaKeySort } from "@/gen/tallycat/v1/catalog_service_pb";
import { fakeCatalog } from "@/test/fake-catalog";
import { byScopeSpanSchema, loggerKey, spanSchema } from "@/test/fake-signals";
import { renderAt } from "@/test/render";
import { formatErrorShare } from "./signal-cells";

const rowOf = (rows: HTMLElement[], name: string) => rows.find((r) => within(r).queryByRole("link", { name }))!;

describe("the Spans and Logs lists", () => {
  it("shows each span's share of errors and sorts by it on the server, most first", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/?signal=span", transport);
    const rows = await screen.findAllByTestId("span-row");
    // 14 of checkout's 200 spans of the route failed; none of the names past the limit.
    const route = within(rowOf(rows, spanSchema.schemaKey)).getByTestId("key-error-share");
    expect(route).toHaveTextContent("7 %");
    expect(route).toHaveAttribute("title", "14 of 200 spans had status error, since each release began sending them");
    expect(within(rowOf(rows, byScopeSpanSchema.schemaKey)).getByTestId("key-error-share")).toHaveTextContent("0 %");

    await userEvent.click(screen.getByRole("button", { name: /Errors/ }));
    await waitFor(() => expect(history.location.search).toContain(`sort=${SchemaKeySort.ERROR_SHARE}`));
    expect(history.location.search).toContain("desc=true");
    await waitFor(() => expect(calls.schemaKeyRequests.at(-1)).toMatchObject({ sort: SchemaKeySort.ERROR_SHARE, descending: true }));
    await waitFor(() => expect(screen.getAllByTestId("span-row")[0]).toHaveTextContent(spanSchema.schemaKey));
    expect(screen.getByRole("columnheader", { name: /Errors/ })).toHaveAttribute("aria-sort", "descending");
    // The second click puts the fewest errors first.
    await userEvent.click(screen.getByRole("button", { name: /Errors/ }));
    await waitFor(() => expect(calls.schemaKeyRequests.at(-1)).toMatchObject({ sort: SchemaKeySort.ERROR_SHARE, descending: false }));
    await waitFor(() => expect(screen.getAllByTestId("span-row")[0]).toHaveTextContent(byScopeSpanSchema.schemaKey));
  });

  it("marks the span names past the limit, linked to the finding that names them", async () => {
    renderAt("/?signal=span", fakeCatalog().transport);
    const rows = await screen.findAllByTestId("span-row");
    const mark = within(rowOf(rows, byScopeSpanSchema.schemaKey)).getByTestId("name-limit-mark");
    expect(mark).toHaveTextContent("names past the limit");
    const href = new URL(mark.getAttribute("href")!, "http://x");
    expect(href.pathname).toBe("/conformance");
    expect(Object.fromEntries(href.searchParams)).toEqual({ finding: "span_name_limit", metric: byScopeSpanSchema.schemaKey, signal: "span" });
    expect(within(rowOf(rows, spanSchema.schemaKey)).queryByTestId("name-limit-mark")).not.toBeInTheDocument();
  });

  it("tells a logger's records without an event name from an event's", async () => {
    renderAt("/?signal=log", fakeCatalog({ logger: true }).transport);
    const rows = await screen.findAllByTestId("log-row");
    expect(rows).toHaveLength(2);
    expect(within(rowOf(rows, loggerKey.schemaKey)).getByTestId("logger-mark")).toHaveTextContent("logger");
    expect(within(rowOf(rows, "app.login")).queryByTestId("logger-mark")).not.toBeInTheDocument();
    // Logs have no status: no errors column.
    expect(screen.queryByRole("columnheader", { name: /Errors/ })).not.toBeInTheDocument();
    expect(screen.queryByTestId("key-error-share")).not.toBeInTheDocument();
  });
});

describe("formatErrorShare", () => {
  it.each([
    [0n, 0n, "—"],
    [0n, 10n, "0 %"],
    [23n, 1000n, "2.3 %"],
    [5n, 20n, "25 %"],
    [1n, 3n, "33.3 %"],
    [1n, 100_000n, "<0.1 %"],
    [99_999n, 100_000n, ">99.9 %"],
    [10n, 10n, "100 %"],
  ])("%d errors of %d spans is %s", (errors, spans, want) => {
    expect(formatErrorShare(errors, spans)).toBe(want);
  });
});
