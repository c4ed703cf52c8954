package forward

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	. "github.com/tallycat/tallycat/internal/testvocab"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

func kv(k, v string) *commonpb.KeyValue {
	return &commonpb.KeyValue{Key: k, Value: &commonpb.AnyValue{Value: &commonpb.AnyValue_StringValue{StringValue: v}}}
}

// usersRequest is one export of a counter with a point per user in
// [from, to), each in one of three regions.
func usersRequest(from, to int) *colmetricpb.ExportMetricsServiceRequest {
	var pts []*metricspb.NumberDataPoint
	regions := []string{"eu", "us", "ap"}
	for u := from; u < to; u++ {
		pts = append(pts, &metricspb.NumberDataPoint{Attributes: []*commonpb.KeyValue{
			kv("region", regions[u%3]), kv("user.id", fmt.Sprintf("user-%d", u)),
		}})
	}
	return &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("service.name", "shop"), kv("service.instance.id", "pod-1")}},
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{
			Name: "logins", Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{DataPoints: pts}},
		}}}},
	}}}
}

func fieldOf(t *testing.T, o *tallycatv1.Observation, key string) *tallycatv1.FieldFigures {
	t.Helper()
	for _, f := range o.Fields {
		if f.Key == key {
			return f
		}
	}
	t.Fatalf("no figures for %s in %v", key, o.Fields)
	return nil
}

func estimate(t *testing.T, d *tallycatv1.Distinct) uint64 {
	t.Helper()
	set, err := cardinality.DistinctFromWire(d.GetHashes(), d.GetSketch())
	if err != nil {
		t.Fatal(err)
	}
	return set.Estimate()
}

// TestReportsCarryCosts: a report carries the distinct series, a region's
// three values with their data points, and user.id (on the default deny
// list) counted but never listed; a batch the catalog did not take gives
// its figures back to the next one.
func TestReportsCarryCosts(t *testing.T) {
	f, cat, clk := newTest(t, testConfig())
	in := infer.New()
	add := func(from, to int) {
		res := in.Infer(usersRequest(from, to))
		if _, err := f.Add(res.Observations, clk.now()); err != nil {
			t.Fatal(err)
		}
	}
	add(0, 3000)
	// The catalog is down until the context ends: the batch is given back.
	cat.failures = 1 << 30
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	f.flush(ctx, false)
	cancel()
	add(2000, 5000)
	cat.failures = 0
	cat.calls = nil
	if err := f.flush(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	if len(cat.calls) != 1 || len(cat.calls[0].Observations) != 1 {
		t.Fatalf("%d calls, want one observation", len(cat.calls))
	}
	o := cat.calls[0].Observations[0]
	if o.DataPointCount != 6000 {
		t.Errorf("%d data points, want 6,000", o.DataPointCount)
	}
	if got := estimate(t, o.Series); math.Abs(float64(got)-5000)/5000 > 0.02 {
		t.Errorf("series estimate %d, want about 5,000", got)
	}
	region := fieldOf(t, o, "region")
	if region.ValuesState != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_KEPT || len(region.Values) != 3 || estimate(t, region.Distinct) != 3 {
		t.Errorf("region: %v", region)
	}
	total := uint64(0)
	for _, v := range region.Values {
		total += v.DataPoints
	}
	if total != 6000 {
		t.Errorf("region values count %d data points, want 6,000", total)
	}
	user := fieldOf(t, o, "user.id")
	if user.ValuesState != tallycatv1.ExampleValuesState_EXAMPLE_VALUES_STATE_WITHHELD || len(user.Values) != 0 {
		t.Errorf("user.id is on the deny list, yet: %v, %d values", user.ValuesState, len(user.Values))
	}
	if got := estimate(t, user.Distinct); math.Abs(float64(got)-5000)/5000 > 0.02 {
		t.Errorf("user.id distinct %d, want about 5,000", got)
	}
	if inst := fieldOf(t, o, "service.instance.id"); inst.Source != Resource || estimate(t, inst.Distinct) != 1 || len(inst.Values) != 0 {
		t.Errorf("service.instance.id: %v", inst)
	}
	if err := f.validator.Validate(o); err != nil {
		t.Errorf("the catalog would refuse the message: %v", err)
	}
}

// TestValuesCanBeTurnedOff: with values off, nothing is listed, whatever
// the field.
func TestValuesCanBeTurnedOff(t *testing.T) {
	cfg := testConfig()
	cfg.Values.Keep = false
	f, cat, clk := newTest(t, cfg)
	res := infer.New().Infer(usersRequest(0, 10))
	f.Add(res.Observations, clk.now())
	f.flush(context.Background(), true)
	for _, ff := range cat.calls[0].Observations[0].Fields {
		if len(ff.Values) != 0 {
			t.Errorf("%s keeps values %v with values off", ff.Key, ff.Values)
		}
	}
}
