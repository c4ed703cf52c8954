import { createFileRoute } from "@tanstack/react-router";
import { MetricsPage } from "@/features/metrics/metrics-page";
import { parseMetricsSearch } from "@/features/metrics/search";

export const Route = createFileRoute("/")({
  validateSearch: parseMetricsSearch,
  component: MetricsPage,
});
