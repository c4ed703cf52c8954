import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createRouterTransport } from "@connectrpc/connect";
import {
  CatalogService,
  type ListProducersRequest,
  type ListSchemaKeysRequest,
  type ListServicesRequest,
  type ListTopSeriesRequest,
  type ListServiceReleasesResponseSchema,
  DiffSchemasResponseSchema,
  GetSeriesHistoryResponseSchema,
  ListTopSeriesResponseSchema,
  SchemaKeySort,
  GetSchemaResponseSchema,
  SchemaKeySummarySchema,
  type GetSchemaResponse,
  type ListSchemasResponseSchema,
} from "@/gen/tallycat/v1/catalog_service_pb";
import {
  ConformanceService,
  CoverageSchema,
  FindingCountSchema,
  FindingLevel,
  FindingProducerSchema,
  FindingSchema,
  type Finding,
  type FindingCount,
  type FindingProducer,
  type GetConformanceSummaryRequest,
  type ListFindingsRequest,
} from "@/gen/tallycat/v1/conformance_service_pb";
import { ConsumerService } from "@/gen/tallycat/v1/consumer_service_pb";
import { VersioningService } from "@/gen/tallycat/v1/versioning_service_pb";
import { durationBreaks, fakeConsumers, type ConsumerCalls } from "./fake-consumers";
import { fakeProposals } from "./fake-proposals";
import { byScopeSpanSchema, loggerKey, signalDetails, signalKeys, signalSchemas } from "./fake-signals";
import {
  CostSchema,
  ExampleValuesState,
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
  Signal,
  Temporality,
  ValueType,
  VersionStatus,
  Window,
  type Cost,
  type Field,
  type Schema,
} from "@/gen/tallycat/v1/schema_pb";

const now = timestampFromDate(new Date(Date.now() - 60_000));
const lastWeek = timestampFromDate(new Date(Date.now() - 7 * 24 * 3600_000));

const { ALWAYS, SOMETIMES } = FieldPresence;
const { DATA_POINT, RESOURCE } = FieldSource;

/** field builds a schema field; presence and seen ratio are left unset for a diff or a variant. */
type Presence = { presence?: FieldPresence; seenRatio?: number; typeConflict?: boolean } & Partial<Cardinality>;
function field(name: string, source: FieldSource, valueType: ValueType, more: Presence = {}): Field {
  return create(FieldSchema, { name, source, valueType, firstSeen: lastWeek, lastSeen: now, ...more });
}
const always = { presence: ALWAYS, seenRatio: 1 };
const sometimes = (seenRatio: number) => ({ presence: SOMETIMES, seenRatio });
const conflict = (seenRatio: number) => ({ ...sometimes(seenRatio), typeConflict: true });
const dp = (name: string, valueType: ValueType) => field(name, DATA_POINT, valueType);

/** Cost figures: the series estimate and data points a minute over the last hour and over the last day. */
type Figures = { hour: [bigint, number]; day: [bigint, number] };
function costOf(window: Window, f: Figures): Cost {
  const w = window === Window.LAST_DAY ? Window.LAST_DAY : Window.LAST_HOUR;
  const [seriesEstimate, dataPointsPerMinute] = w === Window.LAST_DAY ? f.day : f.hour;
  const minutes = w === Window.LAST_DAY ? 1440 : 60;
  return create(CostSchema, { window: w, seriesEstimate, dataPointsPerMinute, dataPoints: BigInt(Math.round(dataPointsPerMinute * minutes)) });
}
const durationCost: Figures = { hour: [5012n, 12], day: [8400n, 10.5] };
const queueCost: Figures = { hour: [3n, 0.5], day: [4n, 0.5] };

