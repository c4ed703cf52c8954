package forward

import (
	"context"
	"fmt"
	"testing"
	"time"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// mixedRequest is an export from pod of one gauge, name, with points data
// points whose values start at from: a region among three, an int code, a
// bool, a double, a user id (on the default deny list: counted, never
// kept), a list (not scalar) and a constant.
func mixedRequest(pod, name string, from, points int) *colmetricpb.ExportMetricsServiceRequest {
	var pts []*metricspb.NumberDataPoint
	for i := from; i < from+points; i++ {
		pts = append(pts, &metricspb.NumberDataPoint{Attributes: []*commonpb.KeyValue{
			kv("region", []string{"eu", "us", "ap"}[i%3]),
			{Key: "code", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_IntValue{IntValue: int64(200 + i%2)}}},
			{Key: "ok", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_BoolValue{BoolValue: i%2 == 0}}},
			{Key: "ratio", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_DoubleValue{DoubleValue: float64(i) / 3}}},
			kv("user.id", fmt.Sprint("user-", i)),
			{Key: "tags", Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_ArrayValue{ArrayValue: &commonpb.ArrayValue{
				Values: []*commonpb.AnyValue{{Value: &commonpb.AnyValue_StringValue{StringValue: fmt.Sprint("t", i)}}}}}}},
			kv("constant", "same"),
		}})
	}
	return &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{
			kv("service.name", "shop"), kv("service.version", "1.0"), kv("service.instance.id", pod)}},
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{
			{Name: name, Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: pts}}},
		}}},
	}}}
}

// spanRequest is an export of one span with an attribute of its own, an
// event's and a link's.
func spanRequest(n int) *coltracepb.ExportTraceServiceRequest {
	return &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: shopResource, ScopeSpans: []*tracepb.ScopeSpans{{Scope: &commonpb.InstrumentationScope{Name: "otelhttp"}, Spans: []*tracepb.Span{{
			Name: "GET /items/{id}", Kind: tracepb.Span_SPAN_KIND_SERVER,
			Attributes: []*commonpb.KeyValue{kv("http.route", fmt.Sprint("/items/", n%2))},
			Events:     []*tracepb.Span_Event{{Name: "exception", Attributes: []*commonpb.KeyValue{kv("exception.message", fmt.Sprint("boom ", n))}}},
			Links:      []*tracepb.Span_Link{{Attributes: []*commonpb.KeyValue{kv("link.note", fmt.Sprint("note ", n))}}},
		}}}}}}}
}

// sentFigures is every observation sent so far, by signal, name and
// instance, the latest of each.
func sentFigures(cat *fakeCatalog) map[string]*tallycatv1.Observation {
	out := map[string]*tallycatv1.Observation{}
	for _, call := range cat.calls {
		for _, o := range call.Observations {
			out[fmt.Sprint(o.Signal, o.MetricName, o.Name, o.Producer.ServiceInstanceId)] = o
		}
	}
	return out
}

// TestLoggedValuesReportWhatTalliesWould holds the log of the first data
// points' values to what tallying every data point at once gives: the
// same exports, fed to a forwarder that logs and to one that tallies from
// the first data point, are reported with the same figures (series, each
// field's distinct values, kept values with their data points, values
// state), whether a pair saw one data point, a few, more than the log
// holds, more distinct values than are kept, a report that was not
// delivered and given back while more were logged, a second instance of
// its release (a pool), or spans with fields that are not counted.
func TestLoggedValuesReportWhatTalliesWould(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig()
	cfg.Values.Max = 4
	logging, logged, clk := newTest(t, cfg)
	tallying, tallied, _ := newTest(t, cfg)
	tallying.now = logging.now
	tallying.loggedPoints = 0
	in := infer.New()
	addAll := func(req proto.Message) {
		t.Helper()
		var res []byte
		res, _ = proto.Marshal(req)
		for _, f := range []*Forwarder{logging, tallying} {
			scan := in.Scan
			if _, ok := req.(*coltracepb.ExportTraceServiceRequest); ok {
				scan = in.ScanTraces
			}
			out, err := scan(res)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Add(out.Observations, clk.now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	flushBoth := func() {
		t.Helper()
		for _, f := range []*Forwarder{logging, tallying} {
			if err := f.flush(ctx, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	compare := func(when string) {
		t.Helper()
		got, want := sentFigures(logged), sentFigures(tallied)
		if len(got) != len(want) {
			t.Fatalf("%s: %d observations sent, %d by tallies", when, len(got), len(want))
		}
		for k, w := range want {
			g := got[k]
			if !proto.Equal(g.GetSeries(), w.Series) || !proto.Equal(&tallycatv1.Observation{Fields: g.GetFields()}, &tallycatv1.Observation{Fields: w.Fields}) {
				t.Errorf("%s: %s logged:\n%v\n%v\ntallied:\n%v\n%v", when, k, g.GetSeries(), g.GetFields(), w.Series, w.Fields)
			}
		}
	}

	addAll(mixedRequest("pod-1", "one", 0, 1))
	for i := range 3 {
		addAll(mixedRequest("pod-1", "few", i, 1))
	}
	for i := range 7 { // over the log and over Values.Max
		addAll(mixedRequest("pod-1", "many", i, 1))
	}
	addAll(mixedRequest("pod-1", "wide", 0, 6)) // one export over the log
	addAll(spanRequest(0))
	flushBoth()
	compare("first reports")

	// A report that is not delivered comes back to figures that logged
	// since it was taken, to figures tallied since, and to none.
	clk.t = clk.t.Add(time.Minute)
	addAll(mixedRequest("pod-1", "one", 1, 1))
	addAll(mixedRequest("pod-1", "many", 0, 1))
	addAll(mixedRequest("pod-1", "few", 3, 2))
	taken := [][]taken{logging.take(true), tallying.take(true)}
	addAll(mixedRequest("pod-1", "one", 2, 1))
	for i := range 5 {
		addAll(mixedRequest("pod-1", "many", 10+i, 1))
	}
	addAll(spanRequest(1))
	logging.settle(taken[0], false)
	tallying.settle(taken[1], false)
	flushBoth()
	compare("reports given back")

	// A second instance of the release: the pool takes over the lone
	// entry's logged figures.
	clk.t = clk.t.Add(time.Minute)
	addAll(mixedRequest("pod-1", "few", 20, 1))
	addAll(mixedRequest("pod-2", "few", 21, 2))
	flushBoth()
	compare("a release's pool")
}
