// One hook per CatalogService RPC, so pages never build queries by hand and
// every cache key comes from connect-query.
import { keepPreviousData } from "@tanstack/react-query";
import { skipToken, useQuery } from "@connectrpc/connect-query";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  CatalogService,
  type ListProducersRequestSchema,
  type ListSchemaKeysRequestSchema,
} from "@/gen/tallycat/v1/catalog_service_pb";

export function useSchemaKeys(input: MessageInitShape<typeof ListSchemaKeysRequestSchema>) {
  // Keep the previous page on screen while the next one loads, so the table
  // does not flash empty on every keystroke or page turn.
  return useQuery(CatalogService.method.listSchemaKeys, input, { placeholderData: keepPreviousData });
}

/** useSchemas lists a metric's current schemas, and its superseded ones too when asked. */
export function useSchemas(schemaKey: string, includeSuperseded = false) {
  return useQuery(CatalogService.method.listSchemas, { schemaKey, includeSuperseded });
}

export function useSchema(schemaId: string) {
  return useQuery(CatalogService.method.getSchema, { schemaId });
}

export function useProducers(input: MessageInitShape<typeof ListProducersRequestSchema>) {
  return useQuery(CatalogService.method.listProducers, input, { placeholderData: keepPreviousData });
}

/** useServices lists service names, however many instances (pods) each has. */
export function useServices() {
  return useQuery(CatalogService.method.listServices, { pageSize: 1000 });
}

export function useDiff(baseSchemaId: string | undefined, targetSchemaId: string | undefined) {
  return useQuery(
    CatalogService.method.diffSchemas,
    baseSchemaId && targetSchemaId ? { baseSchemaId, targetSchemaId } : skipToken,
  );
}

export function useSchemaEvents(schemaKey: string) {
  return useQuery(CatalogService.method.listSchemaEvents, { schemaKey, pageSize: 200 });
}
