import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import { CatalogService, DiffSchemasResponseSchema, SchemaKeySummarySchema } from "@/gen/tallycat/v1/catalog_service_pb";
import { VersioningService } from "@/gen/tallycat/v1/versioning_service_pb";
import {
  FieldSource,
  MetricType,
  ProducerSchema,
  SchemaSchema,
  SchemaVersionSchema,
  Temporality,
  ValueType,
  VersionStatus,
  type Schema,
} from "@/gen/tallycat/v1/schema_pb";

const now = timestampFromDate(new Date(Date.now() - 60_000));

const baseSchema = {
  schemaId: "a".repeat(32),
  schemaKey: "http.server.request.duration",
  metricType: MetricType.HISTOGRAM,
  unit: "s",
  temporality: Temporality.CUMULATIVE,
  description: "Duration of HTTP server requests.",
  fields: [
    { name: "http.response.status_code", source: FieldSource.DATA_POINT, valueType: ValueType.INT },
    { name: "http.request.method", source: FieldSource.DATA_POINT, valueType: ValueType.STRING },
    { name: "service.name", source: FieldSource.RESOURCE, valueType: ValueType.STRING },
  ],
  producerCount: 1,
  dataPointCount: 42n,
  firstSeen: now,
  lastSeen: now,
};

export const schemaA: Schema = create(SchemaSchema, baseSchema);

export const schemaB: Schema = create(SchemaSchema, {
  ...baseSchema,
  schemaId: "b".repeat(32),
  fields: [{ name: "http.response.status_code", source: FieldSource.DATA_POINT, valueType: ValueType.STRING }],
});

/** Calls records what the fake catalog was asked, for assertions. */
export type Calls = { listSchemaKeys: string[]; assignVersion: string[] };

/**
 * fakeCatalog is an in-memory CatalogService and VersioningService on
 * connect's router transport: the UI's real clients, no network.
 */
export function fakeCatalog(opts: { empty?: boolean; failKeys?: boolean } = {}) {
  const calls: Calls = { listSchemaKeys: [], assignVersion: [] };
  const versions = new Map<string, string>([["1.0.0", schemaB.schemaId]]);
  const transport = createRouterTransport(({ service }) => {
    service(CatalogService, {
      listSchemaKeys(req) {
        calls.listSchemaKeys.push(req.query);
        if (opts.failKeys) throw new ConnectError("the database is on fire", Code.Unavailable);
        const all = opts.empty
          ? []
          : [
              create(SchemaKeySummarySchema, {
                schemaKey: schemaA.schemaKey,
                metricType: MetricType.HISTOGRAM,
                metricTypes: [MetricType.HISTOGRAM],
                unit: "s",
                units: ["s"],
                schemaCount: 2,
                producerCount: 2,
                lastSeen: now,
                description: schemaA.description,
              }),
              create(SchemaKeySummarySchema, {
                schemaKey: "queue.depth",
                metricType: MetricType.GAUGE,
                metricTypes: [MetricType.GAUGE],
                schemaCount: 1,
                producerCount: 1,
                lastSeen: now,
                versioned: true,
              }),
            ];
        const rows = all.filter((k) => k.schemaKey.includes(req.query));
        return { schemaKeys: rows, totalSize: BigInt(rows.length) };
      },
      listSchemas: () => ({ schemas: [schemaA, schemaB] }),
      getSchema(req) {
        if (req.schemaId !== schemaA.schemaId) throw new ConnectError(`schema ${req.schemaId} not found`, Code.NotFound);
        return {
          schema: schemaA,
          producers: [create(ProducerSchema, { serviceName: "checkout", serviceVersion: "1.4.2", firstSeen: now, lastSeen: now })],
          scopes: [],
          versions: [],
        };
      },
      listProducers: () => ({ producers: [create(ProducerSchema, { serviceName: "checkout", schemaCount: 1, lastSeen: now })] }),
      diffSchemas: () =>
        create(DiffSchemasResponseSchema, {
          base: schemaA,
          target: schemaB,
          removed: [schemaA.fields[1]!],
          changed: [{ name: "http.response.status_code", base: schemaA.fields[0], target: schemaB.fields[0] }],
        }),
      listSchemaEvents: () => ({ events: [] }),
    });
    service(VersioningService, {
      assignVersion(req) {
        calls.assignVersion.push(req.version);
        const holder = versions.get(req.version);
        if (holder && holder !== req.schemaId) {
          throw new ConnectError(`version ${req.version} of metric "x" is already held by schema ${holder}`, Code.AlreadyExists);
        }
        versions.set(req.version, req.schemaId);
        return { version: create(SchemaVersionSchema, { schemaId: req.schemaId, version: req.version, status: VersionStatus.ACTIVE }) };
      },
      setVersionStatus: (req) => ({ version: create(SchemaVersionSchema, { schemaId: req.schemaId, status: req.status }) }),
      listVersions: () => ({ versions: [] }),
    });
  });
  return { transport, calls };
}
