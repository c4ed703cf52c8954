package storecopy_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/gen/tallycat/v1/tallycatv1connect"
	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/api"
	"github.com/tallycat/tallycat/services/catalog/apitest"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
	"github.com/tallycat/tallycat/services/catalog/postgres"
	"github.com/tallycat/tallycat/services/catalog/proposals"
	"github.com/tallycat/tallycat/services/catalog/storecopy"
)

// copyable is a store the copy test opens.
type copyable interface {
	catalog.Store
	storecopy.Store
}

// seed records a catalog with every kind of record: schemas with their
// fields, producers and scopes; a release that moved to a larger schema
// (superseded rows, move events); cost buckets with kept and withheld
// values; versions and a status change; a version proposal, one
// dismissed; an applied batch id.
func seed(t *testing.T, s catalog.Store) {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	str := catalogtest.Str
	first := catalogtest.Costly(catalogtest.UserObservation(now.Add(-40*time.Minute)), 0, 100)
	grown := catalogtest.Costly(catalogtest.Observation("app.logins", "checkout", now.Add(-time.Minute), str("user.id"), str("region"), str("error.type")), 100, 150)
	cpu := catalogtest.Observation("cpu.time", "api", now.Add(-30*time.Minute), str("mode"))
	disk := catalogtest.Observation("disk.io", "api", now.Add(-20*time.Minute), str("direction"))
	newer := disk
	newer.Producer.ServiceVersion, newer.FirstObserved, newer.LastObserved = "2.0.0", now.Add(-5*time.Minute), now.Add(-4*time.Minute)
	newer.Shape.Attributes = append(newer.Shape.Attributes, catalogtest.Int("device"))
	newer.Normalize()
	// A span with its errors and an event's field, a by-scope span with
	// name examples, and a log event's body and severity fields.
	span := catalogtest.SpanObservation("GET /users/{id}", schemaid.SpanKindServer, "api", now.Add(-10*time.Minute), str("http.route"),
		catalogtest.EventAttr("exception", "exception.type", tallycatv1.ValueType_VALUE_TYPE_STRING))
	span.Errors = 3
	jobs := catalogtest.SpanObservation("io.example/jobs", schemaid.SpanKindInternal, "api", now.Add(-10*time.Minute))
	jobs.Shape.ByScope, jobs.NameExamples = true, []string{"job 1", "job 2"}
	jobs.Normalize()
	login := catalogtest.LogObservation("app.login", false, "api", now.Add(-10*time.Minute), str("session.id"),
		catalogtest.From(schemaid.Body, "user.id", tallycatv1.ValueType_VALUE_TYPE_STRING),
		catalogtest.From(schemaid.Severity, "severity_number", tallycatv1.ValueType_VALUE_TYPE_INT))
	for i, batch := range [][]catalog.Observation{{first, cpu}, {grown, disk}, {newer, span, jobs, login}} {
		if _, err := s.RecordObservations(ctx, "batch-"+string(rune('a'+i)), batch); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []catalog.VersionChange{
		{SchemaID: cpu.VariantID, Version: "1.0.0", Actor: "alice"},
		{SchemaID: disk.VariantID, Version: "1.0.0", Actor: "alice"},
	} {
		if _, err := s.AssignVersion(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.SetVersionStatus(ctx, catalog.VersionChange{SchemaID: cpu.VariantID, Status: tallycatv1.VersionStatus_VERSION_STATUS_DEPRECATED, Reason: "use cpu.usage", Actor: "bob"}); err != nil {
		t.Fatal(err)
	}
	ps, err := proposals.ListProposals(ctx, s, "disk.io", "")
	if err != nil || len(ps) != 1 {
		t.Fatalf("proposals for disk.io = %v, %v; want one to dismiss", ps, err)
	}
	if err := proposals.DismissProposal(ctx, s, ps[0].SchemaID, ps[0].ProposedVersion, "carol", "device is an experiment"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SyncConsumers(ctx, consumerSync(now)); err != nil {
		t.Fatal(err)
	}
}

// consumerSync is a sync of a dashboard and a rule, every field set.
func consumerSync(at time.Time) catalog.ConsumerSync {
	return catalog.ConsumerSync{Origin: "grafana", At: at, Consumers: []catalog.Consumer{
		catalogtest.Dashboard("dashboards/logins.json", "logins", "Logins", `sum by (region) (rate(app_logins_total[5m]))`),
		catalogtest.Rule("rules/node.yml", "HighCPU", `rate(cpu_time_seconds_total[5m]) > 0.9`),
	}}
}

// sameConsumers fails when a store does not hold the consumers want.
func sameConsumers(t *testing.T, what string, want []catalog.Consumer, s catalog.Store) {
	t.Helper()
	got, err := s.ListConsumers(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if len(got) != 2 || !reflect.DeepEqual(got, want) {
		t.Errorf("%s: consumers\n got: %+v\nwant: %+v", what, got, want)
	}
}

// answers asks every read RPC of the catalog over s, as the UI and the CLI
// do, and returns the responses in order.
func answers(t *testing.T, s catalog.Store) []proto.Message {
	t.Helper()
	srv := httptest.NewServer(apitest.NewHandler(t, s, api.Options{}))
	defer srv.Close()
	ctx := context.Background()
	hc := http.DefaultClient
	cat := tallycatv1connect.NewCatalogServiceClient(hc, srv.URL)
	ver := tallycatv1connect.NewVersioningServiceClient(hc, srv.URL)
	conf := tallycatv1connect.NewConformanceServiceClient(hc, srv.URL)
	var out []proto.Message
	keep := func(what string, m proto.Message, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		out = append(out, m)
	}
	hour, day := tallycatv1.Window_WINDOW_LAST_HOUR, tallycatv1.Window_WINDOW_LAST_DAY
	for _, sort := range []tallycatv1.SchemaKeySort{tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_UNSPECIFIED, tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES} {
		keys, err := cat.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{Sort: sort, Window: day})
		keep("ListSchemaKeys", keys, err)
	}
	keys, err := cat.ListSchemaKeys(ctx, &tallycatv1.ListSchemaKeysRequest{Signals: []tallycatv1.Signal{
		tallycatv1.Signal_SIGNAL_METRIC, tallycatv1.Signal_SIGNAL_SPAN, tallycatv1.Signal_SIGNAL_LOG}})
	keep("ListSchemaKeys of every signal", keys, err)
	for _, k := range keys.GetSchemaKeys() {
		key, signal := k.GetSchemaKey(), k.GetSignal()
		schemas, err := cat.ListSchemas(ctx, &tallycatv1.ListSchemasRequest{SchemaKey: key, Signal: signal, IncludeSuperseded: true})
		keep("ListSchemas "+key, schemas, err)
		for _, sc := range schemas.GetSchemas() {
			for _, w := range []tallycatv1.Window{hour, day} {
				d, err := cat.GetSchema(ctx, &tallycatv1.GetSchemaRequest{SchemaId: sc.GetSchemaId(), Window: w})
				keep("GetSchema "+sc.GetSchemaId(), d, err)
			}
		}
		events, err := cat.ListSchemaEvents(ctx, &tallycatv1.ListSchemaEventsRequest{SchemaKey: key, Signal: signal})
		keep("ListSchemaEvents "+key, events, err)
		history, err := cat.GetSeriesHistory(ctx, &tallycatv1.GetSeriesHistoryRequest{SchemaKey: key, Signal: signal})
		keep("GetSeriesHistory "+key, history, err)
		versions, err := ver.ListVersions(ctx, &tallycatv1.ListVersionsRequest{Filter: &tallycatv1.ListVersionsRequest_SchemaKey{SchemaKey: key}, Signal: signal})
		keep("ListVersions "+key, versions, err)
	}
	producers, err := cat.ListProducers(ctx, &tallycatv1.ListProducersRequest{})
	keep("ListProducers", producers, err)
	services, err := cat.ListServices(ctx, &tallycatv1.ListServicesRequest{})
	keep("ListServices", services, err)
	top, err := cat.ListTopSeries(ctx, &tallycatv1.ListTopSeriesRequest{Window: day})
	keep("ListTopSeries", top, err)
	proposals, err := ver.ListProposals(ctx, &tallycatv1.ListProposalsRequest{})
	keep("ListProposals", proposals, err)
	findings, err := conf.ListFindings(ctx, &tallycatv1.ListFindingsRequest{})
	keep("ListFindings", findings, err)
	summary, err := conf.GetConformanceSummary(ctx, &tallycatv1.GetConformanceSummaryRequest{})
	keep("GetConformanceSummary", summary, err)
	return out
}

// clearRates zeroes the data point rates in m: a rate of the current,
// unfinished bucket is over the time elapsed in it, which moves between
// two reads; everything stored is compared.
func clearRates(m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Name() == "data_points_per_minute":
			m.Clear(fd)
		case fd.IsList() && fd.Message() != nil:
			for i := 0; i < v.List().Len(); i++ {
				clearRates(v.List().Get(i).Message())
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				clearRates(mv.Message())
				return true
			})
		case fd.Message() != nil && !fd.IsMap():
			clearRates(v.Message())
		}
		return true
	})
}

