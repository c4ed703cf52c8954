import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  ConsumerFindingSchema,
  ConsumerFormat,
  ConsumerQuerySchema,
  ConsumerSchema,
  ConsumerStatsSchema,
  type Consumer,
  type ConsumerFinding,
  type GetUsageResponseSchema,
  type ListConsumerFindingsRequest,
  type ListConsumersRequest,
} from "@/gen/tallycat/v1/consumer_service_pb";
import { FindingLevel } from "@/gen/tallycat/v1/conformance_service_pb";
import { ConsumerBreakSchema, ConsumerKind, CostSchema, FieldSource, Window, type ConsumerBreak, type ConsumerRef } from "@/gen/tallycat/v1/schema_pb";

// The fake catalog's consumers: a Grafana dashboard whose Errors panel
// reads the duration in milliseconds (nothing sends that name: the unit
// moved to seconds) and groups by an attribute the metric lacks, an alert
// rule whose second query does not parse, and a clean recording rule
// that keeps every label of the duration's series. Nothing reads
// queue.depth (nor TallyCat's own metric): they are unused.

const synced = timestampFromDate(new Date(Date.now() - 3600_000));
const { VIOLATION, IMPROVEMENT } = FindingLevel;
const duration = "http.server.request.duration";

export const checkoutDashboardId = "cafe".repeat(8);
export const slowRuleId = "beef".repeat(8);
export const ratesRuleId = "f00d".repeat(8);

const refOf = (c: Consumer): ConsumerRef => ({
  $typeName: "tallycat.v1.ConsumerRef",
  consumerId: c.consumerId,
  kind: c.kind,
  title: c.title,
  folder: c.folder,
  source: c.source,
  uid: c.uid,
});

const base = {
  origin: "files:grafana",
  syncedAt: synced,
};

/** missingMetric is the Errors panel reading the duration in milliseconds, which nothing sends since the unit moved to seconds. */
const missingMetric = (consumer: ConsumerRef): ConsumerFinding =>
  create(ConsumerFindingSchema, {
    findingId: "consumer_missing_metric",
    title: "Reads a metric nothing sends",
    level: VIOLATION,
    consumer,
    query: { panel: "Errors", refId: "B", expr: errorsExpr },
    selector: 'http_server_request_duration_milliseconds_count{http_response_status_code=~"5.."}',
    metric: "http_server_request_duration_milliseconds_count",
    near: [{ schemaKey: duration, name: "http_server_request_duration_seconds_count" }],
    message: "http_server_request_duration_milliseconds_count is not a name any current schema is exported as",
  });

/** missingAttribute is the By method panel grouping by http_method, an attribute the duration lacks. */
const missingAttribute = (consumer: ConsumerRef): ConsumerFinding =>
  create(ConsumerFindingSchema, {
    findingId: "consumer_missing_attribute",
    title: "Reads an attribute the metric lacks",
    level: VIOLATION,
    consumer,
    query: { panel: "By method", refId: "A", expr: byMethodExpr },
    metric: "http_server_request_duration_seconds_count",
    schemaKey: duration,
    label: "http_method",
    uses: ["by"],
    message: "http_method is not a label of http.server.request.duration: no producer sends http.method",
  });

const errorsExpr = 'sum(rate(http_server_request_duration_milliseconds_count{http_response_status_code=~"5.."}[1m]))';
const byMethodExpr = "sum by (http_method) (rate(http_server_request_duration_seconds_count[1m]))";
const latencyExpr = "histogram_quantile(0.99, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket[1m])))";

const checkoutShell = create(ConsumerSchema, {
  ...base,
  consumerId: checkoutDashboardId,
  kind: ConsumerKind.DASHBOARD,
  format: ConsumerFormat.GRAFANA_DASHBOARD,
  source: "grafana/dashboards/checkout.json",
  uid: "checkout",
  title: "Checkout",
  folder: "Shop",
  skipped: { loki: 2 },
  queryCount: 3,
  broken: 2,
  violations: 2,
});
const checkoutRef = refOf(checkoutShell);

const slowShell = create(ConsumerSchema, {
  ...base,
  origin: "files:rules",
  consumerId: slowRuleId,
  kind: ConsumerKind.ALERT_RULE,
  format: ConsumerFormat.PROMETHEUS_RULES,
  source: "rules/shop.yaml",
  uid: "shop/CheckoutSlow",
  title: "CheckoutSlow",
  folder: "shop",
  queryCount: 2,
  unparsed: 1,
  broken: 1,
  violations: 1,
});
const slowRef = refOf(slowShell);

const ratesShell = create(ConsumerSchema, {
  ...base,
  origin: "files:rules",
  consumerId: ratesRuleId,
  kind: ConsumerKind.RECORDING_RULE,
  format: ConsumerFormat.PROMETHEUS_RULES,
  source: "rules/shop.yaml",
  uid: "shop/shop:requests:rate1m",
  title: "shop:requests:rate1m",
  folder: "shop",
  queryCount: 1,
});

const unparsedExpr = "sum(rate(http_server_request_duration_seconds_count[1m]) >";
const unparsedError = "1:59: parse error: unexpected end of input";

