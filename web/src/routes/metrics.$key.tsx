import { createFileRoute } from "@tanstack/react-router";
import { MetricPage } from "@/features/metric/metric-page";
import { parseMetricSearch } from "@/features/metric/search";

export const Route = createFileRoute("/metrics/$key")({
  validateSearch: parseMetricSearch,
  component: function MetricRoute() {
    const { key } = Route.useParams();
    return <MetricPage schemaKey={key} />;
  },
});
