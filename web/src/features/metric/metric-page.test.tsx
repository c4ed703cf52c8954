import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { fakeCatalog, schemaA, schemaB, schemaD } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";

const METRIC = "/metrics/http.server.request.duration";

describe("metric page", () => {
  it("shows the schemas side by side, each named by the releases that send it, and their differences", async () => {
    renderAt(METRIC, fakeCatalog().transport);
    const cards = await screen.findAllByTestId("schema-card", {}, { timeout: 5000 });
    expect(cards).toHaveLength(2);
    await waitFor(() => expect(within(cards[0]!).getByTestId("schema-name")).toHaveTextContent("checkout 1.4.2, 1.4.1"));
    expect(within(cards[0]!).getByTestId("schema-name")).toHaveAttribute("href", `/schemas/${schemaA.schemaId}`);
    expect(within(cards[0]!).getByTestId("schema-id")).toHaveTextContent("aaaaaaaa");
    expect(within(cards[0]!).getByTestId("schema-id")).toHaveAttribute("title", schemaA.schemaId);
    expect(within(cards[0]!).getByRole("button", { name: "Copy schema id" })).toBeInTheDocument();
    await waitFor(() => expect(within(cards[1]!).getByTestId("schema-name")).toHaveTextContent(/^payments 2\.0\.0$/));

    // Two producers' schemas differ side by side: nothing was added or removed.
    const diff = await screen.findByTestId("schema-diff");
    expect(diff).toHaveAttribute("data-framing", "side-by-side");
    const differs = await within(diff).findByText("differs");
    expect(differs.closest("li")).toHaveTextContent("in checkout 1.4.2, 1.4.1");
    expect(differs.closest("li")).toHaveTextContent("in payments 2.0.0");
    expect(within(diff).getByText("only in checkout 1.4.2, 1.4.1")).toBeInTheDocument();
    expect(within(diff).getAllByText("http.response.status_code")).toHaveLength(2);
    expect(within(diff).queryByText(/added|removed|changed/)).not.toBeInTheDocument();
    expect(screen.getByRole("combobox", { name: "Base schema" })).toHaveTextContent("checkout 1.4.2, 1.4.1 aaaaaaaa");
    expect(screen.getByRole("combobox", { name: "Target schema" })).toHaveTextContent("payments 2.0.0 bbbbbbbb");
  });

  it("names the listed schemas by the releases listed with them, reading only a past schema the list left out", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt(METRIC, transport);
    const cards = await screen.findAllByTestId("schema-card", {}, { timeout: 5000 });
    await waitFor(() => expect(within(cards[0]!).getByTestId("schema-name")).toHaveTextContent("checkout 1.4.2, 1.4.1"));
    expect(within(cards[1]!).getByTestId("schema-name")).toHaveTextContent(/^payments 2\.0\.0$/);
    // The timeline's past schema (superseded, so not listed) is the only one read.
    const timeline = await screen.findByRole("list", { name: "Timeline" });
    await waitFor(() => expect(within(timeline).getByRole("link", { name: "checkout 1.4.1" })).toBeInTheDocument());
    expect(calls.getSchemaIds).toEqual([schemaD.schemaId]);

    // With the switch, the past schema is listed too: nothing more is read.
    await userEvent.click(screen.getByRole("switch", { name: "Show superseded" }));
    expect(await screen.findAllByTestId("schema-card")).toHaveLength(3);
    expect(calls.getSchemaIds).toEqual([schemaD.schemaId]);
  });

  it("reads a schema and the one its release moved to as a change over time", async () => {
    renderAt(`${METRIC}?superseded=true&base=${schemaD.schemaId}&target=${schemaA.schemaId}`, fakeCatalog().transport);
    const diff = await screen.findByTestId("schema-diff", {}, { timeout: 5000 });
    await waitFor(() => expect(diff).toHaveAttribute("data-framing", "over-time"));
    expect(await within(diff).findByText("changed")).toBeInTheDocument();
    expect(within(diff).getByText("− removed")).toBeInTheDocument();
    expect(within(diff).queryByText(/^only in/)).not.toBeInTheDocument();
  });

  it("shows each field's presence and flags type conflicts on the card", async () => {
    renderAt(METRIC, fakeCatalog().transport);
    const [a, b] = await screen.findAllByTestId("schema-card", {}, { timeout: 5000 });
    const fields = within(a!).getByRole("list", { name: "Fields" });
    const method = within(fields).getByText("http.request.method").parentElement!;
    expect(method).toHaveTextContent("sometimes · 12 %");
    expect(within(fields).getByText("http.response.status_code").parentElement).toHaveTextContent("always");
    // One badge on the card, one on each of the two http.route fields.
    expect(within(a!).getAllByTestId("type-conflict")).toHaveLength(3);
    expect(within(b!).queryByTestId("type-conflict")).not.toBeInTheDocument();
  });

  it("lists current schemas, and superseded ones too behind a switch kept in the URL", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt(METRIC, transport);
    expect(await screen.findAllByTestId("schema-card", {}, { timeout: 5000 })).toHaveLength(2);
    expect(screen.getByTestId("schema-count")).toHaveTextContent("2 schemas — producers send this metric in different shapes");
    const toggle = screen.getByRole("switch", { name: "Show superseded" });
    expect(toggle).not.toBeChecked();

    await userEvent.click(toggle);
    await waitFor(() => expect(screen.getAllByTestId("schema-card")).toHaveLength(3));
    expect(history.location.search).toContain("superseded=true");
    expect(calls.listSchemas).toEqual([false, true]);
    const superseded = screen.getAllByTestId("schema-card").filter((c) => c.dataset.superseded === "true");
    expect(superseded).toHaveLength(1);
    expect(within(superseded[0]!).getAllByTestId("schema-id")[0]).toHaveTextContent("dddddddd");
    await waitFor(() => expect(within(superseded[0]!).getByTestId("schema-name")).toHaveTextContent(/^checkout 1\.4\.1$/));
    expect(within(superseded[0]!).getByText("superseded")).toBeInTheDocument();
    await waitFor(() => expect(within(superseded[0]!).getByTestId("moved-to")).toHaveTextContent("moved to checkout 1.4.2, 1.4.1 aaaaaaaa"));
    // Superseded schemas are past shapes, not producers disagreeing.
    expect(screen.getByTestId("schema-count")).toHaveTextContent("2 schemas — producers send this metric in different shapes; 1 superseded");

    await userEvent.click(toggle);
    await waitFor(() => expect(screen.getAllByTestId("schema-card")).toHaveLength(2));
    expect(history.location.search).not.toContain("superseded");
  });

  it("reads the switch from the URL", async () => {
    renderAt(`${METRIC}?superseded=true`, fakeCatalog().transport);
    await waitFor(() => expect(screen.getAllByTestId("schema-card")).toHaveLength(3), { timeout: 5000 });
    expect(screen.getByRole("switch", { name: "Show superseded" })).toBeChecked();
  });

  it("shows a release moving to another schema on the timeline, each schema by its name", async () => {
    renderAt(METRIC, fakeCatalog().transport);
    const timeline = await screen.findByRole("list", { name: "Timeline" }, { timeout: 5000 });
    const moved = within(timeline)
      .getAllByTestId("timeline-event")
      .find((e) => e.dataset.kind === "producer-moved")!;
    expect(moved).toHaveTextContent("release moved");
    await waitFor(() =>
      expect(within(moved).getByTestId("timeline-summary")).toHaveTextContent(
        "checkout 1.4.1 moved from checkout 1.4.1 dddddddd to checkout 1.4.2, 1.4.1 aaaaaaaa: added http.request.method (string)",
      ),
    );
    expect(within(moved).getByRole("link", { name: "checkout 1.4.2, 1.4.1" })).toHaveAttribute("href", `/schemas/${schemaA.schemaId}`);
    expect(within(moved).getByRole("link", { name: "checkout 1.4.1" })).toHaveAttribute("href", `/schemas/${schemaD.schemaId}`);
    const others = within(timeline).getAllByTestId("timeline-event").filter((e) => e !== moved);
    expect(others.map((e) => e.dataset.kind)).toEqual(["schema-first-seen"]);
    expect(within(others[0]!).queryByText("release moved")).not.toBeInTheDocument();
    expect(within(others[0]!).getByTestId("timeline-summary")).toHaveTextContent("New schema checkout 1.4.2, 1.4.1 aaaaaaaa first seen from checkout 1.4.2");
    // Newest first, each time exact in the markup; a week apart, no clock is needed to tell them apart.
    const times = within(timeline).getAllByTestId("timeline-time");
    const at = times.map((t) => Date.parse(t.getAttribute("datetime")!));
    expect(at[0]).toBeGreaterThan(at[1]!);
    expect(times.map((t) => t.textContent)).toEqual(["1 minute ago", "last week"]);
  });

  it("lists the metric's findings over its schemas, with the replacement of a deprecated name", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt(METRIC, transport);
    const card = await screen.findByTestId("findings-card", {}, { timeout: 5000 });
    await waitFor(() => expect(within(card).getAllByTestId("finding")).toHaveLength(5)); // and one of information, folded
    expect(within(card).getByTestId("information-toggle")).toHaveTextContent("Show 1 information finding");
    expect(calls.listFindings[0]).toMatchObject({ schemaKey: schemaA.schemaKey, schemaId: "", pageSize: 10 });
    const rows = within(card).getAllByTestId("finding");
    const unit = rows.find((r) => r.dataset.finding === "unit_mismatch")!;
    expect(within(unit).getByTestId("level-badge")).toHaveTextContent("violation");
    expect(within(unit).getByTestId("finding-expectation")).toHaveTextContent("unit: expected s, got ms");
    expect(within(unit).getByRole("link", { name: "payments 2.0.0" })).toHaveAttribute("href", `/schemas/${schemaB.schemaId}`);
    const deprecated = rows.find((r) => r.dataset.finding === "deprecated")!;
    expect(deprecated).toHaveTextContent("http.method");
    expect(within(deprecated).getByTestId("finding-replacement")).toHaveTextContent("replaced by http.request.method");
    expect(within(card).getByTestId("findings-link")).toHaveAttribute("href", `/conformance?metric=${schemaA.schemaKey}`);
  });
});
