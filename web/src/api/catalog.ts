// One hook per CatalogService RPC, so pages never build queries by hand and
// every cache key comes from connect-query.
import { useEffect, useReducer } from "react";
import { keepPreviousData, notifyManager, useQueries, useQueryClient } from "@tanstack/react-query";
import { createQueryOptions, skipToken, useQuery, useTransport } from "@connectrpc/connect-query";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  CatalogService,
  ListSchemasResponseSchema,
  type ListProducersRequestSchema,
  type ListSchemaKeysRequestSchema,
  type ListSchemasResponse,
} from "@/gen/tallycat/v1/catalog_service_pb";
import { Signal, Window, type Release, type Schema } from "@/gen/tallycat/v1/schema_pb";

export function useSchemaKeys(input: MessageInitShape<typeof ListSchemaKeysRequestSchema>) {
  // Keep the previous page on screen while the next one loads, so the table
  // does not flash empty on every keystroke or page turn.
  return useQuery(CatalogService.method.listSchemaKeys, input, { placeholderData: keepPreviousData });
}

/** useSchemas lists the current schemas of a metric, span or log event, and its superseded ones too when asked. */
export function useSchemas(schemaKey: string, signal: Signal, includeSuperseded = false) {
  return useQuery(CatalogService.method.listSchemas, { schemaKey, signal, includeSuperseded });
}

/** useSchema reads a schema in full, with its cost (series, rates, distinct values) over the window. */
export function useSchema(schemaId: string, window: Window = Window.UNSPECIFIED) {
  // Another window keeps the schema on screen while its figures load;
  // another schema does not show the last one meanwhile.
  return useQuery(
    CatalogService.method.getSchema,
    { schemaId, window },
    { placeholderData: (prev) => (prev?.schema?.schemaId === schemaId ? prev : undefined) },
  );
}

/** ListedSchema is a schema as a list of them (ListSchemas) gave it, with its releases, current first. */
export type ListedSchema = { schema: Schema; releases: Release[] };

const isListSchemas = (data: unknown): data is ListSchemasResponse =>
  (data as ListSchemasResponse | undefined)?.$typeName === ListSchemasResponseSchema.typeName;

/**
 * useListedSchemas is every schema the lists of schemas this page's cache
 * holds (useSchemas) gave, by id, with its releases: what naming a schema
 * needs, with no read of its own. It follows the cache as lists arrive.
 */
export function useListedSchemas(): Map<string, ListedSchema> {
  const client = useQueryClient();
  const [, bump] = useReducer((n: number) => n + 1, 0);
  useEffect(
    () =>
      client.getQueryCache().subscribe((e) => {
        if (e.type === "updated" && isListSchemas(e.query.state.data)) notifyManager.schedule(bump);
      }),
    [client],
  );
  const out = new Map<string, ListedSchema>();
  for (const q of client.getQueryCache().findAll({ predicate: (q) => isListSchemas(q.state.data) })) {
    const list = q.state.data as ListSchemasResponse;
    const releases = new Map(list.releases.map((r) => [r.schemaId, r.releases]));
    for (const schema of list.schemas) {
      const rs = releases.get(schema.schemaId);
      if (rs) out.set(schema.schemaId, { schema, releases: rs });
    }
  }
  return out;
}

/**
 * useSchemaDetails reads several schemas in full, as useSchema does over the
 * last hour (so a schema page open beside them shares its answer): what a
 * page needs to name schemas no list of them gave (useListedSchemas). A
 * name changes with a release, not within seconds: the answers are kept a
 * minute.
 */
export function useSchemaDetails(schemaIds: string[]) {
  const transport = useTransport();
  return useQueries({
    queries: schemaIds.map((schemaId) => ({
      ...createQueryOptions(CatalogService.method.getSchema, { schemaId, window: Window.UNSPECIFIED }, { transport }),
      staleTime: 60_000,
    })),
  });
}

export function useProducers(input: MessageInitShape<typeof ListProducersRequestSchema>) {
  return useQuery(CatalogService.method.listProducers, input, { placeholderData: keepPreviousData });
}

/** useServices lists service names, however many instances (pods) each has; TallyCat's own left out when asked. */
export function useServices(excludeSelfTelemetry = false) {
  return useQuery(CatalogService.method.listServices, { pageSize: 1000, excludeSelfTelemetry });
}

/** useServiceReleases lists a service's latest releases with the metrics, spans and log events each sends, and the service's own counts. */
export function useServiceReleases(serviceName: string, pageSize = 5) {
  return useQuery(CatalogService.method.listServiceReleases, { serviceName, pageSize });
}

export function useDiff(baseSchemaId: string | undefined, targetSchemaId: string | undefined) {
  return useQuery(
    CatalogService.method.diffSchemas,
    baseSchemaId && targetSchemaId ? { baseSchemaId, targetSchemaId } : skipToken,
  );
}

/** useSchemaEvents lists what happened to the schemas of one key of a signal, newest first. */
export function useSchemaEvents(schemaKey: string, signal: Signal) {
  return useQuery(CatalogService.method.listSchemaEvents, { schemaKey, signal, pageSize: 200 });
}

/** useTopSeries lists the metrics, releases and attributes with the most series over the window; TallyCat's own left out when asked. */
export function useTopSeries(window: Window, limit = 10, excludeSelfTelemetry = false) {
  return useQuery(CatalogService.method.listTopSeries, { window, limit, excludeSelfTelemetry }, { placeholderData: keepPreviousData });
}

/** useSeriesHistory reads a metric's series per ten minutes over the last 24 hours; nothing while no metric is chosen. */
export function useSeriesHistory(schemaKey: string | undefined, signal: Signal = Signal.METRIC) {
  return useQuery(CatalogService.method.getSeriesHistory, schemaKey ? { schemaKey, signal } : skipToken);
}
