package catalog_test

import (
	"testing"

	"github.com/tallycat/tallycat/internal/telemetry"
	"github.com/tallycat/tallycat/services/catalog"
)

// TestSelfIsWhatTallyCatReports: the identity the lists leave out is the
// one TallyCat's binaries put on their own telemetry, so that the two
// cannot drift apart unnoticed.
func TestSelfIsWhatTallyCatReports(t *testing.T) {
	for _, service := range []string{"tallycat-catalog", "tallycat-ingest"} {
		attrs := map[string]string{}
		for _, kv := range telemetry.Resource(service).Attributes() {
			attrs[string(kv.Key)] = kv.Value.AsString()
		}
		if !catalog.IsSelf(attrs["service.namespace"], attrs["service.name"]) {
			t.Errorf("%s reports itself as %v, which IsSelf does not recognise", service, attrs)
		}
	}
	for _, other := range [][2]string{{"", "tallycat-ingest"}, {"shop", "tallycat-catalog"}, {"tallycat", "checkout"}} {
		if catalog.IsSelf(other[0], other[1]) {
			t.Errorf("IsSelf(%q, %q) = true, want a team's service", other[0], other[1])
		}
	}
}
