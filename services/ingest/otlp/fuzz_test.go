package otlp_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tallycat/tallycat/services/ingest/otlp"
)

func newHandlerForFuzz() http.Handler { return otlp.NewHTTPHandler(newSink(), maxBytes, 0) }

// FuzzHTTPHandler: whatever body and encoding arrive, the OTLP/HTTP handler
// answers with one of its documented statuses and never panics.
func FuzzHTTPHandler(f *testing.F) {
	pb := fixture(f, "collector-hostmetrics.pb")
	js := fixture(f, "collector-hostmetrics.json")
	f.Add(pb, false, false)
	f.Add(js, true, false)
	f.Add(gz(pb), false, true)
	f.Add([]byte(`{"resourceMetrics":[{"scopeMetrics":[{"metrics":[{"name":"m","sum":{"aggregationTemporality":9,"dataPoints":[{"asInt":"1"}]}}]}]}]}`), true, false)
	f.Add([]byte{}, false, false)
	h := http.Handler(nil)
	f.Fuzz(func(t *testing.T, body []byte, json, gzipped bool) {
		if h == nil {
			h = newHandlerForFuzz()
		}
		req := httptest.NewRequest(http.MethodPost, "/v1/metrics", bytes.NewReader(body))
		req.Header.Set("Content-Type", map[bool]string{true: "application/json", false: "application/x-protobuf"}[json])
		if gzipped {
			req.Header.Set("Content-Encoding", "gzip")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		switch w.Code {
		case 200, 400, 413, 415:
		default:
			t.Fatalf("status %d for a %d-byte body: %s", w.Code, len(body), w.Body)
		}
	})
}
