package api_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	. "github.com/tallycat/tallycat/internal/testvocab"

	"connectrpc.com/connect"
	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/timestamppb"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/storetest"
)

type clients struct {
	catalog     tallycatv1connect.CatalogServiceClient
	versioning  tallycatv1connect.VersioningServiceClient
	observation tallycatv1connect.ObservationServiceClient
	conformance tallycatv1connect.ConformanceServiceClient
}

// protocols are the wire protocols every test runs over.
var protocols = map[string][]connect.ClientOption{
	"connect": nil,
	"grpc":    {connect.WithGRPC()},
}

// start serves a fresh in-memory catalog over HTTP/2 and returns clients
// speaking the given protocol.
func start(t *testing.T, opts ...connect.ClientOption) clients {
	t.Helper()
	store := storetest.Open(t, catalog.CostConfig{})
	srv := httptest.NewUnstartedServer(apitest.NewHandler(t, store, api.Options{}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return clientsFor(srv.URL, opts...)
}

// insecureHTTP2 is a client for httptest's TLS servers, with HTTP/2.
func insecureHTTP2() *http.Client {
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}
	return &http.Client{Transport: tr}
}

func obs(name, service string, attrs ...*tallycatv1.AttributeKey) *tallycatv1.Observation {
	now := time.Now()
	return &tallycatv1.Observation{
		MetricName: name, MetricType: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, Unit: "ms",
		Temporality: tallycatv1.Temporality_TEMPORALITY_DELTA, Description: "Request duration.",
		DataPointAttributes: attrs,
		Producer:            &tallycatv1.ProducerIdentity{ServiceName: service, ServiceVersion: "2.1.0"},
		ScopeName:           "io.opentelemetry.http",
		ResourceAttributes:  []*tallycatv1.AttributeKey{{Name: "host.name", ValueType: tallycatv1.ValueType_VALUE_TYPE_STRING}},
		DataPointCount:      3, FirstObserved: timestamppb.New(now), LastObserved: timestamppb.New(now),
	}
}

func key(name string, t tallycatv1.ValueType) *tallycatv1.AttributeKey {
	return &tallycatv1.AttributeKey{Name: name, ValueType: t}
}

// seed records two shapes of one metric and returns their ids.
func seed(t *testing.T, c clients) (string, string) {
	t.Helper()
	res, err := c.observation.RecordObservations(context.Background(), &tallycatv1.RecordObservationsRequest{
		BatchId: uuid.NewString(),
		Observations: []*tallycatv1.Observation{
			obs("http.duration", "checkout", key("status", Int), key("method", String)),
			obs("http.duration", "payments", key("status", String)),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.NewSchemas != 2 || len(res.SchemaIds) != 2 {
		t.Fatalf("record = %v, want two new schemas", res)
	}
	return res.SchemaIds[0], res.SchemaIds[1]
}

func TestRoundTrip(t *testing.T) {
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := start(t, opts...)
			a, b := seed(t, c)
			want := schemaid.ID(schemaid.Shape{Name: "http.duration", Type: tallycatv1.MetricType_METRIC_TYPE_HISTOGRAM, Unit: "ms",
				Temporality: tallycatv1.Temporality_TEMPORALITY_DELTA,
				Attributes:  []schemaid.Attribute{{Key: "status", Type: Int}, {Key: "method", Type: String}}})
			if a != want {
				t.Errorf("catalog computed id %s, the shared package %s", a, want)
			}

			keys, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{Query: "http"})
			if err != nil {
				t.Fatal(err)
			}
			if len(keys.SchemaKeys) != 1 || keys.SchemaKeys[0].SchemaCount != 2 || keys.SchemaKeys[0].ProducerCount != 2 {
				t.Fatalf("keys = %v", keys)
			}
			schemas, err := c.catalog.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "http.duration"})
			if err != nil || len(schemas.Schemas) != 2 {
				t.Fatalf("schemas = %v, %v", schemas, err)
			}
			for i, r := range schemas.Releases {
				if i >= len(schemas.Schemas) || r.SchemaId != schemas.Schemas[i].SchemaId || len(r.Releases) == 0 || r.Releases[0].ServiceName == "" {
					t.Errorf("listed releases %d = %v, want the releases of schema %d", i, r, i)
				}
			}
			if len(schemas.Releases) != len(schemas.Schemas) {
				t.Errorf("listed releases = %v, want one entry per schema", schemas.Releases)
			}
			diff, err := c.catalog.DiffSchemas(ctx, &tallycatv1.DiffSchemasRequest{BaseSchemaId: a, TargetSchemaId: b})
			if err != nil {
				t.Fatal(err)
			}
			if len(diff.Removed) != 1 || diff.Removed[0].Name != "method" || len(diff.Changed) != 1 || diff.Changed[0].Name != "status" ||
				diff.Changed[0].Base.ValueType != Int || diff.Changed[0].Target.ValueType != String || diff.Identical {
				t.Errorf("diff = %v, want method removed and status int→string", diff)
			}

			assigned, err := c.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: a, Version: "1.0.0-rc.1+build.5"})
			if err != nil {
				t.Fatal(err)
			}
			if assigned.Version.Version != "1.0.0-rc.1+build.5" {
				t.Errorf("assigned %v", assigned)
			}
			detail, err := c.catalog.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: a})
			if err != nil {
				t.Fatal(err)
			}
			if detail.Schema.CurrentVersion.GetVersion() != "1.0.0-rc.1+build.5" || len(detail.Producers) != 1 || detail.Producers[0].ServiceName != "checkout" {
				t.Errorf("detail = %v", detail)
			}
			producers, err := c.catalog.ListProducers(ctx, &tallycatv1.ListProducersRequest{Filter: &tallycatv1.ListProducersRequest_SchemaKey{SchemaKey: "http.duration"}})
			if err != nil || len(producers.Producers) != 2 {
				t.Errorf("producers = %v, %v", producers, err)
			}
			services, err := c.catalog.ListServices(ctx, &tallycatv1.ListServicesRequest{PageSize: 1})
			if err != nil || len(services.Services) != 1 || services.Services[0].ServiceName != "checkout" || services.NextPageToken == "" {
				t.Errorf("first page of services = %v, %v; want checkout and a next page", services, err)
			} else if rest, err := c.catalog.ListServices(ctx, &tallycatv1.ListServicesRequest{PageSize: 1, PageToken: services.NextPageToken}); err != nil ||
				len(rest.Services) != 1 || rest.Services[0].ServiceName == "checkout" {
				t.Errorf("second page of services = %v, %v", rest, err)
			}
			events, err := c.catalog.ListSchemaEvents(ctx, &tallycatv1.ListSchemaEventsRequest{SchemaKey: "http.duration"})
			if err != nil || len(events.Events) != 3 {
				t.Errorf("events = %v, %v; want two first-seen and one version", events, err)
			}
		})
	}
}

