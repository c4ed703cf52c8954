// Package apitest builds the catalog's HTTP handler for the tests above the
// API (RPC tests, the CLI's, the ingest's and the end-to-end ones) wired as
// tallycat-catalog wires it with no flags: findings judged against the
// built-in semantic conventions, and a new schema judged within a second of
// its batch. Only tests import it.
package apitest

import (
	"net/http"
	"testing"

	"github.com/tallycat/tallycat/internal/semconv"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/conformance"
)

// Findings judges store against the built-in semantic conventions.
func Findings(tb testing.TB, store catalog.Store) *conformance.Findings {
	tb.Helper()
	reg, err := semconv.Builtin()
	if err != nil {
		tb.Fatalf("the built-in semantic conventions do not load: %v", err)
	}
	return &conformance.Findings{Store: store, Judge: conformance.Judge{Registry: reg}}
}

// NewHandler is api.NewHandler with opts.Findings defaulted to Findings,
// and new schemas rejudged before opts.SchemaChanges hear of them.
func NewHandler(tb testing.TB, store catalog.Store, opts api.Options) http.Handler {
	tb.Helper()
	if opts.Findings == nil {
		opts.Findings = Findings(tb, store)
	}
	rejudge := &conformance.Rejudge{Findings: opts.Findings}
	opts.SchemaChanges = append([]api.SchemaChangeEmitter{rejudge}, opts.SchemaChanges...)
	return api.NewHandler(store, opts)
}
