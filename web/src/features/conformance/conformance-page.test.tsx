import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { strFromU8, unzipSync } from "fflate";
import { FindingLevel } from "@/gen/tallycat/v1/conformance_service_pb";
import { activeRequestsId, fakeCatalog, schemaA, schemaB } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";

const findingRows = () => screen.getAllByTestId("finding");
const rowOf = (id: string, attribute?: string) =>
  findingRows().find((r) => r.dataset.finding === id && (!attribute || within(r).queryByTestId("finding-attribute")?.textContent === attribute))!;

describe("conformance page", () => {
  afterEach(() => vi.restoreAllMocks());

  it("shows the coverage, the findings by level, finding and service, and each finding in full", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt("/conformance", transport);
    const coverage = await screen.findByTestId("coverage");
    expect(within(coverage).getByTestId("coverage-metrics")).toHaveTextContent("Metrics defined50 %2 of 4 metric names");
    expect(within(coverage).getByTestId("coverage-attributes")).toHaveTextContent("78 %7 of 9 metric attributes");
    expect(within(coverage).getByTestId("coverage-dataPoints")).toHaveTextContent("92 %1,100 of 1,200 data points");
    expect(within(coverage).getAllByTestId("level-count").map((c) => c.textContent)).toEqual(["violation6", "improvement1", "information2"]);
    expect(screen.getByTestId("registries")).toHaveTextContent("Judged against semconv v1.44.0 (built in) and /etc/tallycat/registry.");

    const byFinding = screen.getByRole("table", { name: "By finding" });
    // Each finding id by its title, the id small beside it (this fake catalog sends no titles: the id in words stands in).
    const unit = within(byFinding).getAllByTestId("count-row").find((r) => within(r).queryByTestId("finding-id")?.textContent === "unit_mismatch");
    expect(unit).toHaveTextContent("Unit mismatchunit_mismatch100");
    const byService = within(screen.getByRole("table", { name: "By service" })).getAllByTestId("count-row");
    expect(byService.map((r) => r.textContent)).toEqual(["checkout412", "payments200"]);

    // Every finding, most severe first, with its level, metric, schema and
    // producers; the two information findings folded until asked for.
    await waitFor(() => expect(findingRows()).toHaveLength(7));
    expect(screen.getByTestId("findings-total")).toHaveTextContent("9 findings");
    expect(findingRows().map((r) => r.dataset.level)).toEqual([...Array(6).fill("violation"), "improvement"]);
    await userEvent.click(screen.getByRole("button", { name: "Show 2 information findings" }));
    expect(findingRows().map((r) => r.dataset.level)).toEqual([...Array(6).fill("violation"), "improvement", "information", "information"]);
    expect(calls.listFindings[0]).toMatchObject({ minLevel: FindingLevel.UNSPECIFIED, findingIds: [], serviceName: "", schemaKey: "", schemaId: "", pageSize: 50 });

    const mismatch = rowOf("unit_mismatch");
    expect(within(mismatch).getByTestId("level-badge")).toHaveTextContent("violation");
    expect(within(mismatch).getByRole("link", { name: schemaB.schemaKey })).toHaveAttribute("href", `/metrics/${schemaB.schemaKey}`);
    // The schema is named by the release that sends it, its id in the link's title.
    expect(within(mismatch).getByRole("link", { name: "payments 2.0.0" })).toHaveAttribute("href", `/schemas/${schemaB.schemaId}`);
    expect(within(mismatch).getByTestId("finding-id")).toHaveTextContent("unit_mismatch");
    expect(within(mismatch).getByTestId("finding-expectation")).toHaveTextContent("unit: expected s, got ms");
    expect(within(mismatch).getByTestId("finding-message")).toHaveTextContent("sent in ms; the semantic conventions define it in s");
    expect(within(mismatch).getByTestId("finding-producers")).toHaveTextContent("from payments 2.0.0");

    const deprecated = rowOf("deprecated");
    expect(within(deprecated).getByTestId("finding-attribute")).toHaveTextContent("http.method");
    expect(within(deprecated).getByTestId("finding-replacement")).toHaveTextContent("replaced by http.request.method");
    expect(within(deprecated).queryByTestId("finding-expectation")).not.toBeInTheDocument();

    expect(within(rowOf("unexpected_instrument")).getByTestId("finding-expectation")).toHaveTextContent("instrument: expected updowncounter, got counter");
    expect(within(rowOf("undefined_enum_variant")).getByTestId("finding-expectation")).toHaveTextContent("value: got FOO");
    expect(within(rowOf("type_conflict")).getByTestId("finding-producers")).toHaveTextContent("from checkout 1.4.2, 1.4.1");
    expect(within(rowOf("required_attribute_not_present", "url.scheme")).getByTestId("level-badge")).toHaveAttribute("data-level", "violation");
    expect(within(rowOf("recommended_attribute_not_present")).getByTestId("level-badge")).toHaveAttribute("data-level", "improvement");
    expect(within(rowOf("not_stable")).getByTestId("level-badge")).toHaveAttribute("data-level", "information");
    expect(rowOf("missing_metric")).toHaveTextContent("shop.cart.items is not defined by any registry loaded");
    // What names only the metric it is about has no expected-beside-seen.
    expect(within(rowOf("missing_metric")).queryByTestId("finding-expectation")).not.toBeInTheDocument();
  });

  it("keeps findings at a level or above, and keeps the level in the URL", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/conformance", transport);
    await waitFor(() => expect(findingRows()).toHaveLength(7)); // information folded

    await userEvent.click(screen.getByLabelText("Level"));
    await userEvent.click(await screen.findByRole("option", { name: "Violations" }));
    await waitFor(() => expect(findingRows()).toHaveLength(6));
    expect(history.location.search).toContain("level=violation");
    expect(calls.listFindings.at(-1)?.minLevel).toBe(FindingLevel.VIOLATION);
    expect(findingRows().every((r) => r.dataset.level === "violation")).toBe(true);

    // The counts by level filter too: improvement keeps improvements and violations.
    await userEvent.click(within(screen.getByTestId("coverage")).getAllByTestId("level-count")[1]!);
    await waitFor(() => expect(findingRows()).toHaveLength(7));
    expect(history.location.search).toContain("level=improvement");

    await userEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() => expect(screen.getByTestId("findings-total")).toHaveTextContent("9 findings"));
    expect(findingRows()).toHaveLength(7);
    expect(history.location.search).toBe("");
  });

  it("filters by finding, service and metric, from the URL and from the counts", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/conformance?finding=unit_mismatch&service=payments", transport);
    await waitFor(() => expect(findingRows()).toHaveLength(1));
    expect(calls.listFindings.at(-1)).toMatchObject({ findingIds: ["unit_mismatch"], serviceName: "payments" });
    expect(screen.getByLabelText("Finding")).toHaveTextContent("Unit mismatch");
    expect(screen.getByLabelText("Service")).toHaveTextContent("payments");

    // A service's name in the counts shows its findings alone.
    await userEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    await userEvent.click(within(screen.getByRole("table", { name: "By service" })).getByRole("button", { name: "payments" }));
    await waitFor(() => expect(findingRows()).toHaveLength(2));
    expect(history.location.search).toBe("?service=payments");

    // The finding filter offers the findings the summary counts, by title.
    await userEvent.click(screen.getByLabelText("Finding"));
    await userEvent.click(await screen.findByRole("option", { name: "Deprecated" }));
    await waitFor(() => expect(findingRows()).toHaveLength(1));
    expect(history.location.search).toContain("finding=deprecated");

    // A metric, typed exactly, debounced: one request for the whole name.
    await userEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() => expect(screen.getByTestId("findings-total")).toHaveTextContent("9 findings"));
    const before = calls.listFindings.length;
    await userEvent.type(screen.getByLabelText("Metric"), "http.server.active_requests");
    await waitFor(() => expect(screen.getByTestId("findings-total")).toHaveTextContent("2 findings"));
    await userEvent.click(screen.getByRole("button", { name: "Show 1 information finding" }));
    expect(findingRows()).toHaveLength(2);
    expect(history.location.search).toContain("metric=http.server.active_requests");
    expect(calls.listFindings.slice(before).map((r) => r.schemaKey)).toEqual(["http.server.active_requests"]);
    expect(findingRows().every((r) => within(r).getByRole("link", { name: "checkout 1.4.2" }).getAttribute("href") === `/schemas/${activeRequestsId}`)).toBe(true);
  });

  it("filters by schema when a schema's page sends there, and lets the schema go", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt(`/conformance?schema=${schemaA.schemaId}`, transport);
    await waitFor(() => expect(screen.getByTestId("findings-total")).toHaveTextContent("4 findings"));
    expect(findingRows()).toHaveLength(3); // and one of information, folded
    expect(calls.listFindings.at(-1)?.schemaId).toBe(schemaA.schemaId);
    expect(screen.getByTestId("schema-filter")).toHaveTextContent("schema aaaaaaaa");
    await userEvent.click(screen.getByRole("button", { name: "Every schema" }));
    await waitFor(() => expect(screen.getByTestId("findings-total")).toHaveTextContent("9 findings"));
    expect(history.location.search).toBe("");
  });

  it("pages through the findings", async () => {
    const { transport, calls } = fakeCatalog({ manyFindings: true });
    renderAt("/conformance", transport);
    await waitFor(() => expect(findingRows()).toHaveLength(50));
    expect(screen.getByText("1–50 of 64")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: /Next/ }));
    await waitFor(() => expect(screen.getByText("51–64 of 64")).toBeInTheDocument());
    expect(findingRows()).toHaveLength(12); // and two of information, folded
    expect(screen.getByTestId("information-toggle")).toHaveTextContent("Show 2 information findings");
    expect(calls.listFindings.at(-1)?.pageToken).toBe("50");
    await userEvent.click(screen.getByRole("button", { name: /Previous/ }));
    await waitFor(() => expect(findingRows()).toHaveLength(50));
  });

  it("says everything conforms when nothing has a finding", async () => {
    renderAt("/conformance", fakeCatalog({ conforming: true }).transport);
    expect(await screen.findByTestId("all-conform")).toHaveTextContent("No findings: everything conforms");
    expect(screen.getByTestId("coverage-metrics")).toHaveTextContent("100 %2 of 2 metric names");
    expect(screen.queryByTestId("finding")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Export registry" })).toBeEnabled();
  });

  it("says nothing was judged yet in an empty catalog, and has nothing to export", async () => {
    renderAt("/conformance", fakeCatalog({ empty: true }).transport);
    const empty = await screen.findByTestId("nothing-judged");
    expect(empty).toHaveTextContent("Nothing judged yet");
    expect(empty).toHaveTextContent("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http://localhost:4317");
    expect(screen.queryByTestId("all-conform")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Export registry" })).toBeDisabled();
  });

  it("downloads the exported registry as one zip", async () => {
    const blobs: Blob[] = [];
    URL.createObjectURL = vi.fn((b: Blob) => (blobs.push(b), "blob:registry"));
    URL.revokeObjectURL = vi.fn();
    const names: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    const { transport, calls } = fakeCatalog();
    renderAt("/conformance", transport);
    await userEvent.click(await screen.findByRole("button", { name: "Export registry" }));
    expect(await screen.findByTestId("export-done")).toHaveTextContent("Downloaded 3 files as a .zip");
    expect(calls.exportRegistry).toBe(1);
    expect(names).toEqual([expect.stringMatching(/^tallycat-registry-\d{4}-\d{2}-\d{2}\.zip$/)]);
    expect(blobs[0]?.type).toBe("application/zip");
    const files = unzipSync(new Uint8Array(await blobs[0]!.arrayBuffer()));
    expect(Object.keys(files).sort()).toEqual(["http/metrics.yaml", "registry_manifest.yaml", "shop/metrics.yaml"]);
    expect(strFromU8(files["http/metrics.yaml"]!)).toContain("metric.http.server.request.duration");
  });

  it("is in the navigation", async () => {
    renderAt("/", fakeCatalog().transport);
    await userEvent.click(await screen.findByRole("link", { name: "Conformance" }));
    expect(await screen.findByTestId("coverage")).toBeInTheDocument();
  });
});
