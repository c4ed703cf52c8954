package otlp_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/otlp"
)

func serveGRPC(t *testing.T, c ingest.Consumer) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(otlp.NewGRPCHandler(c, otlp.GRPCConfig{MaxBytes: maxBytes}))
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func exportClient(srv *httptest.Server, opts ...connect.ClientOption) *connect.Client[colmetricpb.ExportMetricsServiceRequest, colmetricpb.ExportMetricsServiceResponse] {
	return connect.NewClient[colmetricpb.ExportMetricsServiceRequest, colmetricpb.ExportMetricsServiceResponse](
		srv.Client(), srv.URL+otlp.ExportProcedure, opts...)
}

func TestGRPCExport(t *testing.T) {
	req := &colmetricpb.ExportMetricsServiceRequest{}
	if err := proto.Unmarshal(fixture(t, "collector-hostmetrics.pb"), req); err != nil {
		t.Fatal(err)
	}
	for name, opts := range map[string][]connect.ClientOption{
		"grpc":         {connect.WithGRPC()},
		"grpc gzip":    {connect.WithGRPC(), connect.WithSendGzip()},
		"grpc-web":     {connect.WithGRPCWeb()},
		"connect json": {connect.WithProtoJSON()},
	} {
		t.Run(name, func(t *testing.T) {
			s := newSink()
			srv := serveGRPC(t, s)
			res, err := exportClient(srv, opts...).CallUnary(context.Background(), connect.NewRequest(req))
			if err != nil {
				t.Fatal(err)
			}
			if res.Msg.PartialSuccess != nil {
				t.Errorf("partial success %v for a clean request", res.Msg.PartialSuccess)
			}
			if got := s.shapes(); len(got) != 15 {
				t.Errorf("got %d shapes, want 15", len(got))
			}
		})
	}
}

func TestGRPCErrors(t *testing.T) {
	big := &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{Name: "m", Description: strings.Repeat("x", maxBytes)}}}}}}}
	partial := &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{
			{Data: &metricspb.Metric_Sum{Sum: &metricspb.Sum{DataPoints: []*metricspb.NumberDataPoint{{Attributes: []*commonpb.KeyValue{{Key: "k"}}}}}}},
		}}}}}}

	s := newSink()
	srv := serveGRPC(t, s)
	client := exportClient(srv, connect.WithGRPC())
	ctx := context.Background()

	if _, err := client.CallUnary(ctx, connect.NewRequest(big)); connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Errorf("oversized request = %v, want resource_exhausted", err)
	}
	res, err := client.CallUnary(ctx, connect.NewRequest(partial))
	if err != nil || res.Msg.GetPartialSuccess().GetRejectedDataPoints() != 1 {
		t.Errorf("nameless metric = %v, %v; want partial success with 1 rejected", res, err)
	}
	s.err = ingest.ErrOverloaded
	_, err = client.CallUnary(ctx, connect.NewRequest(partial))
	if connect.CodeOf(err) != connect.CodeUnavailable {
		t.Errorf("overloaded = %v, want unavailable", err)
	}
	var ce *connect.Error
	if !errors.As(err, &ce) || len(ce.Details()) != 1 {
		t.Errorf("overloaded error has no RetryInfo detail: %v", err)
	}
	s.err = nil

	// A malformed message in a well-formed gRPC frame.
	garbage := []byte{0xff, 0xff, 0xff, 0xff, 0x0f}
	frame := make([]byte, 5, 5+len(garbage))
	binary.BigEndian.PutUint32(frame[1:], uint32(len(garbage)))
	frame = append(frame, garbage...)
	hreq, _ := http.NewRequest(http.MethodPost, srv.URL+otlp.ExportProcedure, bytes.NewReader(frame))
	hreq.Header.Set("Content-Type", "application/grpc")
	hreq.Header.Set("TE", "trailers")
	resp, err := srv.Client().Do(hreq)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := resp.Trailer.Get("Grpc-Status"); got != "3" {
		t.Errorf("malformed message: grpc-status %q, want 3 (invalid_argument)", got)
	}
}
