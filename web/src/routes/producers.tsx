import { createFileRoute } from "@tanstack/react-router";
import { ProducersPage } from "@/features/producers/producers-page";

export const Route = createFileRoute("/producers")({
  component: ProducersPage,
});
