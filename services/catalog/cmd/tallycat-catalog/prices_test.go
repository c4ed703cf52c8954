package main

import (
	"context"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
)

// TestSpanAndLogPriceFlags: a price per million spans and per gigabyte of
// logs, from flags or their environment twins, join the metric prices in
// the price model; a negative one is refused, naming the flags.
func TestSpanAndLogPriceFlags(t *testing.T) {
	t.Setenv("TALLYCAT_PRICE_PER_GB_LOGS", "0.5")
	m := &Main{Config: DefaultConfig()}
	if err := m.ParseFlags([]string{"--price-per-million-spans", "2"}); err != nil {
		t.Fatal(err)
	}
	if p := m.Config.Prices; p.PerMillionSpans != 2 || p.PerGBLogs != 0.5 || p.PerMillionPoints != 0 || !p.Set() {
		t.Errorf("prices = %+v, want 2 a million spans and 0.5 a gigabyte of logs", p)
	}
	for _, flag := range []string{"--price-per-million-spans", "--price-per-gb-logs"} {
		err := (&Main{Config: DefaultConfig()}).ParseFlags([]string{flag, "-1"})
		if err == nil || !strings.Contains(err.Error(), flag) {
			t.Errorf("%s -1 = %v, want an error naming it", flag, err)
		}
	}
}

// TestSpanAndLogPricesReachTheirSchemas: a catalog started with span and
// log prices, and none for metrics, estimates a span schema's month from
// its span rate and a log schema's from its bytes, through the API.
func TestSpanAndLogPricesReachTheirSchemas(t *testing.T) {
	_, url, _ := startMainWith(t, "--db", ":memory:", "--price-per-million-spans", "2", "--price-per-gb-logs", "0.5")
	ctx := context.Background()
	obs := tallycatv1connect.NewObservationServiceClient(http.DefaultClient, url)
	cat := tallycatv1connect.NewCatalogServiceClient(http.DefaultClient, url)
	// 600 spans and 100 records of 20,000 bytes each, over ten minutes.
	last := time.Now().UTC().Add(-time.Minute)
	first := last.Add(-10 * time.Minute)
	producer := &tallycatv1.ProducerIdentity{ServiceName: "checkout", ServiceVersion: "1.0.0"}
	res, err := obs.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{
		{Signal: tallycatv1.Signal_SIGNAL_SPAN, Name: "GET /users/{id}", SpanKind: tallycatv1.SpanKind_SPAN_KIND_SERVER, Producer: producer,
			DataPointCount: 600, FirstObserved: timestamppb.New(first), LastObserved: timestamppb.New(last)},
		{Signal: tallycatv1.Signal_SIGNAL_LOG, Name: "app.login", Producer: producer, DataPointCount: 100, LogRecordBytes: 2_000_000,
			FirstObserved: timestamppb.New(first), LastObserved: timestamppb.New(last)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []float64{60 * 43200 / 1e6 * 2, 200_000 * 43200 / 1e9 * 0.5} {
		d, err := cat.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: res.SchemaIds[i]})
		if err != nil {
			t.Fatal(err)
		}
		if c := d.Schema.Cost; c == nil || c.EstimatedMonthlyCost == nil || math.Abs(*c.EstimatedMonthlyCost-want)/want > 0.01 {
			t.Errorf("%s cost = %v, want about %.2f a month", d.Schema.SchemaKey, c, want)
		}
	}
}
