import { createContext, useContext, useMemo, type ReactNode } from "react";
import { useListedSchemas, useSchemaDetails } from "@/api/catalog";
import type { Schema } from "@/gen/tallycat/v1/schema_pb";
import { nameOf, nameSchemas, type NamedSchema, type ReleaseLike, type SchemaName } from "@/lib/schema-name";

/**
 * MAX_READ bounds the schemas a page reads to name them: those no list of
 * schemas on the page gave (a superseded schema the timeline mentions),
 * each a GetSchema. Past it, such schemas are named by their short ids.
 */
const MAX_READ = 30;

/** namedOf is what naming reads of a schema, listed or in full: its traits and its releases, current first. */
export function namedOf(schema: Schema, releases?: ReleaseLike[]): NamedSchema {
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
 * known are those whose releases the page already holds; those a list of
 * schemas gave (useListedSchemas: the metric page lists its schemas) are
 * named by the releases listed with them; the others are read, and named
 * by their short ids until they arrive.
 */
export function useSchemaNames(ids: (string | undefined)[], known: NamedSchema[] = []): Map<string, SchemaName> {
  const held = new Set(known.map((k) => k.schemaId));
  const listed = useListedSchemas();
  const asked = [...new Set(ids.filter((id): id is string => Boolean(id) && !held.has(id!)))];
  const wanted = asked.filter((id) => !listed.has(id)).slice(0, MAX_READ);
  const details = useSchemaDetails(wanted);
  const all: NamedSchema[] = [
    ...known,
    ...asked.flatMap((id) => {
      const l = listed.get(id);
      return l ? [namedOf(l.schema, l.releases)] : [];
    }),
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