func TestActorIsRecorded(t *testing.T) {
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			c := start(t, opts...)
			a, _ := seed(t, c)
			ctx, info := connect.NewClientContext(context.Background())
			info.RequestHeader().Set(api.ActorHeader, "alice@example.com")
			res, err := c.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: a, Version: "1.0.0"})
			if err != nil || res.Version.Actor != "alice@example.com" {
				t.Fatalf("assign with header = %v, %v; want actor alice@example.com", res, err)
			}
			res2, err := c.versioning.SetVersionStatus(context.Background(), &tallycatv1.SetVersionStatusRequest{
				SchemaId: a, Status: tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED, Reason: "renamed"})
			if err != nil || res2.Version.Actor != "anonymous" {
				t.Fatalf("deprecate without header = %v, %v; want actor anonymous", res2, err)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	missing := strings.Repeat("0", 32)
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			c := start(t, opts...)
			a, b := seed(t, c)
			if _, err := c.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: a, Version: "2.0.0"}); err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name     string
				call     func() error
				code     connect.Code
				contains string
			}{
				{"empty schema id", func() error {
					_, err := c.catalog.GetSchema(ctx, &tallycatv1.GetSchemaRequest{})
					return err
				}, connect.CodeInvalidArgument, "schema_id"},
				{"malformed schema id", func() error {
					_, err := c.catalog.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: "ABC"})
					return err
				}, connect.CodeInvalidArgument, "schema_id"},
				{"unknown schema", func() error {
					_, err := c.catalog.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: missing})
					return err
				}, connect.CodeNotFound, missing},
				{"unknown key", func() error {
					_, err := c.catalog.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "nope"})
					return err
				}, connect.CodeNotFound, "nope"},
				{"page size too large", func() error {
					_, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{PageSize: 1001})
					return err
				}, connect.CodeInvalidArgument, "page_size"},
				{"forged page token", func() error {
					_, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{PageToken: "bm9wZQ"})
					return err
				}, connect.CodeInvalidArgument, "page_token"},
				{"not semver", func() error {
					_, err := c.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: b, Version: "1.0"})
					return err
				}, connect.CodeInvalidArgument, "version"},
				{"leading zero", func() error {
					_, err := c.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: b, Version: "01.0.0"})
					return err
				}, connect.CodeInvalidArgument, "version"},
				{"reason too long", func() error {
					_, err := c.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: b, Version: "1.0.0", Reason: strings.Repeat("x", 1025)})
					return err
				}, connect.CodeInvalidArgument, "reason"},
				{"deprecate without reason", func() error {
					_, err := c.versioning.SetVersionStatus(ctx, &tallycatv1.SetVersionStatusRequest{SchemaId: a, Status: tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED})
					return err
				}, connect.CodeInvalidArgument, "reason"},
				{"version held by another schema", func() error {
					_, err := c.versioning.AssignVersion(ctx, &tallycatv1.AssignVersionRequest{SchemaId: b, Version: "2.0.0"})
					return err
				}, connect.CodeAlreadyExists, a},
				{"status of unversioned schema", func() error {
					_, err := c.versioning.SetVersionStatus(ctx, &tallycatv1.SetVersionStatusRequest{SchemaId: b, Status: tallycatv1.VersionStatus_VERSION_STATUS_ACTIVE})
					return err
				}, connect.CodeFailedPrecondition, "no version"},
				{"versions without filter", func() error {
					_, err := c.versioning.ListVersions(ctx, &tallycatv1.ListVersionsRequest{})
					return err
				}, connect.CodeInvalidArgument, "filter"},
				{"empty batch", func() error {
					_, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString()})
					return err
				}, connect.CodeInvalidArgument, "observations"},
				{"observation without metric type", func() error {
					o := obs("m", "s")
					o.MetricType = tallycatv1.MetricType_METRIC_TYPE_UNSPECIFIED
					_, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{o}})
					return err
				}, connect.CodeInvalidArgument, "metric_type"},
				{"observation without producer", func() error {
					o := obs("m", "s")
					o.Producer = nil
					_, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{o}})
					return err
				}, connect.CodeInvalidArgument, "producer"},
				// PostgreSQL's text cannot hold NUL: refused, on every engine,
				// naming the field, rather than failing the batch in the store.
				{"NUL in a metric name", func() error {
					_, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
						Observations: []*tallycatv1.Observation{obs("m\x00n", "s")}})
					return err
				}, connect.CodeInvalidArgument, "metric_name"},
				{"NUL in an attribute key", func() error {
					o := obs("m", "s", &tallycatv1.AttributeKey{Name: "a\x00", ValueType: tallycatv1.ValueType_VALUE_TYPE_STRING})
					_, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{o}})
					return err
				}, connect.CodeInvalidArgument, "data_point_attributes"},
				{"unit separator in a metric name", func() error {
					_, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(),
						Observations: []*tallycatv1.Observation{obs("\x1fS\x1fm", "s")}})
					return err
				}, connect.CodeInvalidArgument, "metric_name"},
				{"span fields on a metric", func() error {
					o := obs("m", "s")
					o.SpanKind = tallycatv1.SpanKind_SPAN_KIND_SERVER
					_, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{o}})
					return err
				}, connect.CodeInvalidArgument, "span_kind"},
				{"metric fields on a span", func() error {
					o := obs("m", "s")
					o.Signal, o.Name = tallycatv1.Signal_SIGNAL_SPAN, "GET /"
					_, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{o}})
					return err
				}, connect.CodeInvalidArgument, "metric_name"},
				{"a log record's source on a span", func() error {
					o := &tallycatv1.Observation{Signal: tallycatv1.Signal_SIGNAL_SPAN, Name: "GET /", Producer: obs("m", "s").Producer,
						FirstObserved: obs("m", "s").FirstObserved, LastObserved: obs("m", "s").LastObserved,
						DataPointAttributes: []*tallycatv1.AttributeKey{{Name: "http.route", ValueType: String, Source: tallycatv1.FieldSource_FIELD_SOURCE_BODY}}}
					_, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{o}})
					return err
				}, connect.CodeInvalidArgument, "SPAN, EVENT or LINK"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					err := tt.call()
					if got := connect.CodeOf(err); got != tt.code {
						t.Fatalf("code = %v (%v), want %v", got, err, tt.code)
					}
					if !strings.Contains(err.Error(), tt.contains) {
						t.Errorf("error %q does not name %q", err, tt.contains)
					}
				})
			}
		})
	}
}