/** values are a field's example values with their shares, most frequent first. */
type Cardinality = Pick<Field, "distinctEstimate" | "highCardinality" | "exampleValuesState"> & { exampleValues?: { value: string; dataPoints: bigint; share: number }[] };
const kept = (...values: [string, bigint, number][]): Cardinality => ({
  distinctEstimate: BigInt(values.length),
  highCardinality: false,
  exampleValuesState: ExampleValuesState.KEPT,
  exampleValues: values.map(([value, dataPoints, share]) => ({ value, dataPoints, share })),
});
const counted = (distinctEstimate: bigint, exampleValuesState: ExampleValuesState, highCardinality = false): Cardinality => ({
  distinctEstimate,
  highCardinality,
  exampleValuesState,
});

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
 * string and an int (a type conflict). Its methods are few and listed
 * with their shares; its string routes and enduser.id carry thousands of
 * values (high cardinality), enduser.id's withheld as the deny list asks.
 */
export const schemaA: Schema = create(SchemaSchema, {
  ...baseSchema,
  typeConflict: true,
  fields: [
    field("http.response.status_code", DATA_POINT, ValueType.INT, { ...always, ...kept(["200", 38n, 0.9], ["500", 4n, 0.1]) }),
    field("http.request.method", DATA_POINT, ValueType.STRING, { ...sometimes(5 / 42), ...kept(["GET", 10n, 2 / 3], ["POST", 5n, 1 / 3]) }),
    field("http.route", DATA_POINT, ValueType.STRING, { ...conflict(33 / 42), ...counted(5012n, ExampleValuesState.TOO_MANY, true) }),
    field("http.route", DATA_POINT, ValueType.INT, {
      ...conflict(9 / 42),
      ...kept(...[1, 2, 3, 4, 5, 6, 7].map((n): [string, bigint, number] => [String(n), BigInt(8 - n), (8 - n) / 28])),
    }),
    field("enduser.id", DATA_POINT, ValueType.STRING, { ...sometimes(3 / 42), ...counted(1200n, ExampleValuesState.WITHHELD, true) }),
    field("service.name", RESOURCE, ValueType.STRING, { ...always, ...counted(1n, ExampleValuesState.NOT_DATA_POINT) }),
    field("host.arch", RESOURCE, ValueType.STRING, { ...sometimes(1 / 250), ...counted(2n, ExampleValuesState.NOT_DATA_POINT) }),
  ],
});

