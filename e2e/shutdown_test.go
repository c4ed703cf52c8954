package e2e

import (
	"path/filepath"
	"testing"

	"github.com/tallycat/tallycat/internal/testenv"
)

// TestShutdownWithTelemetryReceiverGone: both services export their own
// metrics to an ingest; when it has already gone (the order make run stops
// in), SIGTERM must still end them promptly rather than retrying for a
// minute. stop fails the test after 20 seconds.
func TestShutdownWithTelemetryReceiverGone(t *testing.T) {
	gone := testenv.FreeAddr(t) // nothing listens there
	catalogAddr := testenv.FreeAddr(t)
	catalog := start(t, "tallycat-catalog", catalogAddr, "--listen", catalogAddr, "--db", filepath.Join(t.TempDir(), "c.duckdb"),
		"--telemetry-otlp-endpoint", gone, "--telemetry-interval", "100ms")
	httpAddr := testenv.FreeAddr(t)
	ingest := start(t, "tallycat-ingest", httpAddr, "--catalog-url", "http://"+catalogAddr, "--otlp-grpc-listen", testenv.FreeAddr(t),
		"--otlp-http-listen", httpAddr, "--telemetry-otlp-endpoint", gone, "--telemetry-interval", "100ms")
	for _, p := range []*proc{ingest, catalog} {
		if err := p.stop(); err != nil {
			t.Errorf("%s: %v", p.name, err)
		}
	}
}
