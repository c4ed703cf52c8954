package api_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"

	. "github.com/tallycat/tallycat/internal/testvocab"

	"github.com/google/uuid"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

// heard is a SchemaChangeEmitter that keeps what it hears.
type heard struct {
	mu    sync.Mutex
	calls [][]catalog.Event
}

func (h *heard) EmitSchemaChanges(_ context.Context, events []catalog.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls = append(h.calls, events)
}

// TestObservationsHandTheirEventsOn records a batch, the same batch again
// and a batch that moves the release, and checks that the emitter hears of
// the first and the last only, with what they wrote.
func TestObservationsHandTheirEventsOn(t *testing.T) {
	store := storetest.Open(t, catalog.CostConfig{})
	h := &heard{}
	srv := httptest.NewUnstartedServer(apitest.NewHandler(t, store, api.Options{SchemaChanges: []api.SchemaChangeEmitter{h}}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := clientsFor(srv.URL)
	ctx := context.Background()

	one := &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{obs("http.server.request.duration", "shop", key("http.request.method", String))}}
	for range 2 {
		if _, err := c.observation.RecordObservations(ctx, one); err != nil {
			t.Fatal(err)
		}
	}
	grown := obs("http.server.request.duration", "shop", key("http.request.method", String), key("error.type", String))
	if _, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{grown}}); err != nil {
		t.Fatal(err)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.calls) != 2 {
		t.Fatalf("emitter heard %d batches, want 2 (the duplicate has nothing to tell): %+v", len(h.calls), h.calls)
	}
	if first := h.calls[0]; len(first) != 1 || first[0].Kind != tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN ||
		first[0].Producer == nil || first[0].Producer.ServiceName != "shop" {
		t.Errorf("first batch's events = %+v, want shop's schema first seen", first)
	}
	var moved bool
	for _, e := range h.calls[1] {
		moved = moved || (e.Kind == tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_MOVED && len(e.Added) == 1 && e.Added[0].Key == "error.type")
	}
	if !moved {
		t.Errorf("growing batch's events = %+v, want the release moved, adding error.type", h.calls[1])
	}
}
