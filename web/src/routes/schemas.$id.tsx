import { createFileRoute } from "@tanstack/react-router";
import { SchemaPage } from "@/features/schema/schema-page";

export const Route = createFileRoute("/schemas/$id")({
  component: function SchemaRoute() {
    const { id } = Route.useParams();
    return <SchemaPage schemaId={id} />;
  },
});
