package forward

import (
	"context"
	"testing"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	"google.golang.org/protobuf/proto"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/ingest/infer"
)

// hostRequest is an export of two metrics from one instance of a
// release of service "shop", running on host.
func hostRequest(pod, version, host string) *colmetricpb.ExportMetricsServiceRequest {
	point := []*metricspb.NumberDataPoint{{Attributes: []*commonpb.KeyValue{kv("region", "eu")}}}
	return &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{
			kv("service.name", "shop"), kv("service.version", version), kv("service.instance.id", pod), kv("host.name", host),
		}},
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{
			{Name: "logins", Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{DataPoints: point}}},
			{Name: "carts", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: point}}},
		}}},
	}}}
}

// sentByInstance is a batch's messages by instance and metric.
func sentByInstance(req *tallycatv1.RecordObservationsRequest) map[[2]string]*tallycatv1.Observation {
	out := map[[2]string]*tallycatv1.Observation{}
	for _, o := range req.Observations {
		out[[2]string{o.Producer.ServiceInstanceId, o.MetricName}] = o
	}
	return out
}

// TestBatchMessagesShareOnlyWhatIsTheSame: the messages of one batch
// share a producer's identity and resource figures and a shape's keys,
// and each still says what its own observation says: two releases'
// instances on different hosts (the same resource keys, other values),
// sent in one batch, give the messages each one's own batch gives; and an
// instance's next data points, from another host, do not change a message
// already built.
func TestBatchMessagesShareOnlyWhatIsTheSame(t *testing.T) {
	ctx := context.Background()
	in := infer.New()
	pods := []struct{ pod, version, host string }{{"pod-1", "1.0", "node-a"}, {"pod-2", "2.0", "node-b"}}

	// The reference: each instance alone in its own forwarder and batch.
	want := map[[2]string]*tallycatv1.Observation{}
	for _, p := range pods {
		f, cat, clk := newTest(t, testConfig())
		if _, err := f.Add(in.Infer(hostRequest(p.pod, p.version, p.host)).Observations, clk.now()); err != nil {
			t.Fatal(err)
		}
		f.flush(ctx, false)
		for k, o := range sentByInstance(cat.calls[0]) {
			want[k] = o
		}
	}

	f, cat, clk := newTest(t, testConfig())
	for _, p := range pods {
		if _, err := f.Add(in.Infer(hostRequest(p.pod, p.version, p.host)).Observations, clk.now()); err != nil {
			t.Fatal(err)
		}
	}
	f.flush(ctx, false)
	if cat.count() != 1 || len(cat.calls[0].Observations) != 4 {
		t.Fatalf("%d batches, want one of 4 observations", cat.count())
	}
	got := sentByInstance(cat.calls[0])
	before := proto.Clone(cat.calls[0])
	for k, w := range want {
		g := got[k]
		if g == nil {
			t.Fatalf("nothing sent for %v", k)
		}
		w = proto.Clone(w).(*tallycatv1.Observation)
		w.FirstObserved, w.LastObserved = g.FirstObserved, g.LastObserved
		if !proto.Equal(g, w) {
			t.Errorf("%v in a shared batch:\n%v\nalone:\n%v", k, g, w)
		}
	}
	logins, carts := got[[2]string{"pod-1", "logins"}], got[[2]string{"pod-1", "carts"}]
	if resourceField(logins) == nil {
		t.Fatal("no resource figures sent")
	}
	if logins.Producer != carts.Producer || resourceField(logins) != resourceField(carts) {
		t.Error("two observations of one instance do not share its identity and resource figures")
	}
	if other := got[[2]string{"pod-2", "logins"}]; other.DataPointAttributes[0] != logins.DataPointAttributes[0] {
		t.Error("two instances' observations of one shape do not share its keys")
	}

	// pod-1 moves to another host before its batch is marshalled again (a
	// retry): the message keeps the resource values it was built with.
	if _, err := f.Add(in.Infer(hostRequest("pod-1", "1.0", "node-c")).Observations, clk.now()); err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(cat.calls[0], before) {
		t.Error("an instance's later data points changed a batch already built")
	}
}

// resourceField is a message's first resource figures.
func resourceField(o *tallycatv1.Observation) *tallycatv1.FieldFigures {
	for _, f := range o.Fields {
		if f.Source == tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE {
			return f
		}
	}
	return nil
}
