import { createContext, useContext, useMemo, type ReactNode } from "react";
import { useSchemaDetails } from "@/api/catalog";
import type { GetSchemaResponse } from "@/gen/tallycat/v1/catalog_service_pb";
import type { Schema } from "@/gen/tallycat/v1/schema_pb";
import { nameOf, nameSchemas, type NamedSchema, type SchemaName } from "@/lib/schema-name";

/**
 * MAX_NAMED bounds the schemas a page reads to name them: the catalog lists
 * a schema without its releases, so each name costs a GetSchema. Past it,
 * schemas are named by their short ids.
 */
const MAX_NAMED = 30;

/** namedOf is what naming reads from a schema's details: its traits and its releases, current first. */
export function namedOf(schema: Schema, releases?: GetSchemaResponse["releases"]): NamedSchema {
  return {
    schemaId: schema.schemaId,
    signal: schema.signal,
    unit: schema.unit,
    metricType: schema.metricType,
    spanKind: schema.spanKind,
    superseded: schema.superseded,
    releases,
  };
}

/**
 * useSchemaNames names the schemas a page shows together (see nameSchemas):
 * known are those whose releases the page already holds; the others are
 * read, and named by their short ids until they arrive.
 */
export function useSchemaNames(ids: (string | undefined)[], known: NamedSchema[] = []): Map<string, SchemaName> {
  const held = new Set(known.map((k) => k.schemaId));
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id) && !held.has(id!)))].slice(0, MAX_NAMED);
  const details = useSchemaDetails(wanted);
  const all: NamedSchema[] = [
    ...known,
    ...wanted.map((id, i) => {
      const d = details[i]?.data;
      return d?.schema ? namedOf(d.schema, d.releases) : { schemaId: id };
    }),
  ];
  // Names change when a schema's releases or traits do, not on every render.
  const key = JSON.stringify(all.map((s) => [s.schemaId, s.unit, s.metricType, s.spanKind, s.superseded, s.releases?.map((r) => [r.serviceName, r.serviceVersion])]));
  return useMemo(() => nameSchemas(all), [key]);
}

const SchemaNamesContext = createContext<Map<string, SchemaName> | undefined>(undefined);

/** SchemaNamesProvider gives the names a page computed to every schema it mentions below. */
export function SchemaNamesProvider({ names, children }: { names: Map<string, SchemaName>; children: ReactNode }) {
  return <SchemaNamesContext.Provider value={names}>{children}</SchemaNamesContext.Provider>;
}

/** useSchemaName is a schema's name on this page, or its short id where the page named none. */
export function useSchemaName(id: string): SchemaName {
  return nameOf(useContext(SchemaNamesContext), id);
}
