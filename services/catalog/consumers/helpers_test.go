package consumers_test

import (
	"context"
	"os"
	"slices"
	"testing"
	"time"

	colmetricspb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/encoding/protojson"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/consumers"
	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	cservice "github.com/tallycat/tallycat/services/catalog/consumers"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

// TestMain shares one PostgreSQL cluster among the tests when they run on
// PostgreSQL (see storetest); on DuckDB it starts none.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

const (
	testdata   = "../../../internal/consumers/testdata"
	dashboards = testdata + "/grafana/provisioning/dashboards/demo"
	linux      = dashboards + "/linux-dashboard.json"
	collector  = dashboards + "/opentelemetry-collector.json"
)

// prices are the price model the tests' catalog has, so that unused
// metrics carry a monthly cost.
var prices = catalog.Prices{PerThousandSeriesMonth: 5, PerMillionPoints: 0.5}

// hostCatalog is a store holding what a Collector's hostmetrics receiver
// really sent (internal/consumers/testdata/otlp): 15 metrics of one
// release, with the figures an ingest counts from the data points (series
// and each attribute's distinct values), observed five minutes ago so that
// the last hour's costs hold them.
func hostCatalog(t *testing.T) catalog.Store {
	t.Helper()
	store := storetest.Open(t, catalog.CostConfig{Prices: prices})
	obs := hostObservations(t, "host-collector", "", time.Now().UTC().Add(-5*time.Minute))
	if _, err := store.RecordObservations(context.Background(), "hostmetrics", obs); err != nil {
		t.Fatal(err)
	}
	return store
}

// hostObservations are the hostmetrics capture as observations of service
// (in namespace) at: one per metric and attribute set, as an ingest
// reports them.
func hostObservations(t *testing.T, service, namespace string, at time.Time) []catalog.Observation {
	t.Helper()
	b, err := os.ReadFile(testdata + "/otlp/collector-hostmetrics.json")
	if err != nil {
		t.Fatal(err)
	}
	var req colmetricspb.ExportMetricsServiceRequest
	if err := protojson.Unmarshal(b, &req); err != nil {
		t.Fatal(err)
	}
	var out []catalog.Observation
	for _, rm := range req.GetResourceMetrics() {
		for _, sm := range rm.GetScopeMetrics() {
			for _, m := range sm.GetMetrics() {
				sh, points := shapeOf(m)
				for _, dp := range points {
					o := catalog.Observation{Shape: sh, Description: m.GetDescription(),
						Producer:  catalog.ProducerIdentity{ServiceName: service, ServiceNamespace: namespace, ServiceVersion: "0.165.0", ServiceInstanceID: service + "-1"},
						ScopeName: sm.GetScope().GetName(), DataPoints: 1, FirstObserved: at, LastObserved: at.Add(time.Second)}
					var series uint64
					for _, kv := range dp {
						vt, text := valueOf(kv.GetValue())
						o.Shape.Attributes = append(o.Shape.Attributes, schemaid.Attribute{Key: kv.GetKey(), Type: vt})
						h := cardinality.HashString(vt, text)
						series ^= cardinality.Attribute(cardinality.HashKey(kv.GetKey()), h)
						var d cardinality.Distinct
						d.Add(h)
						o.Fields = append(o.Fields, catalog.FieldFigures{Source: tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT, Key: kv.GetKey(),
							Type: vt, Distinct: d, Values: []catalog.ValueCount{{Value: text, DataPoints: 1}},
							State: tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT})
					}
					o.Series.Add(cardinality.Series(1, 2, series))
					o.Normalize()
					out = append(out, o)
				}
			}
		}
	}
	return out
}

// shapeOf is a metric's header and its data points' attributes.
func shapeOf(m *metricspb.Metric) (schemaid.Shape, [][]*commonpb.KeyValue) {
	sh := schemaid.Shape{Name: m.GetName(), Unit: m.GetUnit()}
	var points [][]*commonpb.KeyValue
	switch d := m.GetData().(type) {
	case *metricspb.Metric_Gauge:
		sh.Type = tallycatv1.MetricType_METRIC_TYPE_GAUGE
		for _, p := range d.Gauge.GetDataPoints() {
			points = append(points, p.GetAttributes())
		}
	case *metricspb.Metric_Sum:
		sh.Type, sh.Monotonic = tallycatv1.MetricType_METRIC_TYPE_SUM, d.Sum.GetIsMonotonic()
		sh.Temporality = tallycatv1.Temporality(d.Sum.GetAggregationTemporality())
		for _, p := range d.Sum.GetDataPoints() {
			points = append(points, p.GetAttributes())
		}
	}
	return sh, points
}

func valueOf(v *commonpb.AnyValue) (tallycatv1.ValueType, string) {
	switch x := v.GetValue().(type) {
	case *commonpb.AnyValue_StringValue:
		return tallycatv1.ValueType_VALUE_TYPE_STRING, x.StringValue
	case *commonpb.AnyValue_IntValue:
		return tallycatv1.ValueType_VALUE_TYPE_INT, v.String()
	case *commonpb.AnyValue_BoolValue:
		return tallycatv1.ValueType_VALUE_TYPE_BOOL, v.String()
	}
	return tallycatv1.ValueType_VALUE_TYPE_DOUBLE, v.String()
}

// stored are the consumers read from paths as a sync stores them.
func stored(t *testing.T, paths ...string) []catalog.Consumer {
	t.Helper()
	var out []catalog.Consumer
	for _, p := range paths {
		set := consumers.ReadPath(p, consumers.Options{})
		if err := set.Err(); err != nil {
			t.Fatal(err)
		}
		for _, c := range set.Consumers {
			sc := catalog.Consumer{Kind: string(c.Kind), Format: string(c.Format), Source: c.Source, UID: c.UID, Title: c.Title,
				Folder: c.Folder, Body: catalog.ConsumerBody{Skipped: c.Skipped, Notes: c.Notes}}
			for _, q := range c.Queries {
				sc.Body.Queries = append(sc.Body.Queries, catalog.ConsumerQuery{Panel: q.Panel, RefID: q.RefID, Path: q.Path, Line: q.Line,
					Datasource: q.Datasource, Raw: q.Raw, Expr: q.Expr, GroupLabels: q.GroupLabels})
			}
			out = append(out, sc)
		}
	}
	return out
}

// syncFiles syncs the consumers of paths as the origin "files:test".
func syncFiles(t *testing.T, s *cservice.Service, paths ...string) cservice.SyncResult {
	t.Helper()
	res, err := s.Sync(context.Background(), catalog.ConsumerSync{Origin: "files:test", Consumers: stored(t, paths...)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// titles lists the titles of consumers, in order.
func titles(cs []cservice.Consumer) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Title)
	}
	return out
}

func contains[T comparable](s []T, v T) bool { return slices.Contains(s, v) }
