import { afterEach, describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FindingLevel } from "@/gen/tallycat/v1/conformance_service_pb";
import { Signal } from "@/gen/tallycat/v1/schema_pb";
import { SHOW_SELF_KEY } from "@/lib/self-telemetry";
import { fakeCatalog, findings, schemaA, selfKey } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";

afterEach(() => localStorage.clear());

// jsdom has no canvas: the Cardinality page's chart is a stand-in.
vi.mock("uplot", () => ({
  default: class {
    setData() {}
    setSize() {}
    destroy() {}
  },
}));

const count = (key: string, level: FindingLevel) =>
  findings.filter((f) => f.schemaKey === key && (f.signal || Signal.METRIC) === Signal.METRIC && f.level === level).length;

describe("the list's versions, findings and diverging filter", () => {
  it("names every version of a key's schemas with its status, on one line", async () => {
    renderAt("/", fakeCatalog().transport);
    const [duration, queue] = await screen.findAllByTestId("metric-row");
    const versions = within(duration!).getByTestId("key-versions");
    expect(versions).toHaveTextContent("1.0.0 active·2.0.0 deprecated");
    expect(versions).toHaveAttribute("title", "1.0.0 active · 2.0.0 deprecated");
    expect(versions).toHaveClass("truncate");
    expect(within(duration!).getAllByTestId("key-version").map((v) => v.dataset.status)).toEqual(["active", "deprecated"]);
    // A catalog that names no versions still says whether the key has any.
    expect(within(queue!).getByText("versioned")).toBeInTheDocument();
  });

  it("counts each key's violations and improvements in one call, leading to them", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt("/", transport);
    const [duration, queue] = await screen.findAllByTestId("metric-row");
    await waitFor(() => expect(within(duration!).getByTestId("key-violations")).toBeInTheDocument());
    expect(within(duration!).getByTestId("key-violations")).toHaveTextContent(String(count(schemaA.schemaKey, FindingLevel.VIOLATION)));
    expect(within(duration!).getByTestId("key-improvements")).toHaveTextContent(String(count(schemaA.schemaKey, FindingLevel.IMPROVEMENT)));
    expect(within(duration!).getByRole("link", { name: /violation/ })).toHaveAttribute(
      "href",
      `/conformance?metric=${encodeURIComponent(schemaA.schemaKey)}&level=improvement`,
    );
    expect(within(queue!).getByTestId("key-findings")).toHaveTextContent("—");
    const asked = calls.summaryRequests.filter((r) => r.schemaKeys.length > 0);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ schemaKeys: [schemaA.schemaKey, "queue.depth"], signal: Signal.METRIC, excludeSelfTelemetry: true });
  });

  it("keeps the diverging keys when asked, in the URL", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/", transport);
    expect(await screen.findAllByTestId("metric-row")).toHaveLength(2);
    await userEvent.click(screen.getByRole("switch", { name: "Diverging only" }));
    await waitFor(() => expect(screen.getAllByTestId("metric-row")).toHaveLength(1));
    expect(screen.getByTestId("metric-row")).toHaveAttribute("data-diverging", "true");
    expect(history.location.search).toContain("diverging=true");
    expect(calls.schemaKeyRequests.at(-1)).toMatchObject({ divergingOnly: true });
  });
});

describe("TallyCat's own telemetry", () => {
  it("is left out of the list until the switch shows it, and the choice is kept for every page", async () => {
    const { transport, calls } = fakeCatalog({ self: true });
    renderAt("/", transport);
    expect(await screen.findAllByTestId("metric-row")).toHaveLength(2);
    expect(calls.schemaKeyRequests.at(-1)).toMatchObject({ excludeSelfTelemetry: true });
    const toggle = screen.getByRole("switch", { name: "Show TallyCat's own telemetry" });
    expect(toggle).toHaveAttribute("aria-checked", "false");
    await userEvent.click(toggle);
    await waitFor(() => expect(screen.getAllByTestId("metric-row")).toHaveLength(3));
    expect(screen.getByRole("link", { name: selfKey })).toBeInTheDocument();
    expect(localStorage.getItem(SHOW_SELF_KEY)).toBe("true");
    // Another page, the same choice.
    await userEvent.click(screen.getByRole("link", { name: "Cardinality" }));
    await waitFor(() => expect(screen.getAllByTestId("top-metric")[0]).toHaveTextContent(selfKey));
    expect(calls.topSeriesRequests.at(-1)?.excludeSelfTelemetry).toBe(false);
    expect(screen.getByRole("switch", { name: "Show TallyCat's own telemetry" })).toHaveAttribute("aria-checked", "true");
  });

  it("is left out of Producers, Cardinality and Conformance by default", async () => {
    const { transport, calls } = fakeCatalog({ self: true });
    const { unmount } = renderAt("/producers", transport);
    await screen.findByRole("region", { name: "Service checkout" });
    expect(screen.queryByRole("region", { name: "Service tallycat-catalog" })).not.toBeInTheDocument();
    expect(calls.listServices.every((r) => r.excludeSelfTelemetry)).toBe(true);
    await userEvent.click(screen.getByRole("switch", { name: "Show TallyCat's own telemetry" }));
    expect(await screen.findByRole("region", { name: "Service tallycat-catalog" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("switch", { name: "Show TallyCat's own telemetry" }));
    await waitFor(() => expect(screen.queryByRole("region", { name: "Service tallycat-catalog" })).not.toBeInTheDocument());
    unmount();

    renderAt("/cardinality", transport);
    const top = await screen.findAllByTestId("top-metric");
    expect(top.map((t) => t.textContent)).not.toContain(selfKey);
    expect(calls.topSeriesRequests.at(-1)?.excludeSelfTelemetry).toBe(true);
    expect(calls.schemaKeyRequests.at(-1)).toMatchObject({ excludeSelfTelemetry: true });

    await userEvent.click(screen.getByRole("link", { name: "Conformance" }));
    await screen.findAllByTestId("finding");
    expect(calls.listFindings.at(-1)?.excludeSelfTelemetry).toBe(true);
    expect(calls.summaryRequests.at(-1)?.excludeSelfTelemetry).toBe(true);
  });
});