const query = (init: MessageInitShape<typeof ConsumerQuerySchema>) => create(ConsumerQuerySchema, init);

/** consumers are the stored consumers with their queries, the most broken first, as the catalog orders them. */
export const consumers: Consumer[] = [
  create(ConsumerSchema, {
    ...checkoutShell,
    queries: [
      query({ panel: "Latency", refId: "A", path: "panels[0].targets[0].expr", line: 12, datasource: "prometheus", raw: latencyExpr.replace("[1m]", "[$__rate_interval]"), expr: latencyExpr, schemaKeys: [duration] }),
      query({ panel: "Errors", refId: "B", path: "panels[1].targets[1].expr", line: 40, datasource: "prometheus", raw: errorsExpr, expr: errorsExpr, findings: [missingMetric(checkoutRef)] }),
      query({ panel: "By method", refId: "A", path: "panels[2].targets[0].expr", line: 61, datasource: "prometheus", raw: byMethodExpr, expr: byMethodExpr, schemaKeys: [duration], findings: [missingAttribute(checkoutRef)] }),
    ],
  }),
  create(ConsumerSchema, {
    ...slowShell,
    queries: [
      query({ panel: "CheckoutSlow", path: "groups[0].rules[0].expr", line: 5, raw: "sum by (http_request_method, http_route) (rate(http_server_request_duration_seconds_sum[1m])) > 1", expr: "sum by (http_request_method, http_route) (rate(http_server_request_duration_seconds_sum[1m])) > 1", schemaKeys: [duration] }),
      query({
        panel: "CheckoutSlow",
        refId: "B",
        path: "groups[0].rules[1].expr",
        line: 9,
        raw: unparsedExpr,
        expr: unparsedExpr,
        error: unparsedError,
        findings: [
          create(ConsumerFindingSchema, {
            findingId: "consumer_unparsed_query",
            title: "Query does not parse",
            level: VIOLATION,
            consumer: slowRef,
            query: { panel: "CheckoutSlow", refId: "B", expr: unparsedExpr },
            error: unparsedError,
            message: "the query does not parse, so what it reads is unknown",
          }),
        ],
      }),
    ],
  }),
  create(ConsumerSchema, {
    ...ratesShell,
    queries: [query({ panel: "shop:requests:rate1m", path: "groups[1].rules[0].expr", line: 14, raw: "rate(http_server_request_duration_seconds_count[1m])", expr: "rate(http_server_request_duration_seconds_count[1m])", schemaKeys: [duration] })],
  }),
];

/** listed is a consumer as ListConsumers gives it: without its queries. */
const listed = (c: Consumer): Consumer => create(ConsumerSchema, { ...c, queries: [] });

const costOf = (seriesEstimate: bigint, dataPointsPerMinute: number, estimatedMonthlyCost?: number) =>
  create(CostSchema, { window: Window.LAST_HOUR, seriesEstimate, dataPointsPerMinute, dataPoints: BigInt(Math.round(dataPointsPerMinute * 60)), estimatedMonthlyCost });

/** unusedMetric is a metric no query reads, with its cost over the last hour. */
const unusedMetric = (schemaKey: string, cost: ReturnType<typeof costOf>) =>
  create(ConsumerFindingSchema, {
    findingId: "unused_metric",
    title: "No dashboard or rule reads this metric",
    level: IMPROVEMENT,
    schemaKey,
    cost,
    message: `no dashboard, alert or recording rule reads ${schemaKey}`,
  });

/** usage is who reads each key the fake knows; keys nobody reads have an unused_metric finding instead. */
function usage(): Record<string, MessageInitShape<typeof GetUsageResponseSchema>> {
  return {
    [duration]: {
      consumersSynced: true,
      readers: [
        { consumer: checkoutRef, panel: "Latency", refId: "A", path: "panels[0].targets[0].expr", attributes: ["http.route"] },
        { consumer: checkoutRef, panel: "By method", refId: "A", path: "panels[2].targets[0].expr", attributes: [] },
        { consumer: slowRef, panel: "CheckoutSlow", path: "groups[0].rules[0].expr", attributes: ["http.request.method", "http.route"] },
        { consumer: refOf(ratesShell), panel: "shop:requests:rate1m", allAttributes: true },
      ],
      attributes: [
        { attribute: "http.route", source: FieldSource.DATA_POINT, labels: ["http_route"], readers: 2 },
        { attribute: "http.request.method", source: FieldSource.DATA_POINT, labels: ["http_request_method"], readers: 1 },
      ],
      // The recording rule keeps every label of the series it reads.
      allAttributes: true,
      findings: [
        missingAttribute(checkoutRef),
      ],
    },
    "queue.depth": { consumersSynced: true, findings: [unusedMetric("queue.depth", costOf(3n, 0.5, 0.02))] },
  };
}

/** Options choose the fake's consumers. */
export type ConsumerOptions = {
  /** noConsumers is a catalog no dashboard or rule was ever synced to. */
  noConsumers?: boolean;
  /** manyConsumers adds 60 recording rules after the others: a second page of consumers. */
  manyConsumers?: boolean;
  /** staleTokens answers the first ListConsumers with a page token ABORTED, as the catalog does once its selection changed. */
  staleTokens?: boolean;
  /** self adds TallyCat's own metric, which nothing reads, to the unused ones: ranked first by its cost. */
  self?: boolean;
};

