package otlp_test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	collogspb "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	logspb "go.opentelemetry.io/proto/otlp/logs/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/infer"
	"github.com/tallycat/tallycat/services/ingest/otlp"
)

// serveSignal serves one signal's OTLP/HTTP handler at its path.
func serveSignal(t *testing.T, c signalCase, consumer ingest.Consumer) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle(c.path, otlp.NewHTTPHandlerFor(c.sig, consumer, maxBytes, 0))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + c.path
}

// TestSignalsJSONAndProtobufAgree: traces and logs as protobuf and as
// OTLP/JSON (hex ids), plain, gzip and zstd, give the same shapes.
func TestSignalsJSONAndProtobufAgree(t *testing.T) {
	for _, c := range signalCases {
		t.Run(c.name, func(t *testing.T) {
			var want map[string]uint64
			for _, tc := range []struct{ name, contentType, encoding string }{
				{"protobuf", "application/x-protobuf", ""},
				{"protobuf gzip", "application/x-protobuf", "gzip"},
				{"protobuf zstd", "application/x-protobuf", "zstd"},
				{"json", "application/json", ""},
				{"json gzip", "application/json; charset=utf-8", "gzip"},
			} {
				s := newSink()
				url := serveSignal(t, c, s)
				body := c.protobuf(t)
				if strings.HasPrefix(tc.contentType, "application/json") {
					body = c.json(t)
				}
				switch tc.encoding {
				case "gzip":
					body = gz(body)
				case "zstd":
					body = zst(body)
				}
				resp := postPath(t, url, tc.contentType, tc.encoding, body)
				if resp.StatusCode != http.StatusOK {
					b, _ := io.ReadAll(resp.Body)
					t.Fatalf("%s: status %d: %s", tc.name, resp.StatusCode, b)
				}
				got := s.shapes()
				var items uint64
				for _, n := range got {
					items += n
				}
				if len(got) != c.shapes || items != uint64(c.items) || s.signals[0] != c.sig {
					t.Fatalf("%s: %d shapes of %d items from signal %v; want %d of %d from %v", tc.name, len(got), items, s.signals[0], c.shapes, c.items, c.sig)
				}
				if c.sig == tracesCase().sig && s.errorCount() != traceErrors {
					t.Errorf("%s: %d spans with status error, want %d", tc.name, s.errorCount(), traceErrors)
				}
				if want == nil {
					want = got
				} else if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: shapes differ from protobuf:\n got %v\nwant %v", tc.name, got, want)
				}
			}
		})
	}
}

func tracesCase() signalCase { return signalCases[0] }
func logsCase() signalCase   { return signalCases[1] }

// TestSignalsHTTPBadInput: what the metrics handler refuses, the traces and
// logs handlers refuse alike, with a google.rpc.Status naming why.
func TestSignalsHTTPBadInput(t *testing.T) {
	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	bomb := gz(make([]byte, maxBytes+1))
	for _, c := range signalCases {
		t.Run(c.name, func(t *testing.T) {
			url := serveSignal(t, c, newSink())
			valid := c.protobuf(t)
			badUTF8 := bytes.Replace(valid, []byte("service.name"), []byte("service\xffname"), 1)
			for _, tt := range []struct {
				name, contentType, encoding string
				body                        []byte
				status                      int
				says                        string
			}{
				{"random bytes", "application/x-protobuf", "", random, 400, "malformed application/x-protobuf body"},
				{"truncated protobuf", "application/x-protobuf", "", valid[:len(valid)/2], 400, "malformed"},
				{"broken json", "application/json", "", c.json(t)[:20], 400, "malformed application/json body"},
				{"invalid UTF-8 in an attribute key", "application/x-protobuf", "", badUTF8, 400, "UTF-8"},
				{"wrong content type", "text/plain", "", valid, 415, "unsupported Content-Type"},
				{"unknown encoding", "application/x-protobuf", "br", valid, 415, "unsupported Content-Encoding"},
				{"bad gzip", "application/x-protobuf", "gzip", valid, 400, "gzip"},
				{"oversized", "application/x-protobuf", "", make([]byte, maxBytes+1), 413, "too large"},
				{"gzip bomb", "application/x-protobuf", "gzip", bomb, 413, "after decompression"},
			} {
				resp := postPath(t, url, tt.contentType, tt.encoding, tt.body)
				if resp.StatusCode != tt.status {
					t.Errorf("%s: status = %d, want %d", tt.name, resp.StatusCode, tt.status)
					continue
				}
				if st := readStatus(t, resp, resp.Header.Get("Content-Type") == "application/json"); !strings.Contains(st.Message, tt.says) {
					t.Errorf("%s: status message %q does not say %q", tt.name, st.Message, tt.says)
				}
			}
			if resp := postPath(t, url, "application/x-protobuf", "", valid); resp.StatusCode != 200 {
				t.Errorf("valid request after bad ones: status %d", resp.StatusCode)
			}
			resp, err := http.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			if st := readStatus(t, resp, true); resp.StatusCode != http.StatusMethodNotAllowed || !strings.Contains(st.Message, "OTLP/HTTP "+c.name) {
				t.Errorf("GET = %d %q, want 405 naming %s", resp.StatusCode, st.Message, c.name)
			}
		})
	}
}

