import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { SchemaKeySummarySchema, type GetSchemaResponseSchema, type SchemaKeySummary } from "@/gen/tallycat/v1/catalog_service_pb";
import {
  CostSchema,
  ExampleValuesState,
  FieldPresence,
  FieldSchema,
  FieldSource,
  ProducerSchema,
  ReleaseSchema,
  SchemaSchema,
  SchemaVariantSchema,
  Signal,
  SpanKind,
  ValueType,
  Window,
  type Field,
  type Schema,
} from "@/gen/tallycat/v1/schema_pb";

// The fake catalog's spans and logs: a checkout server span with an
// exception event on its failed requests, a by-scope schema for the span
// names past the limit, and a login log event with a map body.

const now = timestampFromDate(new Date(Date.now() - 60_000));
const lastWeek = timestampFromDate(new Date(Date.now() - 7 * 24 * 3600_000));
const { ALWAYS, SOMETIMES } = FieldPresence;
const { SPAN, EVENT, LINK, LOG_RECORD, BODY, SEVERITY, RESOURCE } = FieldSource;

type More = Partial<Pick<Field, "eventName" | "presence" | "seenRatio" | "exampleValuesState" | "distinctEstimate" | "highCardinality">> & {
  exampleValues?: { value: string; dataPoints: bigint; share: number }[];
};
function field(name: string, source: FieldSource, valueType: ValueType, more: More = {}): Field {
  return create(FieldSchema, { name, source, valueType, firstSeen: lastWeek, lastSeen: now, presence: ALWAYS, seenRatio: 1, ...more });
}
const sometimes = (seenRatio: number): More => ({ presence: SOMETIMES, seenRatio });
const kept = (...values: [string, bigint, number][]): More => ({
  distinctEstimate: BigInt(values.length),
  exampleValuesState: ExampleValuesState.KEPT,
  exampleValues: values.map(([value, dataPoints, share]) => ({ value, dataPoints, share })),
});
const service = field("service.name", RESOURCE, ValueType.STRING, { exampleValuesState: ExampleValuesState.NOT_DATA_POINT, distinctEstimate: 1n });
/** notCounted is a field whose values the catalog does not count: a body's, an event's or a link's. */
const notCounted = (more: More = {}): More => ({ exampleValuesState: ExampleValuesState.NOT_COUNTED, ...more });
const cost = (perMinute: number) => create(CostSchema, { window: Window.LAST_HOUR, dataPointsPerMinute: perMinute, dataPoints: BigInt(perMinute * 60) });

/** spanSchema is checkout's server span GET /users/{id}: 14 of 200 spans failed, each with an exception event; some hit the cache's miss event. */
export const spanSchema: Schema = create(SchemaSchema, {
  schemaId: "5".repeat(32),
  schemaKey: "GET /users/{id}",
  signal: Signal.SPAN,
  spanKind: SpanKind.SERVER,
  dataPointCount: 200n,
  errorCount: 14n,
  producerCount: 2,
  releaseCount: 1,
  firstSeen: lastWeek,
  lastSeen: now,
  fields: [
    field("http.request.method", SPAN, ValueType.STRING, kept(["GET", 200n, 1])),
    field("http.response.status_code", SPAN, ValueType.INT, kept(["200", 186n, 0.93], ["500", 14n, 0.07])),
    field("error.type", SPAN, ValueType.STRING, { ...sometimes(0.07), ...kept(["500", 14n, 1]) }),
    field("user.id", SPAN, ValueType.STRING, { exampleValuesState: ExampleValuesState.WITHHELD, distinctEstimate: 4200n, highCardinality: true }),
    field("", EVENT, ValueType.EMPTY, notCounted({ eventName: "exception", ...sometimes(0.07) })),
    field("exception.type", EVENT, ValueType.STRING, notCounted({ eventName: "exception", ...sometimes(0.07) })),
    field("exception.message", EVENT, ValueType.STRING, notCounted({ eventName: "exception", ...sometimes(0.05) })),
    field("", EVENT, ValueType.EMPTY, notCounted({ eventName: "cache.miss", ...sometimes(0.3) })),
    field("messaging.message.id", LINK, ValueType.STRING, notCounted(sometimes(0.02))),
    service,
  ],
  cost: create(CostSchema, { window: Window.LAST_HOUR, dataPointsPerMinute: 3.3, dataPoints: 200n, estimatedMonthlyCost: 0.29 }),
});

