import { createFileRoute } from "@tanstack/react-router";
import { CardinalityPage } from "@/features/cardinality/cardinality-page";
import { parseCardinalitySearch } from "@/features/cardinality/search";

export const Route = createFileRoute("/cardinality")({
  validateSearch: parseCardinalitySearch,
  component: CardinalityPage,
});
