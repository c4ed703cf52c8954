package api_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"

	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
)

// downStore is a DuckDB store whose database can be made not to answer, as
// a PostgreSQL server that went away would not.
type downStore struct {
	*duckdb.Store
	down  atomic.Bool
	pings atomic.Int64
}

func (s *downStore) Ping(ctx context.Context) error {
	s.pings.Add(1)
	if s.down.Load() {
		return errors.New("database unreachable")
	}
	return s.Store.Ping(ctx)
}

var _ api.Pinger = (*downStore)(nil)

func healthOf(t *testing.T, c *grpchealth.Client, service string) grpchealth.Status {
	t.Helper()
	res, err := c.Check(context.Background(), &grpchealth.CheckRequest{Service: service})
	if err != nil {
		t.Fatal(err)
	}
	return res.Status
}

// TestHealthFollowsTheStore: the catalog says NOT_SERVING while its store
// does not answer, within about a second, and SERVING again once it does,
// and a burst of checks costs the database one ping.
func TestHealthFollowsTheStore(t *testing.T) {
	db, err := duckdb.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := &downStore{Store: db}
	srv := httptest.NewServer(apitest.NewHandler(t, store, api.Options{}))
	t.Cleanup(srv.Close)
	client := grpchealth.NewClient(srv.Client(), srv.URL)

	for range 20 {
		if got := healthOf(t, client, tallycatv1connect.ObservationServiceName); got != grpchealth.StatusServing {
			t.Fatalf("store up: %v, want SERVING", got)
		}
	}
	if n := store.pings.Load(); n != 1 {
		t.Errorf("20 checks within a second pinged the store %d times, want 1", n)
	}
	if _, err := client.Check(context.Background(), &grpchealth.CheckRequest{Service: "no.such.Service"}); connect.CodeOf(err) != connect.CodeNotFound {
		t.Errorf("unknown service: %v, want not_found", err)
	}

	store.down.Store(true)
	waitFor(t, client, "", grpchealth.StatusNotServing)
	waitFor(t, client, tallycatv1connect.ObservationServiceName, grpchealth.StatusNotServing)
	store.down.Store(false)
	waitFor(t, client, tallycatv1connect.ObservationServiceName, grpchealth.StatusServing)
}

// TestHealthOfAClosedDuckDB: DuckDB's own Ping fails once the store is
// closed, so the health check needs no PostgreSQL to be seen working.
func TestHealthOfAClosedDuckDB(t *testing.T) {
	db, err := duckdb.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(apitest.NewHandler(t, db, api.Options{}))
	t.Cleanup(srv.Close)
	db.Close()
	client := grpchealth.NewClient(srv.Client(), srv.URL)
	if got := healthOf(t, client, ""); got != grpchealth.StatusNotServing {
		t.Errorf("closed store: %v, want NOT_SERVING", got)
	}
}

func waitFor(t *testing.T, c *grpchealth.Client, service string, want grpchealth.Status) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		got := healthOf(t, c, service)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("health of %q is %v after 3 s, want %v", service, got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHealthWatchSeesTheStoreGo: the Watch RPC, which the static checker
// served, still streams the status, and its change when the store stops
// answering.
func TestHealthWatchSeesTheStoreGo(t *testing.T) {
	db, err := duckdb.Open(context.Background(), ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	store := &downStore{Store: db}
	srv := httptest.NewServer(apitest.NewHandler(t, store, api.Options{}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	events := grpchealth.NewClient(srv.Client(), srv.URL).Watch(ctx, &grpchealth.CheckRequest{Service: tallycatv1connect.ObservationServiceName})
	for _, want := range []grpchealth.Status{grpchealth.StatusServing, grpchealth.StatusNotServing} {
		ev, ok := <-events
		if !ok || ev.Err != nil {
			t.Fatalf("watch, waiting for %v: %v", want, ev.Err)
		}
		if ev.Response.Status != want {
			t.Fatalf("watch: %v, want %v", ev.Response.Status, want)
		}
		store.down.Store(true)
	}
}