func TestRetriedBatchOverRPC(t *testing.T) {
	ctx := context.Background()
	c := start(t)
	req := &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: []*tallycatv1.Observation{obs("m", "svc")}}
	if _, err := c.observation.RecordObservations(ctx, req); err != nil {
		t.Fatal(err)
	}
	res, err := c.observation.RecordObservations(ctx, req)
	if err != nil || !res.Duplicate {
		t.Fatalf("retry = %v, %v; want a recognised duplicate", res, err)
	}
	s, err := c.catalog.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: "m"})
	if err != nil || s.Schemas[0].DataPointCount != 3 {
		t.Errorf("schemas = %v, %v; want 3 data points counted once", s, err)
	}
}

func TestPagination(t *testing.T) {
	ctx := context.Background()
	c := start(t)
	var batch []*tallycatv1.Observation
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		batch = append(batch, obs(n, "svc"))
	}
	if _, err := c.observation.RecordObservations(ctx, &tallycatv1.RecordObservationsRequest{BatchId: uuid.NewString(), Observations: batch}); err != nil {
		t.Fatal(err)
	}
	var names []string
	token := ""
	for page := 0; page < 5; page++ {
		res, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{PageSize: 2, PageToken: token, Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_NAME, Descending: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.TotalSize != 5 {
			t.Errorf("total = %d, want 5", res.TotalSize)
		}
		for _, k := range res.SchemaKeys {
			names = append(names, k.SchemaKey)
		}
		if token = res.NextPageToken; token == "" {
			break
		}
	}
	if strings.Join(names, "") != "edcba" {
		t.Errorf("pages gave %v, want e d c b a", names)
	}
	// A token reused with another filter is refused rather than misread.
	first, _ := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{PageSize: 2})
	_, err := c.catalog.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{PageSize: 2, PageToken: first.NextPageToken, Query: "a"})
	if connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Errorf("token with another filter = %v, want invalid argument", err)
	}
}
