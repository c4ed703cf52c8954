import { createFileRoute } from "@tanstack/react-router";
import { ConformancePage } from "@/features/conformance/conformance-page";
import { parseConformanceSearch } from "@/features/conformance/search";

export const Route = createFileRoute("/conformance")({
  validateSearch: parseConformanceSearch,
  component: ConformancePage,
});
