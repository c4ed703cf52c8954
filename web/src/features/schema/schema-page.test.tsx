import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { VersionStatus, Window } from "@/gen/tallycat/v1/schema_pb";
import { fakeCatalog, schemaA, schemaD } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";

const rowOf = (region: HTMLElement, name: string, type: string) =>
  within(region)
    .getAllByTestId("field-row")
    .find((r) => r.textContent?.startsWith(name + type))!;

describe("schema page", () => {
  it("groups fields by source, with their presence and type conflicts", async () => {
    renderAt(`/schemas/${schemaA.schemaId}`, fakeCatalog().transport);
    const points = await screen.findByRole("region", { name: "data point fields" });
    const resource = screen.getByRole("region", { name: "resource fields" });
    expect(rowOf(points, "http.request.method", "string")).toHaveTextContent("sometimes · 12 %");
    expect(rowOf(points, "http.response.status_code", "int")).toHaveTextContent("always");
    expect(rowOf(resource, "service.name", "string")).toHaveTextContent("always");
    expect(rowOf(resource, "host.arch", "string")).toHaveTextContent("sometimes · <1 %");
    // http.route arrives as a string and as an int: both are listed, both flagged.
    for (const type of ["string", "int"]) {
      expect(within(rowOf(points, "http.route", type)).getByText("type conflict")).toBeInTheDocument();
    }
    expect(within(rowOf(points, "http.request.method", "string")).queryByText("type conflict")).not.toBeInTheDocument();
    expect(screen.queryByTestId("superseded-banner")).not.toBeInTheDocument();
  });

  it("shows distinct values, an enum-like field's values with their shares, and makes high cardinality stand out", async () => {
    renderAt(`/schemas/${schemaA.schemaId}`, fakeCatalog().transport);
    const points = await screen.findByRole("region", { name: "data point fields" });

    const method = rowOf(points, "http.request.method", "string");
    expect(within(method).getByTestId("distinct-values")).toHaveTextContent("2");
    const values = within(method).getByRole("list", { name: "Values of http.request.method" });
    expect(within(values).getAllByTestId("example-value").map((v) => v.textContent)).toEqual(["GET67 %", "POST33 %"]);
    expect(within(method).queryByTestId("high-cardinality")).not.toBeInTheDocument();

    // Thousands of routes: counted, flagged, not listed.
    const route = rowOf(points, "http.route", "string");
    expect(within(route).getByTestId("distinct-values")).toHaveTextContent("5.0k");
    expect(within(route).getByTestId("high-cardinality")).toHaveTextContent("high cardinality");
    expect(route).toHaveTextContent("too many distinct values to list");
    expect(within(route).queryByTestId("example-value")).not.toBeInTheDocument();

    // enduser.id is on the deny list: its values are never shown, only counted.
    const user = rowOf(points, "enduser.id", "string");
    expect(user).toHaveTextContent("values not kept (privacy)");
    expect(within(user).getByTestId("high-cardinality")).toBeInTheDocument();
    expect(within(user).getByTestId("distinct-values")).toHaveTextContent("1.2k");
    expect(within(user).queryByTestId("example-value")).not.toBeInTheDocument();

    // Seven int routes: the five most frequent, then the rest on demand.
    const intRoute = rowOf(points, "http.route", "int");
    expect(within(intRoute).getAllByTestId("example-value")).toHaveLength(5);
    await userEvent.click(within(intRoute).getByRole("button", { name: "2 more" }));
    expect(within(intRoute).getAllByTestId("example-value")).toHaveLength(7);

    // Resource fields are counted, not listed.
    const resource = screen.getByRole("region", { name: "resource fields" });
    expect(within(rowOf(resource, "host.arch", "string")).getByTestId("distinct-values")).toHaveTextContent("2");
    expect(within(resource).queryByTestId("example-value")).not.toBeInTheDocument();
    expect(within(resource).queryByRole("columnheader", { name: "Values" })).not.toBeInTheDocument();
  });

  it("shows the schema's and its releases' series and rate over the window chosen, kept in the URL", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt(`/schemas/${schemaA.schemaId}`, transport);
    const cost = await screen.findByTestId("schema-cost");
    expect(cost).toHaveTextContent("Series5.0k");
    expect(cost).toHaveTextContent("Rate12/min");
    const [current, moved] = screen.getAllByTestId("release-row");
    expect(within(current!).getByTestId("release-series")).toHaveTextContent("4.8k");
    expect(within(current!).getByTestId("release-rate")).toHaveTextContent("11/min");
    expect(within(moved!).getByTestId("release-series")).toHaveTextContent("212");

    await userEvent.click(screen.getByRole("button", { name: "Last 24 hours" }));
    await waitFor(() => expect(screen.getByTestId("schema-cost")).toHaveTextContent("Series8.4k"));
    expect(screen.getByTestId("schema-cost")).toHaveTextContent("Rate11/min");
    expect(history.location.search).toContain("window=2");
    expect(calls.getSchema).toContain(Window.LAST_DAY);
    expect(screen.getByRole("button", { name: "Last 24 hours" })).toHaveAttribute("aria-pressed", "true");
  });

  it("reads the window from the URL", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt(`/schemas/${schemaA.schemaId}?window=2`, transport);
    expect(await screen.findByTestId("schema-cost")).toHaveTextContent("Series8.4k");
    // The page's own schema is read over the window; the later reads, over the
    // default one, are of its siblings, to name them.
    expect(calls.getSchema[0]).toBe(Window.LAST_DAY);
    expect(calls.getSchema).not.toContain(Window.LAST_HOUR);
  });

  it("shows the variants with their share of data points", async () => {
    renderAt(`/schemas/${schemaA.schemaId}`, fakeCatalog().transport);
    const rows = await screen.findAllByTestId("variant-row");
    expect(rows).toHaveLength(3);
    expect(within(rows[0]!).getAllByTestId("attribute-chip").map((c) => c.textContent)).toEqual([
      "http.response.status_code:int",
      "http.route:string",
    ]);
    expect(rows[0]).toHaveTextContent("33");
    expect(rows[0]).toHaveTextContent("79 %");
    expect(rows[1]).toHaveTextContent("http.request.method:string");
    expect(rows[1]).toHaveTextContent("12 %");
  });

  it("lists the releases, and says when the producers are only the most recent instances", async () => {
    renderAt(`/schemas/${schemaA.schemaId}`, fakeCatalog().transport);
    const releases = await screen.findAllByTestId("release-row");
    expect(releases.map((r) => within(r).getAllByRole("cell").slice(0, 4).map((c) => c.textContent))).toEqual([
      ["checkout", "shop", "1.4.2", "247"],
      ["checkout", "shop", "1.4.1", "3"],
    ]);
    expect(within(releases[0]!).getByText("current")).toBeInTheDocument();
    expect(screen.getAllByTestId("producer-row")).toHaveLength(2);
    expect(screen.getByTestId("producers-partial")).toHaveTextContent("Showing the 2 most recently seen instances of 250");
  });

  it("says a superseded schema was superseded, names and links its successor and keeps its versions", async () => {
    renderAt(`/schemas/${schemaD.schemaId}`, fakeCatalog().transport);
    const banner = await screen.findByTestId("superseded-banner");
    await waitFor(() =>
      expect(banner).toHaveTextContent("Superseded: every release that produced this schema moved to checkout 1.4.2, 1.4.1 aaaaaaaa"),
    );
    expect(within(banner).getByRole("link", { name: "checkout 1.4.2, 1.4.1" })).toHaveAttribute("href", `/schemas/${schemaA.schemaId}`);
    expect(within(screen.getByRole("list", { name: "Version history" })).getByText("0.9.0")).toBeInTheDocument();
    const [release] = screen.getAllByTestId("release-row");
    expect(within(release!).getByTestId("moved-to")).toHaveTextContent("moved to checkout 1.4.2, 1.4.1 aaaaaaaa");
    const [producer] = screen.getAllByTestId("producer-row");
    expect(within(producer!).getByRole("link", { name: "checkout 1.4.2, 1.4.1" })).toHaveAttribute("href", `/schemas/${schemaA.schemaId}`);
    expect(screen.queryByTestId("producers-partial")).not.toBeInTheDocument();
    // The way back to the metric shows superseded schemas, this one among them.
    expect(screen.getByRole("link", { name: schemaD.schemaKey })).toHaveAttribute(
      "href",
      `/metrics/${schemaD.schemaKey}?superseded=true`,
    );
  });

  it("names the schema by the releases that send it, in its title and breadcrumbs, with its id to copy", async () => {
    renderAt(`/schemas/${schemaA.schemaId}`, fakeCatalog().transport);
    expect(await screen.findByRole("heading", { level: 1, name: "Schema checkout 1.4.2, 1.4.1" })).toBeInTheDocument();
    const crumbs = screen.getByRole("navigation", { name: "Breadcrumb" });
    expect(within(crumbs).getByRole("link", { name: "Metrics" })).toHaveAttribute("href", "/");
    expect(within(crumbs).getByRole("link", { name: schemaA.schemaKey })).toHaveAttribute("href", `/metrics/${schemaA.schemaKey}`);
    expect(crumbs).toHaveTextContent(`Metrics${schemaA.schemaKey}checkout 1.4.2, 1.4.1`);
    expect(screen.getAllByTestId("schema-id")[0]).toHaveTextContent(schemaA.schemaId);
    expect(screen.getByRole("button", { name: "Copy schema id" })).toHaveAttribute("title", `Copy ${schemaA.schemaId}`);
  });

  it("deprecates a schema without a version, asking for one on the spot and saying why", async () => {
    const { transport: fake } = fakeCatalog();
    const sent: { version: string; status: VersionStatus; reason: string }[] = [];
    // The fake records versions only: the status sent is read on the way.
    const transport: typeof fake = {
      ...fake,
      unary: (method, ...rest) => {
        if (method.name === "AssignVersion") sent.push(rest[3] as (typeof sent)[number]);
        return fake.unary(method, ...rest);
      },
    };
    renderAt(`/schemas/${schemaA.schemaId}`, transport);
    await userEvent.click(await screen.findByRole("button", { name: "Deprecate" }));
    const dialog = screen.getByRole("dialog");
    expect(within(dialog).getByTestId("deprecate-needs-version")).toHaveTextContent(
      "Give this schema a version first: deprecation is a status of a version.",
    );
    await userEvent.click(within(dialog).getByRole("button", { name: "Deprecate" }));
    expect(within(dialog).getByText("Enter a version such as 1.0.0")).toBeInTheDocument();
    expect(within(dialog).getByText("Say why it is deprecated.")).toBeInTheDocument();
    expect(sent).toEqual([]);

    await userEvent.type(within(dialog).getByLabelText("Version"), "2.0.0");
    await userEvent.type(within(dialog).getByLabelText("Reason"), "seconds, as the conventions ask");
    await userEvent.click(within(dialog).getByRole("button", { name: "Deprecate" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(sent).toMatchObject([{ version: "2.0.0", status: VersionStatus.DEPRECATED, reason: "seconds, as the conventions ask" }]);
  });

  it("checks SemVer as you type and shows the server's refusal inline", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt(`/schemas/${schemaA.schemaId}`, transport);
    await userEvent.click(await screen.findByRole("button", { name: /assign version/i }));
    const input = screen.getByLabelText("Version");
    await userEvent.type(input, "1.0");
    expect(screen.getByText(/three numbers/)).toBeInTheDocument();
    expect(input).toHaveAttribute("aria-invalid", "true");
    await userEvent.click(screen.getByRole("button", { name: "Assign" }));
    expect(calls.assignVersion).toEqual([]); // Not sent: the UI already knows.

    await userEvent.clear(input);
    await userEvent.type(input, "1.0.0");
    await userEvent.click(screen.getByRole("button", { name: "Assign" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(`already held by schema ${"b".repeat(32)}`);

    await userEvent.clear(input);
    await userEvent.type(input, "2.0.0-rc.1");
    await userEvent.click(screen.getByRole("button", { name: "Assign" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(calls.assignVersion).toEqual(["1.0.0", "2.0.0-rc.1"]);
  });

  it("lists the schema's findings with their levels, expected beside seen, and the way to the Conformance page", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt(`/schemas/${schemaA.schemaId}`, transport);
    const card = await screen.findByTestId("findings-card");
    await waitFor(() => expect(within(card).getAllByTestId("finding")).toHaveLength(3));
    expect(calls.listFindings[0]).toMatchObject({ schemaId: schemaA.schemaId, schemaKey: "" });
    // Information is folded behind its count.
    await userEvent.click(within(card).getByRole("button", { name: "Show 1 information finding" }));
    const rows = within(card).getAllByTestId("finding");
    expect(rows.map((r) => [r.dataset.finding, within(r).getByTestId("level-badge").textContent])).toEqual([
      ["type_conflict", "violation"],
      ["required_attribute_not_present", "violation"],
      ["recommended_attribute_not_present", "improvement"],
      ["undefined_enum_variant", "information"],
    ]);
    expect(within(rows[0]!).getByTestId("finding-expectation")).toHaveTextContent("type: expected string, got string and int");
    expect(rows[0]).toHaveTextContent("http.route");
    // An attribute not sent says no more than its title: the message says where.
    expect(within(rows[1]!).queryByTestId("finding-expectation")).not.toBeInTheDocument();
    expect(rows[1]).toHaveTextContent("url.scheme is required on http.server.request.duration and was not seen");
    // Without expected and actual, the message says it.
    expect(rows[2]).toHaveTextContent("network.protocol.version is recommended on http.server.request.duration and was not seen");
    expect(within(rows[3]!).getByTestId("finding-expectation")).toHaveTextContent("value: got FOO");
    // On the schema's own page, no link back to it.
    expect(within(card).queryByRole("link", { name: "aaaaaaaa" })).not.toBeInTheDocument();
    expect(within(card).getByTestId("findings-link")).toHaveAttribute("href", `/conformance?schema=${schemaA.schemaId}`);
  });

  it("says a schema without findings conforms", async () => {
    renderAt(`/schemas/${schemaD.schemaId}`, fakeCatalog().transport);
    const card = await screen.findByTestId("findings-card");
    expect(await within(card).findByTestId("no-findings")).toHaveTextContent("No findings: this schema conforms to the registries.");
  });

  it("shows not found for an unknown schema", async () => {
    renderAt(`/schemas/${"c".repeat(32)}`, fakeCatalog().transport);
    expect(await screen.findByRole("alert", {}, { timeout: 5000 })).toHaveTextContent("not found");
  });
});
