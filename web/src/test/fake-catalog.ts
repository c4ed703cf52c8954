import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import {
  CatalogService,
  type ListProducersRequest,
  DiffSchemasResponseSchema,
  GetSchemaResponseSchema,
  SchemaKeySummarySchema,
  type GetSchemaResponse,
} from "@/gen/tallycat/v1/catalog_service_pb";
import { VersioningService } from "@/gen/tallycat/v1/versioning_service_pb";
import {
  FieldPresence,
  FieldSchema,
  FieldSource,
  MetricType,
  ProducerSchema,
  ReleaseSchema,
  SchemaEventKind,
  SchemaEventSchema,
  SchemaSchema,
  SchemaVariantSchema,
  SchemaVersionSchema,
  Temporality,
  ValueType,
  VersionStatus,
  type Field,
  type Schema,
} from "@/gen/tallycat/v1/schema_pb";

const now = timestampFromDate(new Date(Date.now() - 60_000));
const lastWeek = timestampFromDate(new Date(Date.now() - 7 * 24 * 3600_000));

const { ALWAYS, SOMETIMES } = FieldPresence;
const { DATA_POINT, RESOURCE } = FieldSource;

/** field builds a schema field; presence and seen ratio are left unset for a diff or a variant. */
type Presence = { presence?: FieldPresence; seenRatio?: number; typeConflict?: boolean };
function field(name: string, source: FieldSource, valueType: ValueType, more: Presence = {}): Field {
  return create(FieldSchema, { name, source, valueType, firstSeen: lastWeek, lastSeen: now, ...more });
}
const always = { presence: ALWAYS, seenRatio: 1 };
const sometimes = (seenRatio: number) => ({ presence: SOMETIMES, seenRatio });
const conflict = (seenRatio: number) => ({ ...sometimes(seenRatio), typeConflict: true });
const dp = (name: string, valueType: ValueType) => field(name, DATA_POINT, valueType);

const baseSchema = {
  schemaId: "a".repeat(32),
  schemaKey: "http.server.request.duration",
  metricType: MetricType.HISTOGRAM,
  unit: "s",
  temporality: Temporality.CUMULATIVE,
  description: "Duration of HTTP server requests.",
  producerCount: 250,
  releaseCount: 2,
  dataPointCount: 42n,
  firstSeen: lastWeek,
  lastSeen: now,
};

/**
 * schemaA is current: two checkout releases send it, with a field on 12 %
 * of data points, one on under 1 % of instances, and http.route as both a
 * string and an int (a type conflict).
 */
export const schemaA: Schema = create(SchemaSchema, {
  ...baseSchema,
  typeConflict: true,
  fields: [
    field("http.response.status_code", DATA_POINT, ValueType.INT, always),
    field("http.request.method", DATA_POINT, ValueType.STRING, sometimes(5 / 42)),
    field("http.route", DATA_POINT, ValueType.STRING, conflict(33 / 42)),
    field("http.route", DATA_POINT, ValueType.INT, conflict(9 / 42)),
    field("service.name", RESOURCE, ValueType.STRING, always),
    field("host.arch", RESOURCE, ValueType.STRING, sometimes(1 / 250)),
  ],
});

/** schemaB is current too: another shape of the same metric, so the metric diverges. */
export const schemaB: Schema = create(SchemaSchema, {
  ...baseSchema,
  schemaId: "b".repeat(32),
  producerCount: 1,
  releaseCount: 1,
  fields: [field("http.response.status_code", DATA_POINT, ValueType.STRING, always)],
});

/** schemaD is superseded: its only release, checkout 1.4.1, moved to schemaA. It keeps its version. */
export const schemaD: Schema = create(SchemaSchema, {
  ...baseSchema,
  schemaId: "d".repeat(32),
  superseded: true,
  supersededBy: [schemaA.schemaId],
  producerCount: 0,
  releaseCount: 0,
  dataPointCount: 7n,
  currentVersion: { schemaId: "d".repeat(32), version: "0.9.0", status: VersionStatus.ACTIVE, actor: "alice", assignedAt: lastWeek },
  fields: [field("http.response.status_code", DATA_POINT, ValueType.INT, always), field("service.name", RESOURCE, ValueType.STRING, always)],
});

const checkout = { serviceName: "checkout", serviceNamespace: "shop" };

