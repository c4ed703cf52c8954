import { describe, expect, it, vi } from "vitest";
import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Window } from "@/gen/tallycat/v1/schema_pb";
import { durationHistory, fakeCatalog } from "@/test/fake-catalog";
import { renderAt } from "@/test/render";

// jsdom has no canvas: a stand-in uPlot records what the page gives it.
type Options = {
  scales: { x: { range: () => [number, number] } };
  series: { label?: string; stroke?: string; value: (u: unknown, v: number | null, s: number, idx: number | null) => string }[];
};
const charts = vi.hoisted(() => [] as { data: unknown[][]; destroyed: boolean; opts: Options }[]);
vi.mock("uplot", () => ({
  default: class {
    chart: { data: unknown[][]; destroyed: boolean; opts: Options };
    constructor(opts: Options, data: unknown[][]) {
      this.chart = { data, destroyed: false, opts };
      charts.push(this.chart);
    }
    get data() {
      return this.chart.data;
    }
    setData(data: unknown[][]) {
      this.chart.data = data;
    }
    setSize() {}
    destroy() {
      this.chart.destroyed = true;
    }
  },
}));
const live = () => charts.filter((c) => !c.destroyed);

describe("cardinality page", () => {
  it("lists the metrics, releases and attributes with the most series, and plots the top metric", async () => {
    const { transport, calls } = fakeCatalog();
    renderAt("/cardinality", transport);
    const metrics = await screen.findAllByTestId("top-metric");
    expect(metrics).toHaveLength(2);
    expect(within(metrics[0]!).getByRole("link", { name: "http.server.request.duration" })).toHaveAttribute(
      "href",
      "/metrics/http.server.request.duration",
    );
    expect(within(metrics[0]!).getByTestId("series")).toHaveTextContent("5.0k");
    expect(metrics[0]).toHaveTextContent("12/min");
    expect(metrics[0]).toHaveTextContent("2 schemas");

    const releases = screen.getAllByTestId("top-release");
    expect(releases[0]).toHaveTextContent("checkoutshop · 1.4.2");
    expect(within(releases[0]!).getByTestId("series")).toHaveTextContent("4.8k");
    expect(within(releases[0]!).getByRole("link", { name: "checkout" })).toHaveAttribute("href", "/?service=checkout");

    const attributes = screen.getAllByTestId("top-attribute");
    expect(attributes.map((a) => a.querySelector("code")?.textContent)).toEqual(["http.route", "enduser.id", "http.request.method"]);
    expect(within(attributes[0]!).getByTestId("distinct-values")).toHaveTextContent("5.0k");
    expect(within(attributes[0]!).getByTestId("high-cardinality")).toBeInTheDocument();
    expect(within(attributes[2]!).queryByTestId("high-cardinality")).not.toBeInTheDocument();

    // The top metric is plotted by default, over the page's window (the
    // last hour): its buckets of that hour, each a step, the last up to
    // now. (Issue 23 changed this from every point of the last day.)
    expect(await screen.findByTestId("series-summary")).toHaveTextContent("Latest 4.9k series at 11/min; peak 4.9k series over 60 minutes.");
    expect(calls.getSeriesHistory).toEqual(["http.server.request.duration"]);
    expect(screen.getByRole("img", { name: "Series of http.server.request.duration over the last hour" })).toBeInTheDocument();
    const [xs, series, rate] = live().at(-1)!.data;
    expect(series).toEqual([4400, 4500, 4600, 4700, 4800, 4900, 4900]);
    expect(xs).toHaveLength(7);
    expect(rate?.[0]).toBeCloseTo(10.4);
  });

  it("spans the data it has, follows the window, says the latest values without hovering, in the theme's colours", async () => {
    const { transport } = fakeCatalog();
    renderAt("/cardinality", transport);
    await screen.findByTestId("series-summary");
    await userEvent.click(screen.getByRole("button", { name: "Last 24 hours" }));
    await waitFor(() => expect(screen.getByRole("img", { name: "Series of http.server.request.duration over the last 24 hours" })).toBeInTheDocument());
    const chart = live().at(-1)!;
    const [xs, series] = chart.data as [number[], (number | null)[]];
    // Every bucket and a null for the 20-minute gap, the last held to now.
    expect(series).toEqual([4000, null, 4100, 4200, 4300, 4400, 4500, 4600, 4700, 4800, 4900, 4900]);
    expect(xs).toHaveLength(durationHistory.length + 2);
    // The x axis starts at the first bucket with data, not 24 hours ago.
    const [from, to] = chart.opts.scales.x.range();
    expect(from).toBe(xs[0]);
    expect(to - from).toBeLessThan(3 * 3600);
    expect(screen.getByTestId("series-summary")).toHaveTextContent("over 2 hours");
    // Without a pointer over it, the legend says the latest bucket's values.
    const [bucket, seriesLine, rateLine] = chart.opts.series;
    expect(seriesLine!.value(null, null, 1, null)).toBe("4.9k");
    expect(rateLine!.value(null, null, 2, null)).toBe("11/min");
    expect(bucket!.value(null, null, 0, null)).toBe("latest");
    expect(seriesLine!.value(null, 4000, 1, 0)).toBe("4.0k");
    expect(seriesLine!.stroke).toBe("#4f46e5");
  });

  it("plots another metric when asked, and keeps the choice in the URL", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/cardinality", transport);
    await screen.findByTestId("series-summary");
    await userEvent.click(screen.getByRole("button", { name: "Plot queue.depth" }));
    await waitFor(() => expect(screen.getByTestId("series-summary")).toHaveTextContent("Latest 3 series at 0.5/min"));
    expect(history.location.search).toContain("metric=queue.depth");
    expect(calls.getSeriesHistory).toEqual(["http.server.request.duration", "queue.depth"]);
    expect(screen.getByRole("button", { name: "Plot queue.depth" })).toHaveAttribute("aria-pressed", "true");
  });

  it("counts over the last 24 hours when asked", async () => {
    const { transport, calls } = fakeCatalog();
    const { history } = renderAt("/cardinality", transport);
    await screen.findAllByTestId("top-metric");
    await userEvent.click(screen.getByRole("button", { name: "Last 24 hours" }));
    await waitFor(() => expect(within(screen.getAllByTestId("top-metric")[0]!).getByTestId("series")).toHaveTextContent("8.4k"));
    expect(history.location.search).toContain("window=2");
    expect(calls.listTopSeries).toEqual([Window.UNSPECIFIED, Window.LAST_DAY]);
  });

  it("says how to send metrics when nothing was counted", async () => {
    renderAt("/cardinality", fakeCatalog({ empty: true }).transport);
    const empty = await screen.findByTestId("no-series");
    expect(empty).toHaveTextContent("No series counted in the last hour");
    expect(empty).toHaveTextContent("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http://localhost:4317");
    expect(empty).toHaveTextContent(":4318/v1/metrics");
    await userEvent.click(within(empty).getByRole("button", { name: "Look at the last 24 hours" }));
    expect(await screen.findByText("No series counted in the last 24 hours")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Look at the last 24 hours" })).not.toBeInTheDocument();
  });

  it("is in the navigation", async () => {
    renderAt("/", fakeCatalog().transport);
    await userEvent.click(await screen.findByRole("link", { name: "Cardinality" }));
    expect(await screen.findAllByTestId("top-metric")).toHaveLength(2);
  });
});
