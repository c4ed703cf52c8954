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
	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/otlp"
)

// serveAllGRPC serves every signal's OTLP/gRPC service on one server, as
// the ingest does.
func serveAllGRPC(t *testing.T, c ingest.Consumer) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	for _, sig := range otlp.Signals {
		mux.Handle(otlp.NewGRPCHandlerFor(sig, c, otlp.GRPCConfig{MaxBytes: maxBytes}))
	}
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

var protocols = map[string][]connect.ClientOption{
	"grpc":         {connect.WithGRPC()},
	"grpc gzip":    {connect.WithGRPC(), connect.WithSendGzip()},
	"grpc-web":     {connect.WithGRPCWeb()},
	"connect json": {connect.WithProtoJSON()},
}

// TestSignalsGRPCExport: TraceService/Export and LogsService/Export take
// the requests on the metrics' port, in every protocol connect serves, and
// the fast path's plain gRPC among them.
func TestSignalsGRPCExport(t *testing.T) {
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			s := newSink()
			srv := serveAllGRPC(t, s)
			traces := connect.NewClient[coltracepb.ExportTraceServiceRequest, coltracepb.ExportTraceServiceResponse](srv.Client(), srv.URL+otlp.TracesExportProcedure, opts...)
			tres, err := traces.CallUnary(context.Background(), connect.NewRequest(traceRequest()))
			if err != nil || tres.Msg.PartialSuccess != nil {
				t.Fatalf("traces: %v, partial success %v", err, tres)
			}
			logs := connect.NewClient[collogspb.ExportLogsServiceRequest, collogspb.ExportLogsServiceResponse](srv.Client(), srv.URL+otlp.LogsExportProcedure, opts...)
			lres, err := logs.CallUnary(context.Background(), connect.NewRequest(logRequest()))
			if err != nil || lres.Msg.PartialSuccess != nil {
				t.Fatalf("logs: %v, partial success %v", err, lres)
			}
			if got := s.shapes(); len(got) != traceShapes+logShapes {
				t.Errorf("got %d shapes, want %d", len(got), traceShapes+logShapes)
			}
			if len(s.signals) != 2 || s.signals[0] != tracesCase().sig || s.signals[1] != logsCase().sig {
				t.Errorf("consumed signals %v, want traces then logs", s.signals)
			}
			if s.errorCount() != traceErrors {
				t.Errorf("%d spans with status error, want %d", s.errorCount(), traceErrors)
			}
		})
	}
}

// TestSignalsGRPCErrors: over the limit, partly refused, overloaded and
// malformed, as for metrics.
func TestSignalsGRPCErrors(t *testing.T) {
	s := newSink()
	srv := serveAllGRPC(t, s)
	traces := connect.NewClient[coltracepb.ExportTraceServiceRequest, coltracepb.ExportTraceServiceResponse](srv.Client(), srv.URL+otlp.TracesExportProcedure, connect.WithGRPC())
	ctx := context.Background()

	big := traceRequest()
	big.ResourceSpans[0].ScopeSpans[0].Spans[0].Name = strings.Repeat("x", maxBytes)
	if _, err := traces.CallUnary(ctx, connect.NewRequest(big)); connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Errorf("oversized request = %v, want resource_exhausted", err)
	}
	partial := traceRequest()
	partial.ResourceSpans[0].ScopeSpans[0].Spans = append(partial.ResourceSpans[0].ScopeSpans[0].Spans, &tracepb.Span{})
	res, err := traces.CallUnary(ctx, connect.NewRequest(partial))
	if err != nil || res.Msg.GetPartialSuccess().GetRejectedSpans() != 1 {
		t.Errorf("nameless span = %v, %v; want partial success with 1 rejected span", res, err)
	}
	s.err = ingest.ErrOverloaded
	_, err = traces.CallUnary(ctx, connect.NewRequest(traceRequest()))
	var ce *connect.Error
	if connect.CodeOf(err) != connect.CodeUnavailable || !errors.As(err, &ce) || len(ce.Details()) != 1 {
		t.Errorf("overloaded = %v, want unavailable with a RetryInfo detail", err)
	}
	s.err = nil

	for _, c := range signalCases {
		garbage := []byte{0xff, 0xff, 0xff, 0xff, 0x0f}
		frame := append(binary.BigEndian.AppendUint32([]byte{0}, uint32(len(garbage))), garbage...)
		hreq, _ := http.NewRequest(http.MethodPost, srv.URL+c.procedure, bytes.NewReader(frame))
		hreq.Header.Set("Content-Type", "application/grpc")
		hreq.Header.Set("TE", "trailers")
		resp, err := srv.Client().Do(hreq)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if got := resp.Trailer.Get("Grpc-Status"); got != "3" {
			t.Errorf("%s: malformed message: grpc-status %q, want 3 (invalid_argument)", c.name, got)
		}
	}
}