// sameAnswers fails when two catalogs answer any RPC differently.
func sameAnswers(t *testing.T, what string, want, got []proto.Message) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: %d answers, want %d", what, len(got), len(want))
	}
	for i := range want {
		clearRates(want[i].ProtoReflect())
		clearRates(got[i].ProtoReflect())
		if !proto.Equal(want[i], got[i]) {
			t.Errorf("%s: answer %d differs:\n got: %s\nwant: %s", what, i, prototext.Format(got[i]), prototext.Format(want[i]))
		}
	}
}

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func openPostgres(t *testing.T) copyable {
	t.Helper()
	s, err := postgres.Open(context.Background(), pgtest.Start(t).NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func openDuckDB(t *testing.T) copyable {
	t.Helper()
	s, err := duckdb.Open(context.Background(), filepath.Join(t.TempDir(), "catalog.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// roundTrip copies a seeded catalog through each store of the chain and
// checks that every one answers every RPC as the first does, that a
// non-empty target is refused unless replacing, and that the copy keeps
// working: a new batch and a new version after it.
func roundTrip(t *testing.T, chain ...copyable) {
	ctx := context.Background()
	seed(t, chain[0])
	want := answers(t, chain[0])
	wantConsumers, err := chain[0].ListConsumers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(chain); i++ {
		if err := storecopy.Copy(ctx, chain[i-1], chain[i], false, nil); err != nil {
			t.Fatalf("copy %d: %v", i, err)
		}
		sameAnswers(t, "copy "+string(rune('0'+i)), want, answers(t, chain[i]))
		sameConsumers(t, "copy "+string(rune('0'+i)), wantConsumers, chain[i])
	}
	last := chain[len(chain)-1]
	if err := storecopy.Copy(ctx, chain[0], last, false, nil); !errors.Is(err, storecopy.ErrNotEmpty) {
		t.Fatalf("copy onto a catalog = %v, want ErrNotEmpty", err)
	}
	if err := storecopy.Copy(ctx, chain[0], last, true, nil); err != nil {
		t.Fatalf("copy replacing: %v", err)
	}
	sameAnswers(t, "copy replacing", want, answers(t, last))
	sameConsumers(t, "copy replacing", wantConsumers, last)

	// The copy is a working catalog: a retried batch is still a duplicate,
	// and new records take new sequence numbers.
	if res, err := last.RecordObservations(ctx, "batch-a", nil); err != nil || !res.Duplicate {
		t.Errorf("batch-a again on the copy = %+v, %v; want a duplicate", res, err)
	}
	mem := catalogtest.Observation("mem.used", "api", time.Now().UTC(), catalogtest.Str("state"))
	if _, err := last.RecordObservations(ctx, "batch-new", []catalog.Observation{mem}); err != nil {
		t.Fatal(err)
	}
	if _, err := last.AssignVersion(ctx, catalog.VersionChange{SchemaID: mem.VariantID, Version: "1.0.0", Actor: "dave"}); err != nil {
		t.Fatalf("a version on the copy: %v", err)
	}
	// The consumers' digests came along: the same sync again changes
	// nothing.
	if res, err := last.SyncConsumers(ctx, consumerSync(time.Now().UTC())); err != nil || res != (catalog.ConsumerSyncResult{Unchanged: 2}) {
		t.Errorf("the same consumer sync on the copy = %+v, %v; want both unchanged", res, err)
	}
	sameConsumers(t, "a sync on the copy", wantConsumers, last)
	events, err := last.ListSchemaEvents(ctx, "mem.used", 0, 0)
	if err != nil || len(events) != 2 || events[0].Version == nil || events[0].Version.Version != "1.0.0" {
		t.Errorf("mem.used's timeline on the copy = %+v, %v; want its version newest", events, err)
	}
}

// TestCopyDuckDBToDuckDB copies between two DuckDB files.
func TestCopyDuckDBToDuckDB(t *testing.T) {
	roundTrip(t, openDuckDB(t), openDuckDB(t))
}

// TestCopyRoundTripThroughPostgres moves a DuckDB catalog to PostgreSQL and
// back, as teams moving to replicas (or leaving them) do.
func TestCopyRoundTripThroughPostgres(t *testing.T) {
	roundTrip(t, openDuckDB(t), openPostgres(t), openDuckDB(t))
}

// TestCopyPostgresToPostgres copies between two PostgreSQL databases, the
// second replacing what it held.
func TestCopyPostgresToPostgres(t *testing.T) {
	roundTrip(t, openPostgres(t), openPostgres(t))
}

// TestCopyRefusesItsOwnSourceAndAnEmptyOne: one PostgreSQL database named
// two ways is one store, and replacing it would empty the source; a source
// without a catalog is most likely a mistyped one.
func TestCopyRefusesItsOwnSourceAndAnEmptyOne(t *testing.T) {
	ctx := context.Background()
	cluster := pgtest.Start(t)
	dsn := cluster.NewDatabase(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	keyValue := fmt.Sprintf("host=%s port=%s user=%s dbname=%s sslmode=disable", u.Hostname(), u.Port(), u.User.Username(), strings.TrimPrefix(u.Path, "/"))
	open := func(dsn string) copyable {
		s, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := open(dsn), open(keyValue)
	seed(t, a)
	if err := storecopy.Copy(ctx, a, b, true, nil); !errors.Is(err, storecopy.ErrSameStore) {
		t.Fatalf("copy onto itself = %v, want ErrSameStore", err)
	}
	if keys, _, err := a.ListSchemaKeys(ctx, catalog.KeyFilter{}); err != nil || len(keys) != 3 {
		t.Fatalf("the source after the refused copy: %d keys, %v; want its 3", len(keys), err)
	}
	if err := storecopy.Copy(ctx, openDuckDB(t), a, true, nil); !errors.Is(err, storecopy.ErrEmptySource) {
		t.Fatalf("copy from an empty catalog = %v, want ErrEmptySource", err)
	}
}