/** byScopeSpanSchema holds the span names otelhttp sent past the limit of distinct names: ids in the path. */
export const byScopeSpanSchema: Schema = create(SchemaSchema, {
  schemaId: "6".repeat(32),
  schemaKey: "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp",
  signal: Signal.SPAN,
  spanKind: SpanKind.SERVER,
  byScope: true,
  nameExamples: ["GET /orders/1001", "GET /orders/1002"],
  dataPointCount: 5000n,
  errorCount: 0n,
  producerCount: 1,
  releaseCount: 1,
  firstSeen: lastWeek,
  lastSeen: now,
  fields: [field("http.request.method", SPAN, ValueType.STRING), service],
});

/** logSchema is checkout's app.login event: INFO or WARN, a map body with a page URL on some records. */
export const logSchema: Schema = create(SchemaSchema, {
  schemaId: "7".repeat(32),
  schemaKey: "app.login",
  signal: Signal.LOG,
  dataPointCount: 120n,
  producerCount: 2,
  releaseCount: 1,
  firstSeen: lastWeek,
  lastSeen: now,
  fields: [
    field("user.role", LOG_RECORD, ValueType.STRING, kept(["admin", 12n, 0.1], ["customer", 108n, 0.9])),
    field("severity_number", SEVERITY, ValueType.INT, kept(["9", 84n, 0.7], ["13", 36n, 0.3])),
    field("severity_text", SEVERITY, ValueType.STRING, kept(["INFO", 84n, 0.7], ["WARN", 36n, 0.3])),
    field("body", BODY, ValueType.MAP, notCounted()),
    field("body.attempts", BODY, ValueType.INT, notCounted()),
    field("body.page.url", BODY, ValueType.STRING, notCounted(sometimes(0.6))),
    service,
  ],
  // 120 records of about 400 bytes over an hour: 800 bytes a minute.
  cost: create(CostSchema, { window: Window.LAST_HOUR, dataPointsPerMinute: 2, dataPoints: 120n, logBytes: 48_000n, logBytesPerMinute: 800 }),
});

const checkout = { serviceName: "checkout", serviceNamespace: "shop", serviceVersion: "1.4.2" };
const detailsOf = (schema: Schema): MessageInitShape<typeof GetSchemaResponseSchema> => ({
  schema,
  releases: [create(ReleaseSchema, { ...checkout, instanceCount: 2, dataPointCount: schema.dataPointCount, firstSeen: lastWeek, lastSeen: now })],
  producers: [create(ProducerSchema, { ...checkout, serviceInstanceId: "i-0a1", firstSeen: lastWeek, lastSeen: now })],
  variants: [create(SchemaVariantSchema, { variantId: schema.schemaId, attributes: schema.fields.filter((f) => f.source !== RESOURCE), dataPointCount: schema.dataPointCount })],
});

/** signalDetails are GetSchema's answers for the span and log schemas, by id. */
export const signalDetails = Object.fromEntries([spanSchema, byScopeSpanSchema, logSchema].map((s) => [s.schemaId, detailsOf(s)]));

const summary = (s: Schema, spanKinds: SpanKind[], perMinute: number): SchemaKeySummary =>
  create(SchemaKeySummarySchema, {
    schemaKey: s.schemaKey,
    signal: s.signal,
    spanKinds,
    schemaCount: 1,
    producerCount: s.producerCount,
    lastSeen: now,
    cost: cost(perMinute),
    byScope: s.byScope,
    dataPointCount: s.dataPointCount,
    errorCount: s.errorCount,
  });

/** loggerKey is checkout's logger: its records without an event name, counted under their scope. */
export const loggerKey: SchemaKeySummary = create(SchemaKeySummarySchema, {
  schemaKey: "com.example.checkout.web",
  signal: Signal.LOG,
  byScope: true,
  schemaCount: 1,
  producerCount: 2,
  lastSeen: now,
  cost: cost(5),
  dataPointCount: 300n,
});

/** signalKeys are ListSchemaKeys' span and log keys. */
export const signalKeys: Record<Signal.SPAN | Signal.LOG, SchemaKeySummary[]> = {
  [Signal.SPAN]: [summary(spanSchema, [SpanKind.SERVER], 3.3), summary(byScopeSpanSchema, [SpanKind.SERVER], 83)],
  [Signal.LOG]: [summary(logSchema, [], 2)],
};

/** signalSchemas are ListSchemas' answer for a span or log key. */
export function signalSchemas(signal: Signal, schemaKey: string): Schema[] {
  return [spanSchema, byScopeSpanSchema, logSchema].filter((s) => s.signal === signal && s.schemaKey === schemaKey);
}
