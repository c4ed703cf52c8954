package api_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	. "github.com/tallycat/tallycat/internal/testvocab"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// What the lists of the Spans and Logs pages and of the Producers page
// read over the API: a span key's spans and errors, the key that groups a
// scope, the sort by error share, and each release's keys by signal.

const otelhttp = "go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

// keyLine is what the lists show of a key.
func keyLine(k *tallycatv1.SchemaKeySummary) string {
	return fmt.Sprintf("%s by_scope=%v %d/%d", k.SchemaKey, k.ByScope, k.ErrorCount, k.DataPointCount)
}

func TestKeyFiguresAndReleases(t *testing.T) {
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := start(t, opts...)
			users := signalObs(spanSignal, "GET /users/{id}", from(srcSpan, "http.route", String))
			users.SpanKind, users.ErrorCount = tallycatv1.SpanKind_SPAN_KIND_SERVER, 5
			ids := signalObs(spanSignal, otelhttp)
			ids.SpanKind, ids.ByScope, ids.ErrorCount, ids.NameExamples = tallycatv1.SpanKind_SPAN_KIND_SERVER, true, 1, []string{"GET /orders/1001"}
			login := signalObs(logSignal, "app.login", from(srcLog, "session.id", String))
			logger := signalObs(logSignal, otelhttp)
			logger.ByScope = true
			// Release 2.1.0 was first seen a second after 1.0.0, and 1.1.0
			// a second after it.
			at := users.LastObserved.AsTime()
			mid, newer := obs("http.duration", "users"), obs("http.duration", "users")
			mid.FirstObserved, mid.LastObserved = timestamppb.New(at.Add(time.Second)), timestamppb.New(at.Add(time.Second))
			newer.Producer.ServiceVersion = "1.1.0"
			newer.FirstObserved, newer.LastObserved = timestamppb.New(at.Add(2*time.Second)), timestamppb.New(at.Add(2*time.Second))
			if _, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
				Observations: []*tallycatv1.Observation{users, ids, login, logger, mid, newer}}); err != nil {
				t.Fatal(err)
			}

			list := func(req *tallycatv1.ListSchemaKeysRequest) []string {
				t.Helper()
				res, err := c.catalog.ListSchemaKeys(ctx, req)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, k := range res.SchemaKeys {
					out = append(out, keyLine(k))
				}
				return out
			}
			spans := []tallycatv1.Signal{spanSignal}
			if got, want := fmt.Sprint(list(&tallycatv1.ListSchemaKeysRequest{Signals: spans})),
				fmt.Sprintf("[GET /users/{id} by_scope=false 5/20 %s by_scope=true 1/20]", otelhttp); got != want {
				t.Errorf("span keys = %s, want %s", got, want)
			}
			// By error share, least first: the ids' bucket (5 %) before
			// the route (25 %); the sort is part of the page token's filter.
			res, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{Signals: spans, PageSize: 1,
				Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_ERROR_SHARE})
			if err != nil || len(res.SchemaKeys) != 1 || res.SchemaKeys[0].SchemaKey != otelhttp || res.TotalSize != 2 {
				t.Fatalf("the first key by error share = %v, %v; want the ids' bucket of two", res, err)
			}
			next, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{Signals: spans, PageSize: 1, PageToken: res.NextPageToken,
				Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_ERROR_SHARE})
			if err != nil || len(next.SchemaKeys) != 1 || next.SchemaKeys[0].SchemaKey != "GET /users/{id}" {
				t.Errorf("the second key by error share = %v, %v; want the route", next, err)
			}
			_, err = c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{Signals: spans, PageSize: 1, PageToken: res.NextPageToken})
			if connect.CodeOf(err) != connect.CodeInvalidArgument {
				t.Errorf("the token of a list by error share on a list by name: %v, want invalid_argument", err)
			}
			if got, want := fmt.Sprint(list(&tallycatv1.ListSchemaKeysRequest{Signals: []tallycatv1.Signal{logSignal}})),
				fmt.Sprintf("[app.login by_scope=false 0/20 %s by_scope=true 0/20]", otelhttp); got != want {
				t.Errorf("log keys = %s, want the event's and the logger's %s", got, want)
			}

			// The users service, newest release first: 1.1.0 and 2.1.0
			// send the metric alone, 1.0.0 (signalObs's) the spans and
			// logs.
			rel, err := c.catalog.ListServiceReleases(ctx, &tallycatv1.ListServiceReleasesRequest{ServiceName: "users"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rel.Releases {
				k := r.GetKeys()
				got = append(got, fmt.Sprintf("%s:%d/%d/%d×%d", r.ServiceVersion, k.MetricCount, k.SpanCount, k.LogCount, r.InstanceCount))
			}
			if want := "[1.1.0:1/0/0×1 2.1.0:1/0/0×1 1.0.0:0/2/2×1]"; fmt.Sprint(got) != want {
				t.Errorf("releases = %v, want %s", got, want)
			}
			if k := rel.GetKeys(); k.MetricCount != 1 || k.SpanCount != 2 || k.LogCount != 2 {
				t.Errorf("the service's keys = %v, want 1 metric, 2 spans, 2 log keys", k)
			}
			page, err := c.catalog.ListServiceReleases(ctx, &tallycatv1.ListServiceReleasesRequest{ServiceName: "users", PageSize: 2})
			if err != nil || len(page.Releases) != 2 || page.NextPageToken == "" {
				t.Fatalf("a page of two = %v, %v", page, err)
			}
			last, err := c.catalog.ListServiceReleases(ctx, &tallycatv1.ListServiceReleasesRequest{ServiceName: "users", PageSize: 2, PageToken: page.NextPageToken})
			if err != nil || len(last.Releases) != 1 || last.Releases[0].ServiceVersion != "1.0.0" || last.NextPageToken != "" {
				t.Errorf("the last page = %v, %v; want 1.0.0 alone", last, err)
			}
			_, err = c.catalog.ListServiceReleases(ctx, &tallycatv1.ListServiceReleasesRequest{ServiceName: "payments", PageToken: page.NextPageToken})
			if connect.CodeOf(err) != connect.CodeInvalidArgument {
				t.Errorf("users' page token for payments: %v, want invalid_argument", err)
			}
			if _, err := c.catalog.ListServiceReleases(ctx, &tallycatv1.ListServiceReleasesRequest{}); connect.CodeOf(err) != connect.CodeInvalidArgument {
				t.Errorf("no service: %v, want invalid_argument", err)
			}
		})
	}
}
