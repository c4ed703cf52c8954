import { createFileRoute } from "@tanstack/react-router";
import { ConsumersPage } from "@/features/consumers/consumers-page";
import { parseConsumersSearch } from "@/features/consumers/search";

export const Route = createFileRoute("/consumers/")({
  validateSearch: parseConsumersSearch,
  component: ConsumersPage,
});
