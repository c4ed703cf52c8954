// Package testenv holds what tests across the repository need to run real
// servers: free loopback addresses, waiting for asynchronous outcomes, and a
// catalog client that accepts everything.
package testenv

import (
	"context"
	"net"
	"testing"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// FreeAddr returns a loopback address nobody listens on right now.
func FreeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// Eventually polls cond until it holds or within passes, then fails the test
// with what was awaited and cond's last error.
func Eventually(t testing.TB, within time.Duration, what string, cond func() error) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		err := cond()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// NopCatalog is an ObservationService client that accepts every batch at
// once: for benchmarks of the ingest that must not measure a catalog.
type NopCatalog struct{}

// RecordObservations accepts the batch.
func (NopCatalog) RecordObservations(context.Context, *tallycatv1.RecordObservationsRequest) (*tallycatv1.RecordObservationsResponse, error) {
	return &tallycatv1.RecordObservationsResponse{}, nil
}
