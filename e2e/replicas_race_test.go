package e2e

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/internal/testenv"
)

// raceObservation is a gauge of name with one attribute, attr, from one
// instance of checkout: one data point.
func raceObservation(name, attr string) *tallycatv1.Observation {
	now := timestamppb.Now()
	return &tallycatv1.Observation{MetricName: name, MetricType: tallycatv1.MetricType_METRIC_TYPE_GAUGE, Unit: "1",
		DataPointAttributes: []*tallycatv1.AttributeKey{{Name: attr, ValueType: tallycatv1.ValueType_VALUE_TYPE_STRING}},
		Producer:            &tallycatv1.ProducerIdentity{ServiceName: "checkout", ServiceVersion: "1.0.0", ServiceInstanceId: "checkout-1"},
		DataPointCount:      1, FirstObserved: now, LastObserved: now}
}

// TestPostgresReplicasRaceCorrectly runs two catalog processes on one
// PostgreSQL database and makes them race as a load balancer would: the
// same batch id sent to both at once is applied once; overlapping batches
// recorded through both at once lose nothing and count nothing twice; one
// version given to two schemas of a key through the two at once has
// exactly one holder, the other call getting ALREADY_EXISTS.
func TestPostgresReplicasRaceCorrectly(t *testing.T) {
	dsn := pgtest.Start(t).NewDatabase(t)
	var urls []string
	for range 2 {
		addr := testenv.FreeAddr(t)
		start(t, "tallycat-catalog", addr, "--listen", addr, "--db", dsn)
		urls = append(urls, "http://"+addr)
	}
	ctx := context.Background()
	obs := func(i int) tallycatv1connect.ObservationServiceClient {
		return tallycatv1connect.NewObservationServiceClient(http.DefaultClient, urls[i])
	}
	// both runs fn against each replica at once and waits.
	both := func(fn func(replica int)) {
		var wg sync.WaitGroup
		for i := range urls {
			wg.Go(func() { fn(i) })
		}
		wg.Wait()
	}

	// One batch id, to both at once, five times over.
	for round := range 5 {
		id := uuid.NewString()
		name := fmt.Sprintf("retried.%d", round)
		var mu sync.Mutex
		var applied, duplicates int
		both(func(i int) {
			res, err := obs(i).RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: id,
				Observations: []*tallycatv1.Observation{raceObservation(name, "a")}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				t.Errorf("replica %d: %v", i, err)
			case res.Duplicate:
				duplicates++
			default:
				applied++
			}
		})
		if applied != 1 || duplicates != 1 {
			t.Errorf("batch %s through both replicas: applied %d times, duplicate %d times; want once each", id, applied, duplicates)
		}
	}

	// Overlapping batches: the same metrics from both, 20 batches each.
	const batches = 20
	both(func(i int) {
		for b := range batches {
			batch := []*tallycatv1.Observation{raceObservation("shared.a", "x"), raceObservation("shared.b", "y"),
				raceObservation(fmt.Sprintf("own.%d.%d", i, b), "z")}
			if _, err := obs(i).RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: batch}); err != nil {
				t.Errorf("replica %d batch %d: %v", i, b, err)
				return
			}
		}
	})
	cat := tallycatv1connect.NewCatalogServiceClient(http.DefaultClient, urls[1])
	for _, name := range []string{"shared.a", "shared.b", "retried.0"} {
		res, err := cat.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: name})
		want := uint64(2 * batches)
		if name == "retried.0" {
			want = 1
		}
		if err != nil || len(res.Schemas) != 1 || res.Schemas[0].GetDataPointCount() != want {
			t.Errorf("%s = %v, %v; want one schema with %d data points", name, res, err, want)
		}
	}
	keys, err := allKeys(ctx, urls[0])
	if err != nil {
		t.Fatal(err)
	}
	for i := range urls {
		for b := range batches {
			if name := fmt.Sprintf("own.%d.%d", i, b); !keys[name] {
				t.Errorf("%s, recorded through replica %d, is missing", name, i)
			}
		}
	}

	// One version, two schemas of one key, through both at once.
	for round := range 5 {
		name := fmt.Sprintf("versioned.%d", round)
		res, err := obs(0).RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
			Observations: []*tallycatv1.Observation{raceObservation(name, "a"), func() *tallycatv1.Observation {
				o := raceObservation(name, "b")
				o.Producer.ServiceName = "payments" // another service: a schema of its own
				return o
			}()}})
		if err != nil || len(res.SchemaIds) != 2 || res.SchemaIds[0] == res.SchemaIds[1] {
			t.Fatalf("two schemas of %s: %v, %v", name, res, err)
		}
		var mu sync.Mutex
		codes := map[string]int{}
		both(func(i int) {
			ver := tallycatv1connect.NewVersioningServiceClient(http.DefaultClient, urls[i])
			_, err := ver.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: res.SchemaIds[i], Version: "1.0.0"})
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				codes["ok"]++
			} else {
				codes[connect.CodeOf(err).String()]++
			}
		})
		if codes["ok"] != 1 || codes[connect.CodeAlreadyExists.String()] != 1 {
			t.Errorf("%s: 1.0.0 to two schemas through both replicas gave %v; want one success and one ALREADY_EXISTS", name, codes)
		}
	}
}