/** ConsumerCalls records what the fake's ConsumerService was asked. */
export type ConsumerCalls = {
  listConsumers: ListConsumersRequest[];
  listConsumerFindings: ListConsumerFindingsRequest[];
  getUsage: string[];
};

const hasLevel = (f: ConsumerFinding, min: FindingLevel) => !min || f.level <= min;

/**
 * fakeConsumers is the fake catalog's ConsumerService: the consumers above,
 * listed, read and judged as the catalog would, or none at all.
 */
export function fakeConsumers(opts: ConsumerOptions, selfKey: string, calls: ConsumerCalls) {
  const more = Array.from({ length: opts.manyConsumers ? 60 : 0 }, (_, i) =>
    create(ConsumerSchema, { ...ratesShell, consumerId: `rate-${i}`, uid: `shop/shop:rate${i}`, title: `shop:rate${i}` }),
  );
  const stored = opts.noConsumers ? [] : [...consumers, ...more];
  let staleTokens = opts.staleTokens ?? false;
  const unused = opts.noConsumers
    ? []
    : [...(opts.self ? [unusedMetric(selfKey, costOf(9000n, 90, 41.5))] : []), unusedMetric("queue.depth", costOf(3n, 0.5, 0.02))];
  const all = [...stored.flatMap((c) => c.queries.flatMap((q) => q.findings)), ...unused];
  const stats = create(ConsumerStatsSchema, {
    consumers: stored.length,
    queries: stored.reduce((n, c) => n + c.queryCount, 0),
    unparsed: stored.reduce((n, c) => n + c.unparsed, 0),
    skipped: opts.noConsumers ? {} : { loki: 2 },
    metrics: opts.noConsumers ? 0 : opts.self ? 3 : 2,
    usedMetrics: opts.noConsumers ? 0 : 1,
  });
  const page = <T>(rows: T[], size: number, token: string) => {
    const from = Number(token || "0");
    const to = from + (size || 50);
    return { rows: rows.slice(from, to), next: to < rows.length ? String(to) : "" };
  };
  return {
    listConsumers(req: ListConsumersRequest) {
      calls.listConsumers.push(req);
      if (staleTokens && req.pageToken) {
        staleTokens = false;
        throw new ConnectError("the selection changed since the page token was cut", Code.Aborted);
      }
      const q = req.query.toLowerCase();
      const rows = stored.filter(
        (c) =>
          (!q || [c.title, c.folder, c.source].some((t) => t.toLowerCase().includes(q))) &&
          (req.kinds.length === 0 || req.kinds.includes(c.kind)) &&
          (!req.brokenOnly || c.broken > 0 || c.unparsed > 0),
      );
      const { rows: shown, next } = page(rows, req.pageSize, req.pageToken);
      return { consumers: shown.map(listed), nextPageToken: next, totalSize: BigInt(rows.length), stats };
    },
    getConsumer(req: { consumerId: string }) {
      const c = stored.find((c) => c.consumerId === req.consumerId);
      if (!c) throw new ConnectError(`consumer ${req.consumerId} not found`, Code.NotFound);
      return { consumer: c };
    },
    listConsumerFindings(req: ListConsumerFindingsRequest) {
      calls.listConsumerFindings.push(req);
      const rows = all.filter(
        (f) =>
          (req.findingIds.length === 0 || req.findingIds.includes(f.findingId)) &&
          hasLevel(f, req.minLevel) &&
          (!req.consumerId || f.consumer?.consumerId === req.consumerId) &&
          (!req.schemaKey || f.schemaKey === req.schemaKey) &&
          !(req.excludeSelfTelemetry && f.schemaKey === selfKey),
      );
      const { rows: shown, next } = page(rows, req.pageSize, req.pageToken);
      return { findings: shown, nextPageToken: next, totalSize: BigInt(rows.length), stats };
    },
    getUsage(req: { schemaKey: string }) {
      calls.getUsage.push(req.schemaKey);
      if (opts.noConsumers) return { consumersSynced: false };
      return usage()[req.schemaKey] ?? { consumersSynced: true };
    },
  };
}

/** breaksOf are what a change removing http.route from the duration would break: the Latency panel and the CheckoutSlow rule. */
export const durationBreaks: ConsumerBreak[] = [
  create(ConsumerBreakSchema, {
    consumer: checkoutRef,
    query: { panel: "Latency", refId: "A", expr: latencyExpr },
    findingId: "consumer_missing_attribute",
    metric: "http_server_request_duration_seconds_bucket",
    label: "http_route",
    message: "groups by http_route, which the change removes",
  }),
  create(ConsumerBreakSchema, {
    consumer: slowRef,
    query: { panel: "CheckoutSlow" },
    findingId: "consumer_missing_attribute",
    metric: "http_server_request_duration_seconds_sum",
    label: "http_route",
    message: "groups by http_route, which the change removes",
  }),
];