// TestSignalsHTTPOverloadAndPartialSuccess: an overloaded ingest answers 503
// with Retry-After; what inference refuses comes back as rejected_spans or
// rejected_log_records with the reason, the rest being kept.
func TestSignalsHTTPOverloadAndPartialSuccess(t *testing.T) {
	for _, c := range signalCases {
		s := newSink()
		s.err = ingest.ErrOverloaded
		url := serveSignal(t, c, s)
		resp := postPath(t, url, "application/json", "", c.json(t))
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
			t.Errorf("%s overloaded: status %d, Retry-After %q; want 503 and 1", c.name, resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if st := readStatus(t, resp, true); st.Code != 14 {
			t.Errorf("%s: status code %d, want 14 (unavailable)", c.name, st.Code)
		}
	}

	// Spans without a name are refused; the others are kept.
	s := newSink()
	url := serveSignal(t, tracesCase(), s)
	req := traceRequest()
	spans := req.ResourceSpans[0].ScopeSpans[0]
	spans.Spans = append(spans.Spans, &tracepb.Span{Kind: tracepb.Span_SPAN_KIND_INTERNAL}, &tracepb.Span{})
	body, _ := protojson.Marshal(req)
	resp := postPath(t, url, "application/json", "", body)
	b, _ := io.ReadAll(resp.Body)
	out := &coltracepb.ExportTraceServiceResponse{}
	if err := protojson.Unmarshal(b, out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, %v: %s", resp.StatusCode, err, b)
	}
	if ps := out.PartialSuccess; ps.GetRejectedSpans() != 2 || !strings.Contains(ps.GetErrorMessage(), "no name") {
		t.Errorf("partial success = %v, want 2 spans rejected for having no name", ps)
	}
	if got := s.shapes(); len(got) != traceShapes {
		t.Errorf("kept %d shapes, want the %d of the named spans", len(got), traceShapes)
	}

	// Log records over the ingest's limits are refused, in protobuf.
	s = &sink{inferrer: infer.NewWithLimits(infer.Limits{MaxKeyBytes: 16})}
	url = serveSignal(t, logsCase(), s)
	lreq := logRequest()
	records := lreq.ResourceLogs[0].ScopeLogs[0]
	records.LogRecords = append(records.LogRecords, &logspb.LogRecord{Attributes: []*commonpb.KeyValue{strKV(strings.Repeat("k", 17), "v")}})
	body, _ = proto.Marshal(lreq)
	resp = postPath(t, url, "application/x-protobuf", "", body)
	b, _ = io.ReadAll(resp.Body)
	lout := &collogspb.ExportLogsServiceResponse{}
	if err := proto.Unmarshal(b, lout); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, %v: %q", resp.StatusCode, err, b)
	}
	if ps := lout.PartialSuccess; ps.GetRejectedLogRecords() != 1 || !strings.Contains(ps.GetErrorMessage(), "the limit is 16") {
		t.Errorf("partial success = %v, want 1 log record rejected over the key limit", ps)
	}
	if got := s.shapes(); len(got) != logShapes {
		t.Errorf("kept %d shapes, want %d", len(got), logShapes)
	}
}