/** schemaB is current too: another shape of the same metric, so the metric diverges. */
export const schemaB: Schema = create(SchemaSchema, {
  ...baseSchema,
  schemaId: "b".repeat(32),
  unit: "ms",
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
  // payments' only release sends schemaB, so that pages can name it by its producer.
  [schemaB.schemaId]: {
    schema: schemaB,
    releases: [create(ReleaseSchema, { serviceName: "payments", serviceNamespace: "shop", serviceVersion: "2.0.0", instanceCount: 1200, dataPointCount: 42n, firstSeen: lastWeek, lastSeen: now })],
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

/** listed is a ListSchemas answer: the schemas, each with its releases as GetSchema has them, without their cost. */
function listed(schemas: Schema[]): MessageInitShape<typeof ListSchemasResponseSchema> {
  return {
    schemas,
    releases: schemas.map((s) => ({
      schemaId: s.schemaId,
      releases: create(GetSchemaResponseSchema, details[s.schemaId] ?? signalDetails[s.schemaId] ?? {}).releases.map((r) => ({ ...r, cost: undefined })),
    })),
  };
}

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

/** releaseCost is each release's share of a schema's cost, by service version. */
const releaseCost: Record<string, Figures> = {
  "1.4.2": { hour: [4800n, 11], day: [8000n, 9.5] },
  "1.4.1": { hour: [212n, 1], day: [400n, 1] },
};

/** withCost is a schema's details with its cost and its releases' over the window asked; a span or log schema keeps its own (see fake-signals). */
function withCost(d: MessageInitShape<typeof GetSchemaResponseSchema>, window: Window): GetSchemaResponse {
  const res = create(GetSchemaResponseSchema, d);
  if (res.schema && !res.schema.superseded && res.schema.signal !== Signal.SPAN && res.schema.signal !== Signal.LOG) {
    res.schema.cost = costOf(window, durationCost);
    for (const r of res.releases) {
      const f = releaseCost[r.serviceVersion];
      if (f && !r.supersededBy) r.cost = costOf(window, f);
    }
  }
  return res;
}

/**
 * history is a metric's ten-minute buckets, oldest first, with a gap of 20
 * minutes. They start on a whole second, as the catalog's buckets do: the
 * chart reckons its window in whole seconds, and a start between two
 * seconds would put the bucket that ends exactly an hour ago in the last
 * hour or not depending on how fast the test ran.
 */
const historyNow = Math.floor(Date.now() / 1000) * 1000;
export const durationHistory = [120, 80, 70, 60, 50, 40, 30, 20, 10, 0].map((minutesAgo, i) => ({
  start: timestampFromDate(new Date(historyNow - (minutesAgo + 10) * 60_000)),
  seriesEstimate: BigInt(4000 + i * 100),
  dataPointsPerMinute: 10 + i / 10,
}));

const { VIOLATION, IMPROVEMENT, INFORMATION } = FindingLevel;
const payments200: FindingProducer[] = [create(FindingProducerSchema, { serviceName: "payments", serviceNamespace: "shop", serviceVersion: "2.0.0" })];
const checkoutReleases = (...versions: string[]): FindingProducer[] =>
  versions.map((serviceVersion) => create(FindingProducerSchema, { ...checkout, serviceVersion }));

/** activeRequestsId and cartItemsId are the schemas of two more metrics checkout sends, known to conformance only. */
export const activeRequestsId = "e".repeat(32);
export const cartItemsId = "f".repeat(32);

/**
 * findings are what the catalog would say of the fake's metrics against
 * semantic conventions v1.44.0: payments sends the duration in ms with the
 * deprecated http.method; checkout sends http.route as a string and an int,
 * no url.scheme (required) or network.protocol.version (recommended), the
 * method FOO, the active requests as a counter, and shop.cart.items, which
 * no registry defines. Most severe first, as ListFindings sorts them.
 */
export const findings: Finding[] = [
  {
    findingId: "unit_mismatch",
    level: VIOLATION,
    schemaId: schemaB.schemaId,
    schemaKey: schemaB.schemaKey,
    expected: "s",
    actual: "ms",
    message: "http.server.request.duration is sent in ms; the semantic conventions define it in s",
    producers: payments200,
  },
  {
    findingId: "deprecated",
    level: VIOLATION,
    schemaId: schemaB.schemaId,
    schemaKey: schemaB.schemaKey,
    attribute: "http.method",
    actual: "http.method",
    replacement: "http.request.method",
    message: "http.method is deprecated: replaced by http.request.method",
    producers: payments200,
  },
  {
    findingId: "type_conflict",
    level: VIOLATION,
    schemaId: schemaA.schemaId,
    schemaKey: schemaA.schemaKey,
    attribute: "http.route",
    expected: "string",
    actual: "string and int",
    message: "checkout sends http.route both as a string and as an int",
    producers: checkoutReleases("1.4.2", "1.4.1"),
  },
  {
    findingId: "required_attribute_not_present",
    level: VIOLATION,
    schemaId: schemaA.schemaId,
    schemaKey: schemaA.schemaKey,
    attribute: "url.scheme",
    expected: "required",
    actual: "not sent",
    message: "url.scheme is required on http.server.request.duration and was not seen",
    producers: checkoutReleases("1.4.2", "1.4.1"),
  },
  {
    findingId: "unexpected_instrument",
    level: VIOLATION,
    schemaId: activeRequestsId,
    schemaKey: "http.server.active_requests",
    expected: "updowncounter",
    actual: "counter",
    message: "http.server.active_requests is a monotonic sum (a counter); the semantic conventions define an updowncounter",
    producers: checkoutReleases("1.4.2"),
  },
  {
    findingId: "missing_metric",
    level: VIOLATION,
    schemaId: cartItemsId,
    schemaKey: "shop.cart.items",
    actual: "shop.cart.items",
    message: "shop.cart.items is not defined by any registry loaded",
    producers: checkoutReleases("1.4.2"),
  },
  {
    findingId: "recommended_attribute_not_present",
    level: IMPROVEMENT,
    schemaId: schemaA.schemaId,
    schemaKey: schemaA.schemaKey,
    attribute: "network.protocol.version",
    message: "network.protocol.version is recommended on http.server.request.duration and was not seen",
    producers: checkoutReleases("1.4.2", "1.4.1"),
  },
  {
    findingId: "undefined_enum_variant",
    level: INFORMATION,
    schemaId: schemaA.schemaId,
    schemaKey: schemaA.schemaKey,
    attribute: "http.request.method",
    actual: "FOO",
    message: "http.request.method has the value FOO, which is not one of its members",
    producers: checkoutReleases("1.4.2"),
  },
  {
    findingId: "not_stable",
    level: INFORMATION,
    schemaId: activeRequestsId,
    schemaKey: "http.server.active_requests",
    expected: "stable",
    actual: "development",
    message: "http.server.active_requests is in development, not stable",
    producers: checkoutReleases("1.4.2"),
  },
].map((f) => create(FindingSchema, { ...f, firstSeen: lastWeek }));

/** extraFindings are enough more to need a second page: legacy metrics no registry defines. */
const extraFindings = Array.from({ length: 55 }, (_, i) =>
  create(FindingSchema, {
    findingId: "missing_metric",
    level: VIOLATION,
    schemaId: (i + 1).toString(16).padStart(32, "0"),
    schemaKey: `shop.legacy.metric_${String(i + 1).padStart(2, "0")}`,
    message: "not defined by any registry loaded",
    producers: payments200,
    firstSeen: lastWeek,
  }),
);

/** spanNameLimit is the finding on otelhttp's span names past the limit of distinct names, with some of them. */
export const spanNameLimit = create(FindingSchema, {
  findingId: "span_name_limit",
  level: FindingLevel.IMPROVEMENT,
  signal: Signal.SPAN,
  schemaId: byScopeSpanSchema.schemaId,
  schemaKey: byScopeSpanSchema.schemaKey,
  message: "more distinct span names than the limit: names that embed ids are counted under the scope",
  examples: byScopeSpanSchema.nameExamples,
  producers: checkoutReleases("1.4.2"),
  firstSeen: lastWeek,
});

/** countBy counts findings by level under each name the key gives them, most violations first. */
function countBy(list: Finding[], key: (f: Finding) => string[]): FindingCount[] {
  const counts = new Map<string, FindingCount>();
  for (const f of list) {
    for (const name of key(f)) {
      const c = counts.get(name) ?? create(FindingCountSchema, { name });
      if (f.level === VIOLATION) c.violations++;
      if (f.level === IMPROVEMENT) c.improvements++;
      if (f.level === INFORMATION) c.information++;
      counts.set(name, c);
    }
  }
  return [...counts.values()].sort((a, b) => b.violations - a.violations || b.improvements - a.improvements || a.name.localeCompare(b.name));
}

/** serviceReleases are what each service's releases send: checkout's 1.4.2 added a span and a log event to what 1.4.1 sent. */
const serviceReleases: Record<string, MessageInitShape<typeof ListServiceReleasesResponseSchema>> = {
  checkout: {
    keys: { metricCount: 2, spanCount: 2, logCount: 1 },
    releases: [
      { serviceNamespace: "shop", serviceVersion: "1.4.2", instanceCount: 2, firstSeen: lastWeek, lastSeen: now, keys: { metricCount: 2, spanCount: 2, logCount: 1 } },
      { serviceNamespace: "shop", serviceVersion: "1.4.1", instanceCount: 248, firstSeen: lastWeek, lastSeen: lastWeek, keys: { metricCount: 2, spanCount: 1 } },
    ],
  },
  payments: { keys: { metricCount: 1 }, releases: [{ serviceVersion: "2.0.0", instanceCount: 1200, lastSeen: now, keys: { metricCount: 1 } }] },
};

/** Calls records what the fake catalog was asked, for assertions. */
export type Calls = {
  listSchemaKeys: string[];
  schemaKeyRequests: ListSchemaKeysRequest[];
  listSchemas: boolean[];
  getSchema: Window[];
  /** getSchemaIds are the schemas GetSchema was asked for, in order. */
  getSchemaIds: string[];
  assignVersion: string[];
  listProducers: ListProducersRequest[];
  listTopSeries: Window[];
  getSeriesHistory: string[];
  listFindings: ListFindingsRequest[];
  exportRegistry: number;
  acceptProposal: string[];
  dismissProposal: { version: string; reason: string }[];
  /** listServiceReleases are the services whose releases were asked for. */
  listServiceReleases: string[];
  /** keyRequests are the calls that name a key, with the signal they name it under. */
  keyRequests: { method: string; schemaKey: string; signal: Signal }[];
  /** listServices, topSeriesRequests and summaryRequests are those calls' requests. */
  listServices: ListServicesRequest[];
  topSeriesRequests: ListTopSeriesRequest[];
  summaryRequests: GetConformanceSummaryRequest[];
  /** consumers are the ConsumerService's calls. */
  consumers: ConsumerCalls;
};

/**
 * fakeCatalog is an in-memory CatalogService and VersioningService on
 * connect's router transport: the UI's real clients, no network.
 */
type Options = {
  /** empty is a catalog with no metric at all: nothing judged. */
  empty?: boolean;
  failKeys?: boolean;
  /** conforming is a catalog whose every metric conforms: no findings. */
  conforming?: boolean;
  /** manyFindings adds enough findings for a second page. */
  manyFindings?: boolean;
  /** staleProposal makes the catalog refuse proposalA as no longer made, and drop it. */
  staleProposal?: boolean;
  /** spanFinding adds the finding on span names past the limit, with examples. */
  spanFinding?: boolean;
  /** logger adds checkout's logger, its records without an event name, to the log keys. */
  logger?: boolean;
  /** noMetrics is a catalog of spans and logs alone: no metric, no series. */
  noMetrics?: boolean;
  /** self adds TallyCat's own telemetry: its metric, its service and its top metric, which requests may leave out. */
  self?: boolean;
  /** noConsumers is a catalog no dashboard or rule was ever synced to. */
  noConsumers?: boolean;
  /** manyConsumers adds 60 recording rules after the others: a second page of consumers. */
  manyConsumers?: boolean;
  /** staleTokens answers the first ListConsumers with a page token ABORTED, as the catalog does once its selection changed. */
  staleTokens?: boolean;
  /** breaks makes proposalA and checkout's move break the dashboard and rule that group the duration by http.route. */
  breaks?: boolean;
};

/** selfKey is TallyCat's own metric that the self option adds. */
export const selfKey = "rpc.server.call.duration";

export function fakeCatalog(opts: Options = {}) {
  const calls: Calls = {
    listSchemaKeys: [],
    schemaKeyRequests: [],
    listSchemas: [],
    getSchema: [],
    getSchemaIds: [],
    assignVersion: [],
    listProducers: [],
    listTopSeries: [],
    getSeriesHistory: [],
    listFindings: [],
    exportRegistry: 0,
    acceptProposal: [],
    dismissProposal: [],
    listServiceReleases: [],
    keyRequests: [],
    listServices: [],
    topSeriesRequests: [],
    summaryRequests: [],
    consumers: { listConsumers: [], listConsumerFindings: [], getUsage: [] },
  };
  const keyRequest = (method: string, schemaKey: string, signal: Signal) => calls.keyRequests.push({ method, schemaKey, signal });
  const proposals = fakeProposals({ ...opts, breaks: opts.breaks ? durationBreaks : undefined }, calls);
  const consumers = fakeConsumers(opts, selfKey, calls.consumers);
  const judged = opts.empty || opts.conforming ? [] : [...findings, ...(opts.manyFindings ? extraFindings : []), ...(opts.spanFinding ? [spanNameLimit] : [])];
  const versions = new Map<string, string>([["1.0.0", schemaB.schemaId]]);
  const transport = createRouterTransport(({ service }) => {
    service(CatalogService, {
      listSchemaKeys(req) {
        calls.listSchemaKeys.push(req.query);
        calls.schemaKeyRequests.push(req);
        if (opts.failKeys) throw new ConnectError("the database is on fire", Code.Unavailable);
        // No signals is metrics only, as the catalog answers.
        const signals = req.signals.length > 0 ? req.signals : [Signal.METRIC];
        const spansAndLogs = opts.empty ? [] : ([Signal.SPAN, Signal.LOG] as const).flatMap((s) => (signals.includes(s) ? signalKeys[s] : []));
        if (opts.logger && signals.includes(Signal.LOG)) spansAndLogs.push(loggerKey);
        const all = opts.empty || opts.noMetrics || !signals.includes(Signal.METRIC)
          ? spansAndLogs
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
                cost: costOf(req.window, durationCost),
                // Checkout's 1.0.0 and payments' deprecated 2.0.0; its producers disagree.
                versions: [
                  { schemaId: schemaA.schemaId, version: "1.0.0", status: VersionStatus.ACTIVE },
                  { schemaId: schemaB.schemaId, version: "2.0.0", status: VersionStatus.DEPRECATED },
                ],
                diverging: true,
              }),
              create(SchemaKeySummarySchema, {
                schemaKey: "queue.depth",
                metricType: MetricType.GAUGE,
                metricTypes: [MetricType.GAUGE],
                schemaCount: 1,
                producerCount: 1,
                lastSeen: now,
                versioned: true,
                cost: costOf(req.window, queueCost),
              }),
              ...(opts.self && !req.excludeSelfTelemetry
                ? [create(SchemaKeySummarySchema, { schemaKey: selfKey, metricType: MetricType.HISTOGRAM, schemaCount: 1, producerCount: 1, lastSeen: now })]
                : []),
              ...spansAndLogs,
            ];
        const rows = all.filter((k) => k.schemaKey.includes(req.query) && (!req.divergingOnly || k.diverging));
        // The cost sorts, as the catalog does them; the others keep the name order.
        const by =
          req.sort === SchemaKeySort.SERIES
            ? (k: (typeof all)[number]) => Number(k.cost?.seriesEstimate ?? 0n)
            : req.sort === SchemaKeySort.DATA_POINT_RATE
              ? (k: (typeof all)[number]) => k.cost?.dataPointsPerMinute ?? 0
              : req.sort === SchemaKeySort.ERROR_SHARE
                ? (k: (typeof all)[number]) => (k.dataPointCount > 0n ? Number(k.errorCount) / Number(k.dataPointCount) : 0)
                : undefined;
        if (by) rows.sort((a, b) => (req.descending ? by(b) - by(a) : by(a) - by(b)));
        return { schemaKeys: rows, totalSize: BigInt(rows.length) };
      },
      listSchemas(req) {
        calls.listSchemas.push(req.includeSuperseded);
        keyRequest("listSchemas", req.schemaKey, req.signal);
        if (req.signal === Signal.SPAN || req.signal === Signal.LOG) return listed(signalSchemas(req.signal, req.schemaKey));
        return listed(req.includeSuperseded ? [schemaA, schemaB, schemaD] : [schemaA, schemaB]);
      },
      getSchema(req): GetSchemaResponse {
        calls.getSchema.push(req.window);
        calls.getSchemaIds.push(req.schemaId);
        const d = details[req.schemaId] ?? signalDetails[req.schemaId];
        if (!d) throw new ConnectError(`schema ${req.schemaId} not found`, Code.NotFound);
        const res = withCost(d, req.window);
        const v = proposals.accepted.get(req.schemaId);
        if (v && res.schema) {
          res.schema.currentVersion = v;
          res.versions.unshift(v);
        }
        return res;
      },
      listTopSeries(req) {
        calls.listTopSeries.push(req.window);
        calls.topSeriesRequests.push(req);
        const window = req.window === Window.LAST_DAY ? Window.LAST_DAY : Window.LAST_HOUR;
        if (opts.empty || opts.noMetrics) return create(ListTopSeriesResponseSchema, { window });
        const duration = costOf(window, durationCost);
        return create(ListTopSeriesResponseSchema, {
          window,
          metrics: [
            ...(opts.self && !req.excludeSelfTelemetry
              ? [{ schemaKey: selfKey, metricType: MetricType.HISTOGRAM, cost: costOf(window, { hour: [9000n, 90], day: [9000n, 90] }), schemaCount: 1 }]
              : []),
            { schemaKey: schemaA.schemaKey, metricType: MetricType.HISTOGRAM, cost: duration, schemaCount: 2 },
            { schemaKey: "queue.depth", metricType: MetricType.GAUGE, cost: costOf(window, queueCost), schemaCount: 1 },
          ],
          releases: [
            { ...checkout, serviceVersion: "1.4.2", cost: costOf(window, releaseCost["1.4.2"]!), metricCount: 2 },
            { serviceName: "payments", serviceVersion: "2.0.0", cost: costOf(window, { hour: [212n, 1.5], day: [300n, 1.4] }), metricCount: 1 },
          ],
          attributes: [
            { schemaKey: schemaA.schemaKey, name: "http.route", source: DATA_POINT, distinctEstimate: 5012n, highCardinality: true, seriesEstimate: duration.seriesEstimate },
            { schemaKey: schemaA.schemaKey, name: "enduser.id", source: DATA_POINT, distinctEstimate: 1200n, highCardinality: true, seriesEstimate: duration.seriesEstimate },
            { schemaKey: schemaA.schemaKey, name: "http.request.method", source: DATA_POINT, distinctEstimate: 2n, seriesEstimate: duration.seriesEstimate },
          ],
        });
      },
      getSeriesHistory(req) {
        calls.getSeriesHistory.push(req.schemaKey);
        keyRequest("getSeriesHistory", req.schemaKey, req.signal);
        const points =
          req.schemaKey === schemaA.schemaKey
            ? durationHistory
            : req.schemaKey === "queue.depth"
              ? durationHistory.slice(-2).map((p) => ({ ...p, seriesEstimate: 3n, dataPointsPerMinute: 0.5 }))
              : [];
        return create(GetSeriesHistoryResponseSchema, { points });
      },
      listProducers(req) {
        calls.listProducers.push(req);
        if (req.filter.case === "schemaKey") keyRequest("listProducers", req.filter.value, req.signal);
        const service = req.filter.case === "serviceName" ? req.filter.value : "checkout";
        return { producers: [create(ProducerSchema, { serviceName: service, serviceInstanceId: `${service}-pod-1`, schemaCount: 1, lastSeen: now })] };
      },
      listServiceReleases(req) {
        calls.listServiceReleases.push(req.serviceName);
        return serviceReleases[req.serviceName] ?? {};
      },
      // payments has no instance among the producers listed first: the
      // service filter must come from here.
      listServices: (req) => {
        calls.listServices.push(req);
        return {
          services: [
            { serviceName: "checkout", releaseCount: 2, instanceCount: 250, lastSeen: now },
            { serviceName: "payments", releaseCount: 1, instanceCount: 1200, lastSeen: now },
            ...(opts.self && !req.excludeSelfTelemetry ? [{ serviceName: "tallycat-catalog", releaseCount: 1, instanceCount: 1, lastSeen: now }] : []),
          ],
        };
      },
      diffSchemas: () =>
        create(DiffSchemasResponseSchema, {
          base: schemaA,
          target: schemaB,
          removed: [dp("http.request.method", ValueType.STRING)],
          changed: [
            { name: "http.response.status_code", base: dp("http.response.status_code", ValueType.INT), target: dp("http.response.status_code", ValueType.STRING) },
          ],
        }),
      listSchemaEvents(req) {
        keyRequest("listSchemaEvents", req.schemaKey, req.signal);
        if (req.signal === Signal.SPAN || req.signal === Signal.LOG) return { events: [] };
        return {
          events: [
            opts.breaks ? create(SchemaEventSchema, { ...movedEvent, breaks: durationBreaks }) : movedEvent,
            create(SchemaEventSchema, {
              schemaKey: schemaA.schemaKey,
              schemaId: schemaA.schemaId,
              kind: SchemaEventKind.SCHEMA_FIRST_SEEN,
              occurredAt: lastWeek,
              summary: "New schema aaaaaaaa first seen from checkout 1.4.2",
            }),
          ],
        };
      },
    });
    service(ConformanceService, {
      listFindings(req) {
        calls.listFindings.push(req);
        if (req.schemaKey) keyRequest("listFindings", req.schemaKey, req.signals.length === 1 ? req.signals[0]! : Signal.UNSPECIFIED);
        const rows = judged.filter(
          (f) =>
            (!req.schemaKey || f.schemaKey === req.schemaKey) &&
            (req.signals.length === 0 || req.signals.includes(f.signal || Signal.METRIC)) &&
            (!req.schemaId || f.schemaId === req.schemaId) &&
            (!req.serviceName || f.producers.some((p) => p.serviceName === req.serviceName)) &&
            (!req.minLevel || f.level <= req.minLevel) &&
            (req.findingIds.length === 0 || req.findingIds.includes(f.findingId)),
        );
        rows.sort((a, b) => a.level - b.level);
        const size = req.pageSize || 100;
        const from = Number(req.pageToken || "0");
        const next = from + size < rows.length ? String(from + size) : "";
        return { findings: rows.slice(from, from + size), nextPageToken: next, totalSize: BigInt(rows.length) };
      },
      getConformanceSummary(req) {
        calls.summaryRequests.push(req);
        const coverage = (defined: bigint, total: bigint) =>
          create(CoverageSchema, { defined, total, ratio: total > 0n ? Number(defined) / Number(total) : 0 });
        if (opts.empty) return { metrics: coverage(0n, 0n), attributes: coverage(0n, 0n), dataPoints: coverage(0n, 0n), registries: ["semconv v1.44.0 (built in)"] };
        const extra = opts.manyFindings ? BigInt(extraFindings.length) : 0n;
        return {
          metrics: opts.conforming ? coverage(2n, 2n) : coverage(2n, 4n + extra),
          attributes: opts.conforming ? coverage(5n, 5n) : coverage(7n, 9n),
          dataPoints: opts.conforming ? coverage(1200n, 1200n) : coverage(1100n, 1200n),
          total: countBy(judged, () => [""])[0],
          byFinding: countBy(judged, (f) => [f.findingId]),
          byService: countBy(judged, (f) => [...new Set(f.producers.map((p) => p.serviceName))]),
          byKey: req.schemaKeys.flatMap((k) => countBy(judged.filter((f) => f.schemaKey === k && (f.signal || Signal.METRIC) === (req.signal || Signal.METRIC)), (f) => [f.schemaKey])),
          registries: ["semconv v1.44.0 (built in)", "/etc/tallycat/registry"],
        };
      },
      exportRegistry() {
        calls.exportRegistry++;
        const text = new TextEncoder();
        return {
          files: [
            { path: "registry_manifest.yaml", content: text.encode("name: tallycat\nsemconv_version: 0.1.0\nschema_base_url: https://tallycat.example/\n") },
            { path: "http/metrics.yaml", content: text.encode("groups:\n  - id: metric.http.server.request.duration\n    type: metric\n") },
            { path: "shop/metrics.yaml", content: text.encode("groups:\n  - id: metric.shop.cart.items\n    type: metric\n") },
          ],
        };
      },
    });
    service(ConsumerService, consumers);
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
      ...proposals.handlers,
      listProposals(req) {
        if (req.schemaKey) keyRequest("listProposals", req.schemaKey, req.signal);
        return proposals.handlers.listProposals(req);
      },
    });
  });
  return { transport, calls };
}
