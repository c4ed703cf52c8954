import { createFileRoute } from "@tanstack/react-router";
import { SchemaPage } from "@/features/schema/schema-page";
import { parseSchemaSearch } from "@/features/schema/search";

export const Route = createFileRoute("/schemas/$id")({
  validateSearch: parseSchemaSearch,
  component: function SchemaRoute() {
    const { id } = Route.useParams();
    return <SchemaPage schemaId={id} />;
  },
});
