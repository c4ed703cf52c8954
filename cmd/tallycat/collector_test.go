package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/conformance"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
)

// TestCollectorConfigCommand: the command prints the catalog's processors,
// or writes them into --out and names the file; a wrong flag is trouble.
func TestCollectorConfigCommand(t *testing.T) {
	rules, err := conformance.ParsePolicy([]byte("rules:\n  - name: no-email\n    banned_attributes: [user.email]\n"))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := semconv.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	store, err := duckdb.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	findings := &conformance.Findings{Store: store, Judge: conformance.Judge{Registry: reg, Policies: rules}}
	srv := httptest.NewServer(apitest.NewHandler(t, store, api.Options{Findings: findings}))
	t.Cleanup(srv.Close)

	const want = `delete_key(datapoint.attributes, "user.email")`
	code, out, errs := runCLI("collector-config", "--catalog", srv.URL, "--cardinality-caps")
	if code != exitOK || !strings.Contains(out, want) || !strings.HasPrefix(out, "# ") {
		t.Errorf("print: exit %d, %s, output:\n%s", code, errs, out)
	}
	file := filepath.Join(t.TempDir(), "tallycat-processors.yaml")
	code, out, errs = runCLI("collector-config", "--catalog", srv.URL, "--out", file)
	written, _ := os.ReadFile(file)
	if code != exitOK || strings.TrimSpace(out) != file || !strings.Contains(string(written), want) {
		t.Errorf("--out: exit %d, %s, output %q, file:\n%s", code, errs, out, written)
	}
	if code, _, errs := runCLI("collector-config", "--catalog", srv.URL, "--bogus"); code != exitTrouble || !strings.Contains(errs, "collector-config") {
		t.Errorf("a wrong flag: exit %d, %s", code, errs)
	}
	if code, _, errs := runCLI("collector-config", "--catalog", "http://127.0.0.1:1"); code != exitTrouble || !strings.Contains(errs, "cannot be reached") {
		t.Errorf("no catalog: exit %d, %s", code, errs)
	}
}
