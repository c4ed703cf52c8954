// Package consumerstest holds test doubles of the sources consumers are
// read from, for the tests of the commands that sync them (the CLI's
// `consumers sync` and the catalog's own pulling), so that both hold their
// refusals to the same source.
package consumerstest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
)

// Prometheus is a Prometheus that answers /api/v1/rules with the rules of
// internal/consumers/testdata/prometheus/api-v1-rules.json, or, while the
// returned flag is set, with no rule group at all, as one answers a token
// that may see none. It stops when the test ends.
func Prometheus(t testing.TB) (url string, empty *atomic.Bool) {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	rules, err := os.ReadFile(filepath.Join(filepath.Dir(here), "..", "testdata", "prometheus", "api-v1-rules.json"))
	if err != nil {
		t.Fatal(err)
	}
	empty = new(atomic.Bool)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if empty.Load() {
			w.Write([]byte(`{"status": "success", "data": {"groups": []}}`))
			return
		}
		w.Write(rules)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, empty
}
