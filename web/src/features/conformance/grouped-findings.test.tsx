import { describe, expect, it } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { createRouterTransport, type Transport } from "@connectrpc/connect";
import {
  ConformanceService,
  CoverageSchema,
  FindingCountSchema,
  FindingLevel,
  FindingSchema,
  type Finding,
  type ListFindingsRequest,
} from "@/gen/tallycat/v1/conformance_service_pb";
import { expectationText } from "@/components/finding";
import { fakeCatalog, schemaA, schemaB } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";

const checkout = { serviceName: "checkout", serviceNamespace: "shop", serviceVersion: "1.4.2" };
const payments = { serviceName: "payments", serviceNamespace: "shop", serviceVersion: "2.0.0" };
const bothSchemas = [
  { schemaId: schemaA.schemaId, producers: [checkout] },
  { schemaId: schemaB.schemaId, producers: [payments] },
];
const key = "http.server.request.duration";

/**
 * demoFindings are what the catalog lists of the demo's duration, checkout
 * in s as the conventions define it and payments in ms: the unit is
 * payments' alone, and what both schemas lack is one finding each, naming
 * both.
 */
const demoFindings: Finding[] = (
  [
    {
      findingId: "unit_mismatch",
      title: "Unit differs from the conventions",
      level: FindingLevel.VIOLATION,
      expected: "s",
      actual: "ms",
      message: `unit of ${key}: payments sends ms where the conventions and checkout send s`,
      schemaId: schemaB.schemaId,
      producers: [payments],
      schemas: [{ schemaId: schemaB.schemaId, producers: [payments] }],
    },
    {
      findingId: "recommended_attribute_not_present",
      title: "Recommended attribute not sent",
      level: FindingLevel.IMPROVEMENT,
      attribute: "network.protocol.version",
      expected: "recommended",
      actual: "not sent",
      message: `recommended attribute network.protocol.version is not present on ${key}`,
    },
    {
      findingId: "conditionally_required_attribute_not_present",
      title: "Conditionally required attribute not sent",
      level: FindingLevel.INFORMATION,
      attribute: "error.type",
      expected: "conditionally_required",
      actual: "not sent",
      message: `conditionally required attribute error.type is not present on ${key}`,
    },
    {
      findingId: "opt_in_attribute_not_present",
      title: "Opt-in attribute not sent",
      level: FindingLevel.INFORMATION,
      attribute: "server.port",
      expected: "opt_in",
      actual: "not sent",
      message: `opt-in attribute server.port is not present on ${key}`,
    },
  ] satisfies MessageInitShape<typeof FindingSchema>[]
).map((f) => create(FindingSchema, { schemaId: schemaA.schemaId, producers: [checkout, payments], schemas: bothSchemas, ...f, schemaKey: key }));

/** withFindings is the fake catalog, its findings and summary replaced by these. */
function withFindings(findings: Finding[]): { transport: Transport; calls: ListFindingsRequest[] } {
  const base = fakeCatalog().transport;
  const calls: ListFindingsRequest[] = [];
  const count = (list: Finding[], name: string, title = "") =>
    create(FindingCountSchema, {
      name,
      title,
      violations: list.filter((f) => f.level === FindingLevel.VIOLATION).length,
      improvements: list.filter((f) => f.level === FindingLevel.IMPROVEMENT).length,
      information: list.filter((f) => f.level === FindingLevel.INFORMATION).length,
    });
  const conformance = createRouterTransport(({ service }) =>
    service(ConformanceService, {
      listFindings(req) {
        calls.push(req);
        const rows = findings.filter((f) => req.findingIds.length === 0 || req.findingIds.includes(f.findingId));
        return { findings: rows, totalSize: BigInt(rows.length) };
      },
      getConformanceSummary() {
        const coverage = create(CoverageSchema, { defined: 1n, total: 1n, ratio: 1 });
        return {
          metrics: coverage,
          attributes: coverage,
          dataPoints: coverage,
          total: count(findings, ""),
          byFinding: findings.map((f) => count([f], f.findingId, f.title)),
          byService: [count(findings, "checkout"), count(findings, "payments")],
          registries: ["semconv v1.44.0 (built in)"],
        };
      },
    }),
  );
  const pick = (typeName: string) => (typeName === ConformanceService.typeName ? conformance : base);
  const transport: Transport = {
    unary(method, signal, timeoutMs, header, input, contextValues) {
      return pick(method.parent.typeName).unary(method, signal, timeoutMs, header, input, contextValues);
    },
    stream(method, signal, timeoutMs, header, input, contextValues) {
      return pick(method.parent.typeName).stream(method, signal, timeoutMs, header, input, contextValues);
    },
  };
  return { transport, calls };
}

const rows = () => screen.queryAllByTestId("finding");
const rowOf = (id: string) => rows().find((r) => r.dataset.finding === id)!;