const details: Record<string, MessageInitShape<typeof GetSchemaResponseSchema>> = {
  [schemaA.schemaId]: {
    schema: schemaA,
    variants: [
      { variantId: "1".repeat(32), attributes: [dp("http.response.status_code", ValueType.INT), dp("http.route", ValueType.STRING)], dataPointCount: 33n },
      {
        variantId: "2".repeat(32),
        attributes: [dp("http.response.status_code", ValueType.INT), dp("http.request.method", ValueType.STRING), dp("http.route", ValueType.INT)],
        dataPointCount: 5n,
      },
      { variantId: "3".repeat(32), attributes: [dp("http.response.status_code", ValueType.INT), dp("http.route", ValueType.INT)], dataPointCount: 4n },
    ].map((v) => create(SchemaVariantSchema, { ...v, firstSeen: lastWeek, lastSeen: now })),
    releases: [
      create(ReleaseSchema, { ...checkout, serviceVersion: "1.4.2", instanceCount: 247, dataPointCount: 40n, firstSeen: lastWeek, lastSeen: now }),
      create(ReleaseSchema, { ...checkout, serviceVersion: "1.4.1", instanceCount: 3, dataPointCount: 2n, firstSeen: now, lastSeen: now }),
    ],
    producers: [
      create(ProducerSchema, { ...checkout, serviceVersion: "1.4.2", serviceInstanceId: "i-0a1", firstSeen: lastWeek, lastSeen: now }),
      create(ProducerSchema, { ...checkout, serviceVersion: "1.4.1", serviceInstanceId: "i-9f2", firstSeen: now, lastSeen: now }),
    ],
  },
  [schemaD.schemaId]: {
    schema: schemaD,
    variants: [create(SchemaVariantSchema, { variantId: schemaD.schemaId, attributes: [dp("http.response.status_code", ValueType.INT)], dataPointCount: 7n })],
    releases: [
      create(ReleaseSchema, {
        ...checkout,
        serviceVersion: "1.4.1",
        instanceCount: 1,
        dataPointCount: 7n,
        firstSeen: lastWeek,
        lastSeen: lastWeek,
        supersededBy: schemaA.schemaId,
      }),
    ],
    producers: [
      create(ProducerSchema, { ...checkout, serviceVersion: "1.4.1", serviceInstanceId: "i-9f2", lastSeen: lastWeek, supersededBy: schemaA.schemaId }),
    ],
    versions: [schemaD.currentVersion!],
  },
};

/** movedEvent is checkout 1.4.1 moving from schemaD to schemaA, as the server words it. */
export const movedEvent = create(SchemaEventSchema, {
  schemaKey: schemaA.schemaKey,
  schemaId: schemaD.schemaId,
  targetSchemaId: schemaA.schemaId,
  kind: SchemaEventKind.PRODUCER_MOVED,
  occurredAt: now,
  producer: { ...checkout, serviceVersion: "1.4.1" },
  addedFields: [dp("http.request.method", ValueType.STRING)],
  summary: "checkout 1.4.1 moved from dddddddd to aaaaaaaa: added http.request.method (string)",
});

/** Calls records what the fake catalog was asked, for assertions. */
export type Calls = { listSchemaKeys: string[]; listSchemas: boolean[]; assignVersion: string[]; listProducers: ListProducersRequest[] };

/**
 * fakeCatalog is an in-memory CatalogService and VersioningService on
 * connect's router transport: the UI's real clients, no network.
 */
export function fakeCatalog(opts: { empty?: boolean; failKeys?: boolean } = {}) {
  const calls: Calls = { listSchemaKeys: [], listSchemas: [], assignVersion: [], listProducers: [] };
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
                supersededSchemaCount: 1,
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
      listSchemas(req) {
        calls.listSchemas.push(req.includeSuperseded);
        return { schemas: req.includeSuperseded ? [schemaA, schemaB, schemaD] : [schemaA, schemaB] };
      },
      getSchema(req): GetSchemaResponse {
        const d = details[req.schemaId];
        if (!d) throw new ConnectError(`schema ${req.schemaId} not found`, Code.NotFound);
        return create(GetSchemaResponseSchema, d);
      },
      listProducers(req) {
        calls.listProducers.push(req);
        const service = req.filter.case === "serviceName" ? req.filter.value : "checkout";
        return { producers: [create(ProducerSchema, { serviceName: service, serviceInstanceId: `${service}-pod-1`, schemaCount: 1, lastSeen: now })] };
      },
      // payments has no instance among the producers listed first: the
      // service filter must come from here.
      listServices: () => ({
        services: [
          { serviceName: "checkout", releaseCount: 2, instanceCount: 250, lastSeen: now },
          { serviceName: "payments", releaseCount: 1, instanceCount: 1200, lastSeen: now },
        ],
      }),
      diffSchemas: () =>
        create(DiffSchemasResponseSchema, {
          base: schemaA,
          target: schemaB,
          removed: [dp("http.request.method", ValueType.STRING)],
          changed: [
            { name: "http.response.status_code", base: dp("http.response.status_code", ValueType.INT), target: dp("http.response.status_code", ValueType.STRING) },
          ],
        }),
      listSchemaEvents: () => ({
        events: [
          movedEvent,
          create(SchemaEventSchema, {
            schemaKey: schemaA.schemaKey,
            schemaId: schemaA.schemaId,
            kind: SchemaEventKind.SCHEMA_FIRST_SEEN,
            occurredAt: lastWeek,
            summary: "New schema aaaaaaaa first seen from checkout 1.4.2",
          }),
        ],
      }),
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
