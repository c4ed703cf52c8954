import { createFileRoute } from "@tanstack/react-router";
import { MetricPage } from "@/features/metric/metric-page";

export const Route = createFileRoute("/metrics/$key")({
  component: function MetricRoute() {
    const { key } = Route.useParams();
    return <MetricPage schemaKey={key} />;
  },
});
