package infer_test

import (
	"fmt"
	"strings"
	"testing"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/services/ingest/infer"
)

func TestLimitsRefusePointsWithReasons(t *testing.T) {
	many := make([]*commonpb.KeyValue, 200)
	for i := range many {
		many[i] = &commonpb.KeyValue{Key: fmt.Sprintf("k%d", i)}
	}
	long := []*commonpb.KeyValue{{Key: strings.Repeat("x", 1<<20)}}
	ok := []*commonpb.KeyValue{{Key: "fine"}}
	req := &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{ScopeMetrics: []*metricspb.ScopeMetrics{{
		Metrics: []*metricspb.Metric{{Name: "m", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{
			{Attributes: many}, {Attributes: long}, {Attributes: ok},
		}}}}},
	}}}}}
	in := infer.NewWithLimits(infer.Limits{MaxAttributes: 128, MaxKeyBytes: 256})
	body, _ := proto.Marshal(req)
	scanned, err := in.Scan(body)
	if err != nil {
		t.Fatal(err)
	}
	decoded := in.Infer(req)
	if scanned.Rejected != 2 || scanned.DataPoints != 1 || len(scanned.Observations) != 1 {
		t.Fatalf("scan: %s", describe(scanned))
	}
	if !strings.Contains(strings.Join(scanned.Reasons, ";"), "200 attributes; the limit is 128") ||
		!strings.Contains(strings.Join(scanned.Reasons, ";"), "key of 1048576 bytes; the limit is 256") {
		t.Errorf("reasons = %q", scanned.Reasons)
	}
	if describe(scanned) != describe(decoded) {
		t.Errorf("scan and decoded disagree under limits:\n%s\n%s", describe(scanned), describe(decoded))
	}
}
