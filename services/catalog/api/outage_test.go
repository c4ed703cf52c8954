package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"github.com/google/uuid"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/internal/testenv"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/postgres"
)

// TestPostgresOutage stops the catalog's PostgreSQL server under it, as an
// outage would: reads and writes answer UNAVAILABLE saying the database
// cannot be reached (which the ingest retries, holding what it has), the
// health check says NOT_SERVING, and once the server is back everything
// answers again without a restart, with what was written before.
// PostgreSQL-only: the outage is a server's.
func TestPostgresOutage(t *testing.T) {
	ctx := context.Background()
	cluster := pgtest.StartPrivate(t)
	store, err := postgres.Open(ctx, cluster.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	srv := httptest.NewServer(apitest.NewHandler(t, store, api.Options{}))
	t.Cleanup(srv.Close)
	c := clientsFor(srv.URL)
	health := grpchealth.NewClient(srv.Client(), srv.URL)
	record := func() error {
		_, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
			Observations: []*tallycatv1.Observation{obs("http.server.request.duration", "checkout")}})
		return err
	}
	if err := record(); err != nil {
		t.Fatal(err)
	}

	cluster.Pause(t)
	if err := record(); connect.CodeOf(err) != connect.CodeUnavailable {
		t.Errorf("a write while PostgreSQL is down = %v, want UNAVAILABLE", err)
	}
	_, err = c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{})
	if connect.CodeOf(err) != connect.CodeUnavailable {
		t.Errorf("a read while PostgreSQL is down = %v, want UNAVAILABLE", err)
	}
	testenv.Eventually(t, 5*time.Second, "the health check says NOT_SERVING", func() error {
		if s := healthOf(t, health, tallycatv1connect.CatalogServiceName); s != grpchealth.StatusNotServing {
			return fmt.Errorf("health = %v", s)
		}
		return nil
	})

	cluster.Resume(t)
	testenv.Eventually(t, 10*time.Second, "the catalog answers again", func() error {
		if s := healthOf(t, health, tallycatv1connect.CatalogServiceName); s != grpchealth.StatusServing {
			return fmt.Errorf("health = %v", s)
		}
		return record()
	})
	res, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{})
	if err != nil || len(res.SchemaKeys) != 1 || res.SchemaKeys[0].SchemaKey != "http.server.request.duration" {
		t.Errorf("keys after the outage = %v, %v; want the one written before", res, err)
	}
}
