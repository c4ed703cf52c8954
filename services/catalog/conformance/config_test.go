package conformance

import (
	"testing"

	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// TestIgnoreRulesMatchNames holds an ignore rule's metric glob to the name
// people see, whatever the signal: a span's name matches it as a metric's
// does, although the catalog keeps span keys apart under a prefix.
func TestIgnoreRulesMatchNames(t *testing.T) {
	rule := IgnoreRule{Metric: "GET /users/*", Finding: FindingDeprecated}
	span := Finding{ID: FindingDeprecated, SchemaKey: catalog.StoredKey(schemaid.Span, "GET /users/{id}")}
	if !rule.ignores(span) {
		t.Errorf("%+v does not ignore the span's finding", rule)
	}
	other := Finding{ID: FindingDeprecated, SchemaKey: catalog.StoredKey(schemaid.Span, "POST /orders")}
	if rule.ignores(other) {
		t.Errorf("%+v ignores another span's finding", rule)
	}
	metric := Finding{ID: FindingDeprecated, SchemaKey: "GET /users/x"}
	if !rule.ignores(metric) {
		t.Errorf("%+v does not ignore a metric of a matching name", rule)
	}
}