describe("findings people can read", () => {
  it("lists each finding once by its title, naming the releases of the schemas it concerns, and does not blame checkout for the unit", async () => {
    renderAt("/conformance", withFindings(demoFindings).transport);
    await waitFor(() => expect(rows()).toHaveLength(2));

    const unit = rowOf("unit_mismatch");
    expect(within(unit).getByTestId("finding-title")).toHaveTextContent("Unit differs from the conventions");
    expect(within(unit).getByTestId("finding-id")).toHaveTextContent("unit_mismatch");
    expect(within(unit).getByTestId("level-badge")).toHaveTextContent("violation");
    expect(within(unit).getByTestId("finding-producers")).toHaveTextContent(/^from payments 2\.0\.0$/);
    expect(within(unit).getByTestId("finding-message")).toHaveTextContent("payments sends ms where the conventions and checkout send s");
    expect(within(unit).getByTestId("finding-expectation")).toHaveTextContent("unit: expected s, got ms");
    expect(rows().filter((r) => r.dataset.finding?.startsWith("unit_"))).toHaveLength(1);

    // What both schemas lack is one row, each schema named by its release and linked to it, not by its id.
    const recommended = rowOf("recommended_attribute_not_present");
    expect(within(recommended).getByTestId("finding-title")).toHaveTextContent("Recommended attribute not sent");
    expect(within(recommended).getByTestId("finding-producers")).toHaveTextContent("from checkout 1.4.2 · payments 2.0.0");
    expect(within(recommended).getByRole("link", { name: "checkout 1.4.2" })).toHaveAttribute("href", `/schemas/${schemaA.schemaId}`);
    expect(within(recommended).getByRole("link", { name: "payments 2.0.0" })).toHaveAttribute("href", `/schemas/${schemaB.schemaId}`);
    expect(within(recommended).getByRole("link", { name: "payments 2.0.0" })).toHaveAttribute("title", `schema ${schemaB.schemaId}`);
    // Its requirement level is in its title, not "expected recommended, got not sent".
    expect(within(recommended).queryByTestId("finding-expectation")).not.toBeInTheDocument();

    // The counts by finding are titled too, the id beside.
    const byFinding = within(screen.getByRole("table", { name: "By finding" })).getAllByTestId("count-row");
    expect(byFinding.map((r) => r.textContent)).toContain("Unit differs from the conventionsunit_mismatch100");
  });

  it("folds information behind a count and a toggle, unless a filter asks for it", async () => {
    const { transport } = withFindings(demoFindings);
    const { history } = renderAt("/conformance", transport);
    const toggle = await screen.findByTestId("information-toggle");
    expect(toggle).toHaveTextContent("Show 2 information findings");
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(rows().some((r) => r.dataset.level === "information")).toBe(false);

    await userEvent.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(toggle).toHaveTextContent("Hide 2 information findings");
    const info = within(screen.getByTestId("information-findings")).getAllByTestId("finding");
    expect(info.map((r) => within(r).getByTestId("finding-title").textContent)).toEqual(["Conditionally required attribute not sent", "Opt-in attribute not sent"]);
    // No requirement level as a token: the title says "Opt-in".
    expect(info.every((r) => !r.textContent?.includes("expected opt_in") && !r.textContent?.includes("expected conditionally_required"))).toBe(true);
    await userEvent.click(toggle);
    expect(screen.queryByTestId("information-findings")).not.toBeInTheDocument();

    // Asked for by the finding filter, by its title, they are listed at once.
    await userEvent.click(screen.getByLabelText("Finding"));
    await userEvent.click(await screen.findByRole("option", { name: "Opt-in attribute not sent" }));
    await waitFor(() => expect(history.location.search).toContain("finding=opt_in_attribute_not_present"));
    await waitFor(() => expect(rows().map((r) => r.dataset.finding)).toEqual(["opt_in_attribute_not_present"]));
    expect(screen.queryByTestId("information-toggle")).not.toBeInTheDocument();
  });

  it("says when a page holds information alone", async () => {
    renderAt("/conformance", withFindings(demoFindings.filter((f) => f.level === FindingLevel.INFORMATION)).transport);
    expect(await screen.findByText("Nothing on this page asks for action.")).toBeInTheDocument();
    expect(screen.getByTestId("information-toggle")).toHaveTextContent("Show 2 information findings");
  });

  it("folds information on a metric's findings card, and names the producers there", async () => {
    renderAt(`/metrics/${key}`, withFindings(demoFindings).transport);
    const card = await screen.findByTestId("findings-card", {}, { timeout: 5000 });
    await waitFor(() => expect(within(card).getAllByTestId("finding")).toHaveLength(2));
    const unit = within(card).getAllByTestId("finding").find((r) => r.dataset.finding === "unit_mismatch")!;
    expect(within(unit).getByTestId("finding-title")).toHaveTextContent("Unit differs from the conventions");
    expect(within(unit).getByTestId("finding-producers")).toHaveTextContent(/^from payments 2\.0\.0$/);
    await userEvent.click(within(card).getByRole("button", { name: "Show 2 information findings" }));
    expect(within(card).getAllByTestId("finding")).toHaveLength(4);
  });

  it("says what each side sends where producers disagree and no registry settles it", () => {
    const conflict = { findingId: "unit_conflict", expected: "", actual: "ms, s", attribute: "", schemaKey: "shop.checkout.duration" };
    expect(expectationText(conflict)).toBe("units sent: ms, s");
    expect(expectationText({ ...conflict, findingId: "opt_in_attribute_not_present", expected: "opt_in", actual: "not sent" })).toBe("");
  });
});
