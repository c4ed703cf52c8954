import { useMemo } from "react";
import { useServices } from "@/api/catalog";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { MetricType } from "@/gen/tallycat/v1/schema_pb";
import { metricTypeLabel } from "@/lib/format";

const ALL = "all";

/** MetricTypeFilter keeps the metrics of one type, or all. */
export function MetricTypeFilter({ value, onChange }: { value: MetricType | undefined; onChange: (t: MetricType | undefined) => void }) {
  return (
    <Select value={value ? String(value) : ALL} onValueChange={(v) => onChange(v === ALL ? undefined : (Number(v) as MetricType))}>
      <SelectTrigger className="w-48" aria-label="Metric type">
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        <SelectItem value={ALL}>All types</SelectItem>
        {[MetricType.GAUGE, MetricType.SUM, MetricType.HISTOGRAM, MetricType.EXPONENTIAL_HISTOGRAM, MetricType.SUMMARY].map((t) => (
          <SelectItem key={t} value={String(t)}>
            {metricTypeLabel[t]}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}

/**
 * ServiceFilter keeps what one service emits. Its choices are the service
 * names, however many instances each runs (the first 1,000 services, the
 * API's page limit), TallyCat's own among them only when shown, and the
 * one in the URL.
 */
export function ServiceFilter({ value, onChange, excludeSelf = false }: { value: string | undefined; onChange: (s: string | undefined) => void; excludeSelf?: boolean }) {
  const listed = useServices(excludeSelf);
  const services = useMemo(() => (listed.data?.services ?? []).map((s) => s.serviceName), [listed.data]);
  return (
    <Select value={value ?? ALL} onValueChange={(v) => onChange(v === ALL ? undefined : v)}>
      <SelectTrigger className="w-56" aria-label="Service">
        <SelectValue />
      </SelectTrigger>
      <SelectContent>
        <SelectItem value={ALL}>All services</SelectItem>
        {services.map((s) => (
          <SelectItem key={s} value={s}>
            {s}
          </SelectItem>
        ))}
        {value && !services.includes(value) && <SelectItem value={value}>{value}</SelectItem>}
      </SelectContent>
    </Select>
  );
}
