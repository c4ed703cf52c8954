package main

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/sync/errgroup"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
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

// catalogReader reads what the check needs of the catalog's metrics, in
// the fewest calls that give it. ListSchemaKeys, a thousand keys a page,
// gives every metric key with its units, data types and cost over the
// last hour (what ranks unused metrics); that is enough to tell which keys
// any query may read (cusage.Needed), and ListSchemas, a call per key,
// then gives those keys' current schemas in full: unit, type,
// monotonicity, temporality, and the fields with their source and
// presence. The keys nobody reads need no more than the list: on a catalog
// of 2,000 metrics read by a few dashboards that is a handful of calls
// instead of 2,000. GetSchema would add producers, variants and per-field
// cardinality, a call per schema, which nothing here reads.
type catalogReader struct {
	client  tallycatv1connect.CatalogServiceClient
	metrics []cusage.Metric
	fetched []bool
	// calls counts ListSchemas calls: the keys whose schemas were read.
	calls int
}

func readCatalogKeys(ctx context.Context, url string) (*catalogReader, error) {
	r := &catalogReader{client: catalogClient(url)}
	for token := ""; ; {
		res, err := r.client.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{
			Signals: []tallycatv1.Signal{tallycatv1.Signal_SIGNAL_METRIC}, PageSize: 1000, PageToken: token,
			Window: tallycatv1.Window_WINDOW_LAST_HOUR,
		})
		if err != nil {
			return nil, err
		}
		for _, k := range res.SchemaKeys {
			r.metrics = append(r.metrics, cusage.Metric{Key: k.SchemaKey, Cost: toUsageCost(k.Cost), Schemas: looseSchemas(k)})
			r.fetched = append(r.fetched, false)
		}
		if token = res.NextPageToken; token == "" {
			return r, nil
		}
	}
}

// looseSchemas are what a key's summary says of its schemas: one per unit
// and data type it lists, a sum both monotonic and not (the summary does
// not say), and no fields. They name every series the real ones name, and
// more; cusage.Needed counts on that.
func looseSchemas(k *tallycatv1.SchemaKeySummary) []cusage.Schema {
	units, types := k.Units, k.MetricTypes
	if len(units) == 0 {
		units = []string{k.Unit}
	}
	if len(types) == 0 {
		types = []tallycatv1.MetricType{k.MetricType}
	}
	var out []cusage.Schema
	for _, u := range units {
		for _, t := range types {
			out = append(out, cusage.Schema{Unit: u, Instrument: cusage.InstrumentOf(t)})
			if t == tallycatv1.MetricType_METRIC_TYPE_SUM {
				out = append(out, cusage.Schema{Unit: u, Instrument: cusage.InstrumentOf(t), Monotonic: true})
			}
		}
	}
	return out
}

// fetch reads the current schemas of the given keys (every key for nil)
// that it has not read yet, schemaFetchers calls at a time.
func (r *catalogReader) fetch(ctx context.Context, keys []string) error {
	want := map[string]bool{}
	for _, k := range keys {
		want[k] = true
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(schemaFetchers)
	for i := range r.metrics {
		if r.fetched[i] || (keys != nil && !want[r.metrics[i].Key]) {
			continue
		}
		r.fetched[i] = true
		r.calls++
		g.Go(func() error {
			res, err := r.client.ListSchemas(gctx, &tallycatv1.ListSchemasRequest{SchemaKey: r.metrics[i].Key, Signal: tallycatv1.Signal_SIGNAL_METRIC})
			if err != nil {
				return err
			}
			var schemas []cusage.Schema
			for _, s := range res.Schemas {
				schemas = append(schemas, toUsageSchema(s))
			}
			r.metrics[i].Schemas = schemas
			return nil
		})
	}
	return g.Wait()
}

// complete reports whether every key's schemas were read.
func (r *catalogReader) complete() bool { return !slices.Contains(r.fetched, false) }

func toUsageCost(c *tallycatv1.Cost) cusage.Cost {
	out := cusage.Cost{Window: "last hour", Series: c.GetSeriesEstimate(), DataPointsPerMinute: c.GetDataPointsPerMinute()}
	if c != nil && c.EstimatedMonthlyCost != nil {
		v := c.GetEstimatedMonthlyCost()
		out.MonthlyCost = &v
	}
	return out
}

// toUsageSchema keeps what names a schema's series and labels; a field of
// another source (none on a metric) has no label and is left out.
func toUsageSchema(s *tallycatv1.Schema) cusage.Schema {
	out := cusage.Schema{ID: s.SchemaId, Unit: s.Unit, Instrument: cusage.InstrumentOf(s.MetricType), Monotonic: s.Monotonic,
		Temporality: cusage.TemporalityOf(s.Temporality)}
	for _, f := range s.Fields {
		src, ok := cusage.SourceOf(f.Source)
		if !ok {
			continue
		}
		out.Fields = append(out.Fields, cusage.Field{Key: f.Name, Source: src,
			Sometimes: f.Presence == tallycatv1.FieldPresence_FIELD_PRESENCE_SOMETIMES, SeenRatio: f.SeenRatio})
	}
	return out
}
