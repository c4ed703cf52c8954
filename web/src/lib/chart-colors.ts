import { useSyncExternalStore } from "react";

/**
 * ChartColors are the theme's colours for a chart drawn on a canvas
 * (uPlot), which cannot take classes: the --chart-* tokens of index.css,
 * read from the page as the theme sets them.
 */
export type ChartColors = {
  /** line and fill draw the main series; second draws another beside it. */
  line: string;
  fill: string;
  second: string;
  /** axis is the ticks' labels; grid the lines behind the data. */
  axis: string;
  grid: string;
};

/** Light mode's values, for a page without the tokens (tests without CSS). */
const fallback: ChartColors = { line: "#4f46e5", fill: "rgba(79, 70, 229, 0.08)", second: "#94a3b8", axis: "#64748b", grid: "#e2e8f0" };

let cached: { key: string; colors: ChartColors } | undefined;

/** chartColors reads the tokens now; the same theme gives the same object. */
export function chartColors(): ChartColors {
  const root = document.documentElement;
  const key = root.className;
  if (cached?.key === key) return cached.colors;
  const style = getComputedStyle(root);
  const read = (name: string, or: string) => style.getPropertyValue(name).trim() || or;
  const colors = {
    line: read("--chart-1", fallback.line),
    fill: read("--chart-1-fill", fallback.fill),
    second: read("--chart-2", fallback.second),
    axis: read("--chart-axis", fallback.axis),
    grid: read("--chart-grid", fallback.grid),
  };
  cached = { key, colors };
  return colors;
}

function subscribe(onChange: () => void) {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["class"] });
  return () => observer.disconnect();
}

/**
 * useChartColors is chartColors kept current: a chart built with them is
 * built again when the theme changes (make them a dependency of its
 * options).
 */
export function useChartColors(): ChartColors {
  return useSyncExternalStore(subscribe, chartColors, () => fallback);
}
