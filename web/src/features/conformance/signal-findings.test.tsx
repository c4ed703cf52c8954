import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Signal } from "@/gen/tallycat/v1/schema_pb";
import { fakeCatalog } from "@/test/fake-catalog";
import { byScopeSpanSchema } from "@/test/fake-signals";
import { renderAt } from "@/test/render";

describe("findings on spans", () => {
  it("keeps a span's findings when its page sends there, shows what the finding saw, and links back under the span signal", async () => {
    const { transport, calls } = fakeCatalog({ spanFinding: true });
    const { history } = renderAt(`/conformance?metric=${encodeURIComponent(byScopeSpanSchema.schemaKey)}&signal=span`, transport);
    const row = await screen.findByTestId("finding");
    expect(calls.listFindings.at(-1)).toMatchObject({ schemaKey: byScopeSpanSchema.schemaKey, signals: [Signal.SPAN] });
    expect(screen.getByTestId("signal-filter")).toHaveTextContent("spans only");
    expect(within(row).getByTestId("finding-examples")).toHaveTextContent("such as GET /orders/1001, GET /orders/1002");
    const link = new URL(within(row).getByTestId("finding-metric").getAttribute("href")!, "http://x");
    expect(Object.fromEntries(link.searchParams)).toEqual({ signal: "span" });

    await userEvent.click(screen.getByRole("button", { name: "Every signal" }));
    await waitFor(() => expect(history.location.search).not.toContain("signal"));
    expect(calls.listFindings.at(-1)?.signals).toEqual([]);
  });
});
