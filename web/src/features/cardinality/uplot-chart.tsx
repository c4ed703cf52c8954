import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

type Props = {
  /** options are uPlot's, less the size: the chart takes its container's width. Keep them stable (useMemo): new options rebuild the chart. */
  options: Omit<uPlot.Options, "width" | "height">;
  data: uPlot.AlignedData;
  height?: number;
  label: string;
  className?: string;
};

/**
 * UPlotChart is a uPlot chart in React: built on mount and when its options
 * change, given new data in place, as wide as its container, destroyed on
 * unmount.
 */
export function UPlotChart({ options, data, height = 220, label, className }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const latest = useRef(data);
  latest.current = data;

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const u = new uPlot({ ...options, width: el.clientWidth || 600, height }, latest.current, el);
    chart.current = u;
    const resize = new ResizeObserver(() => {
      if (el.clientWidth > 0 && el.clientWidth !== u.width) u.setSize({ width: el.clientWidth, height });
    });
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      chart.current = null;
    };
  }, [options, height]);

  useEffect(() => {
    if (chart.current && chart.current.data !== data) chart.current.setData(data);
  }, [data]);

  return <div ref={ref} role="img" aria-label={label} className={className} data-testid="uplot-chart" />;
}
