import { describe, expect, it } from "vitest";
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Signal } from "@/gen/tallycat/v1/schema_pb";
import { fakeCatalog } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";

/** openPalette presses Ctrl-K on a page and returns the palette's input. */
async function openPalette() {
  await screen.findByRole("navigation", { name: "Main" });
  fireEvent.keyDown(document.body, { key: "k", ctrlKey: true });
  const palette = await screen.findByRole("dialog");
  return within(palette).getByRole("combobox");
}

describe("the command palette", () => {
  it("jumps to a metric found by the catalog, from any page", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/producers", transport);
    await userEvent.type(await openPalette(), "queue");
    const option = await screen.findByRole("option", { name: /queue\.depth/ });
    // One search, of the three signals, for the whole word.
    // TallyCat's own names stay out, as on the lists, until the switch shows them.
    await waitFor(() =>
      expect(calls.schemaKeyRequests.at(-1)).toMatchObject({ query: "queue", signals: [Signal.METRIC, Signal.SPAN, Signal.LOG], excludeSelfTelemetry: true }),
    );
    expect(calls.listSchemaKeys.filter((q) => !["", "queue"].includes(q))).toEqual([]);
    expect(option).toHaveAttribute("aria-selected", "true");
    await userEvent.keyboard("{Enter}");
    await waitFor(() => expect(history.location.pathname).toBe("/metrics/queue.depth"));
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("chooses the first name of each new answer, so Enter goes there however fast it was typed", async () => {
    const { history } = renderAt("/producers", fakeCatalog().transport);
    const input = await openPalette();
    await screen.findByRole("group", { name: "Recently seen metrics" });
    input.focus();
    await userEvent.paste("queue");
    await screen.findByRole("group", { name: "Metrics" });
    await userEvent.keyboard("{Enter}");
    await waitFor(() => expect(history.location.pathname).toBe("/metrics/queue.depth"));
  });

  it("jumps to a span or a log event with its signal", async () => {
    const { history } = renderAt("/", fakeCatalog().transport);
    await userEvent.type(await openPalette(), "users");
    const spans = await screen.findByRole("group", { name: "Spans" });
    const span = within(spans).getByRole("option", { name: /GET \/users\/\{id\}/ });
    await userEvent.click(span);
    await waitFor(() => expect(history.location.pathname).toBe("/metrics/GET%20%2Fusers%2F%7Bid%7D"));
    expect(history.location.search).toBe("?signal=span");

    await userEvent.type(await openPalette(), "app.login");
    await userEvent.click(await screen.findByRole("option", { name: /app\.login/ }));
    await waitFor(() => expect(history.location.pathname).toBe("/metrics/app.login"));
    expect(history.location.search).toBe("?signal=log");
  });

  it("goes to a page by its name", async () => {
    const { history } = renderAt("/", fakeCatalog().transport);
    await userEvent.type(await openPalette(), "confor");
    await userEvent.click(await screen.findByRole("option", { name: "Conformance" }));
    await waitFor(() => expect(history.location.pathname).toBe("/conformance"));
  });

  it("lists what was seen last before anything is typed, and says when nothing matches", async () => {
    const { transport } = fakeCatalog();
    renderAt("/", transport);
    const input = await openPalette();
    expect(await screen.findByRole("group", { name: "Recently seen metrics" })).toBeInTheDocument();
    expect(screen.getByRole("option", { name: "Producers" })).toBeInTheDocument();
    await userEvent.type(input, "zzz-nothing");
    expect(await screen.findByText("Nothing is named “zzz-nothing”.")).toBeInTheDocument();
  });
});
