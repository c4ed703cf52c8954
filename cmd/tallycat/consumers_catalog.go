package main

import (
	"context"
	"net/http"
	"os"
	"strings"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/sync/errgroup"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/consumers/promnames"
	cusage "github.com/tallycat/tallycat/internal/consumers/usage"
)

// catalogClient talks to a catalog's CatalogService, with the token and
// timeout conformanceClient uses.
func catalogClient(url string) tallycatv1connect.CatalogServiceClient {
	var opts []connect.ClientOption
	if token := os.Getenv("TALLYCAT_TOKEN"); token != "" {
		opts = append(opts, connect.WithInterceptors(bearer(token)))
	}
	return tallycatv1connect.NewCatalogServiceClient(&http.Client{Timeout: 2 * time.Minute}, strings.TrimRight(url, "/"), opts...)
}

// schemaFetchers is how many ListSchemas calls are in flight at once: the
// catalog answers each from its store in a few milliseconds, and a few at
// a time hide the round trips without crowding a catalog that is serving
// its UI and its ingest too.
const schemaFetchers = 4

// catalogMetrics reads what the check needs of the catalog's metrics, in
// the fewest calls that give it: ListSchemaKeys, a thousand keys a page,
// for the metric keys and their cost over the last hour (what ranks
// unused metrics), then ListSchemas once per key for its current schemas
// (unit, type, monotonicity, temporality, and the fields with their
// source and presence). GetSchema would add producers, variants and
// per-field cardinality, a call per schema, which nothing here reads.
func catalogMetrics(ctx context.Context, url string) ([]cusage.Metric, error) {
	client := catalogClient(url)
	var keys []*tallycatv1.SchemaKeySummary
	for token := ""; ; {
		res, err := client.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{
			Signals: []tallycatv1.Signal{tallycatv1.Signal_SIGNAL_METRIC}, PageSize: 1000, PageToken: token,
			Window: tallycatv1.Window_WINDOW_LAST_HOUR,
		})
		if err != nil {
			return nil, err
		}
		keys = append(keys, res.SchemaKeys...)
		if token = res.NextPageToken; token == "" {
			break
		}
	}
	out := make([]cusage.Metric, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(schemaFetchers)
	for i, k := range keys {
		out[i] = cusage.Metric{Key: k.SchemaKey, Cost: toUsageCost(k.Cost)}
		g.Go(func() error {
			res, err := client.ListSchemas(gctx, &tallycatv1.ListSchemasRequest{SchemaKey: k.SchemaKey, Signal: tallycatv1.Signal_SIGNAL_METRIC})
			if err != nil {
				return err
			}
			for _, s := range res.Schemas {
				out[i].Schemas = append(out[i].Schemas, toUsageSchema(s))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

func toUsageCost(c *tallycatv1.Cost) cusage.Cost {
	out := cusage.Cost{Window: "last hour", Series: c.GetSeriesEstimate(), DataPointsPerMinute: c.GetDataPointsPerMinute()}
	if c != nil && c.EstimatedMonthlyCost != nil {
		v := c.GetEstimatedMonthlyCost()
		out.MonthlyCost = &v
	}
	return out
}

var instruments = map[tallycatv1.MetricType]promnames.Instrument{
	tallycatv1.MetricType_METRIC_TYPE_GAUGE:                 promnames.Gauge,
	tallycatv1.MetricType_METRIC_TYPE_SUM:                   promnames.Sum,
	tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM:             promnames.Histogram,
	tallycatv1.MetricType_METRIC_TYPE_EXPONENTIAL_HISTOGRAM: promnames.ExponentialHistogram,
	tallycatv1.MetricType_METRIC_TYPE_SUMMARY:               promnames.Summary,
}

var temporalities = map[tallycatv1.Temporality]promnames.Temporality{
	tallycatv1.Temporality_TEMPORALITY_DELTA:      promnames.Delta,
	tallycatv1.Temporality_TEMPORALITY_CUMULATIVE: promnames.Cumulative,
}

var sources = map[tallycatv1.FieldSource]promnames.Source{
	tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE:   promnames.Resource,
	tallycatv1.FieldSource_FIELD_SOURCE_SCOPE:      promnames.Scope,
	tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT: promnames.DataPoint,
}

// toUsageSchema keeps what names a schema's series and labels; a field of
// another source (none on a metric) has no label and is left out.
func toUsageSchema(s *tallycatv1.Schema) cusage.Schema {
	out := cusage.Schema{ID: s.SchemaId, Unit: s.Unit, Instrument: instruments[s.MetricType], Monotonic: s.Monotonic,
		Temporality: temporalities[s.Temporality]}
	for _, f := range s.Fields {
		src, ok := sources[f.Source]
		if !ok {
			continue
		}
		out.Fields = append(out.Fields, cusage.Field{Key: f.Name, Source: src,
			Sometimes: f.Presence == tallycatv1.FieldPresence_FIELD_PRESENCE_SOMETIMES, SeenRatio: f.SeenRatio})
	}
	return out
}
