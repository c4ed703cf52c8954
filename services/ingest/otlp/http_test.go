package otlp_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricspb "go.opentelemetry.io/proto/otlp/metrics/v1"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/tallycat/tallycat/services/ingest"
	"github.com/tallycat/tallycat/services/ingest/otlp"
)

const maxBytes = 1 << 20

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func post(t *testing.T, url, contentType, encoding string, body []byte) *http.Response {
	t.Helper()
	return postPath(t, url+otlp.MetricsPath, contentType, encoding, body)
}

func postPath(t *testing.T, url, contentType, encoding string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zst(b []byte) []byte {
	w, _ := zstd.NewWriter(nil)
	return w.EncodeAll(b, nil)
}

func serveHTTP(t *testing.T, c ingest.Consumer) string {
	t.Helper()
	srv := httptest.NewServer(otlp.NewHTTPHandler(c, maxBytes, 0))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestJSONAndProtobufAgree: the same data as protobuf, as OTLP/JSON with
// 64-bit integers as strings, and as numbers with unknown fields, gives the
// same schemas; compressed or not.
func TestJSONAndProtobufAgree(t *testing.T) {
	cases := []struct{ name, file, contentType, encoding string }{
		{"protobuf", "collector-hostmetrics.pb", "application/x-protobuf", ""},
		{"protobuf gzip", "collector-hostmetrics.pb", "application/x-protobuf", "gzip"},
		{"protobuf zstd", "collector-hostmetrics.pb", "application/x-protobuf", "zstd"},
		{"json int64 as strings", "collector-hostmetrics.json", "application/json", ""},
		{"json int64 as numbers", "collector-hostmetrics-int64-numbers.json", "application/json; charset=utf-8", "gzip"},
	}
	var want map[string]uint64
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newSink()
			url := serveHTTP(t, s)
			body := fixture(t, tc.file)
			switch tc.encoding {
			case "gzip":
				body = gz(body)
			case "zstd":
				body = zst(body)
			}
			resp := post(t, url, tc.contentType, tc.encoding, body)
			if resp.StatusCode != http.StatusOK {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("status %d: %s", resp.StatusCode, b)
			}
			wantType := strings.SplitN(tc.contentType, ";", 2)[0]
			if got := resp.Header.Get("Content-Type"); got != wantType {
				t.Errorf("response content type %q, want %q", got, wantType)
			}
			got := s.shapes()
			if len(got) != 15 {
				t.Fatalf("got %d shapes, want 15", len(got))
			}
			if want == nil {
				want = got
			} else if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("shapes differ from protobuf:\n got %v\nwant %v", got, want)
			}
		})
	}
}

func readStatus(t *testing.T, resp *http.Response, json bool) *spb.Status {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	st := &spb.Status{}
	if json {
		err = protojson.Unmarshal(b, st)
	} else {
		err = proto.Unmarshal(b, st)
	}
	if err != nil {
		t.Fatalf("body is not a google.rpc.Status (%v): %q", err, b)
	}
	return st
}

func TestHTTPBadInput(t *testing.T) {
	s := newSink()
	url := serveHTTP(t, s)
	valid := fixture(t, "collector-hostmetrics.pb")
	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	badUTF8, _ := proto.Marshal(&colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{{Name: "m", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{
			DataPoints: []*metricspb.NumberDataPoint{{Attributes: []*commonpb.KeyValue{{Key: "ok"}}}}}}}}}}}}})
	badUTF8 = bytes.Replace(badUTF8, []byte("ok"), []byte{0xff, 0xfe}, 1)
	bomb := gz(make([]byte, maxBytes+1)) // about 1 KiB that inflates past the limit

	tests := []struct {
		name        string
		contentType string
		encoding    string
		body        []byte
		status      int
		says        string
	}{
		{"random bytes", "application/x-protobuf", "", random, 400, "malformed application/x-protobuf body"},
		{"truncated protobuf", "application/x-protobuf", "", valid[:len(valid)/2], 400, "malformed"},
		{"broken json", "application/json", "", []byte(`{"resourceMetrics": [`), 400, "malformed application/json body"},
		{"invalid UTF-8 in an attribute key", "application/x-protobuf", "", badUTF8, 400, "UTF-8"},
		{"wrong content type", "text/plain", "", valid, 415, "unsupported Content-Type"},
		{"unknown encoding", "application/x-protobuf", "br", valid, 415, "unsupported Content-Encoding"},
		{"bad gzip", "application/x-protobuf", "gzip", valid, 400, "gzip"},
		{"oversized", "application/x-protobuf", "", make([]byte, maxBytes+1), 413, "too large"},
		{"gzip bomb", "application/x-protobuf", "gzip", bomb, 413, "after decompression"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := post(t, url, tt.contentType, tt.encoding, tt.body)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			st := readStatus(t, resp, resp.Header.Get("Content-Type") == "application/json")
			if !strings.Contains(st.Message, tt.says) {
				t.Errorf("status message %q does not say %q", st.Message, tt.says)
			}
		})
	}
	// After all that, it still serves.
	if resp := post(t, url, "application/x-protobuf", "", valid); resp.StatusCode != 200 {
		t.Errorf("valid request after bad ones: status %d", resp.StatusCode)
	}
	resp, err := http.Get(url + otlp.MetricsPath)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET = %d, want 405", resp.StatusCode)
	}
}

func TestHTTPOverloadAndPartialSuccess(t *testing.T) {
	s := newSink()
	s.err = ingest.ErrOverloaded
	url := serveHTTP(t, s)
	resp := post(t, url, "application/json", "", fixture(t, "collector-hostmetrics.json"))
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("overloaded: status %d, Retry-After %q; want 503 and 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if st := readStatus(t, resp, true); st.Code != 14 {
		t.Errorf("status code %d, want 14 (unavailable)", st.Code)
	}

	s.err = nil
	body, _ := protojson.Marshal(&colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricspb.ResourceMetrics{{
		ScopeMetrics: []*metricspb.ScopeMetrics{{Metrics: []*metricspb.Metric{
			{Name: "", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{{}, {}, {}}}}},
			{Name: "kept", Data: &metricspb.Metric_Gauge{Gauge: &metricspb.Gauge{DataPoints: []*metricspb.NumberDataPoint{{}}}}},
		}}}}}})
	resp = post(t, url, "application/json", "", body)
	if resp.StatusCode != 200 {
		t.Fatalf("partly bad request: status %d", resp.StatusCode)
	}
	b, _ := io.ReadAll(resp.Body)
	out := &colmetricpb.ExportMetricsServiceResponse{}
	if err := protojson.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	if ps := out.PartialSuccess; ps.GetRejectedDataPoints() != 3 || !strings.Contains(ps.GetErrorMessage(), "no name") {
		t.Errorf("partial success = %v, want 3 rejected for having no name", ps)
	}
	if got := s.shapes(); len(got) != 1 {
		t.Errorf("kept %d shapes, want the one good metric", len(got))
	}
}
