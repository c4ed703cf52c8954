package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallycat/tallycat/internal/testenv"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
	"github.com/tallycat/tallycat/services/catalog/postgres"
)

// TestMain shares one PostgreSQL cluster among the package's tests; each
// test gets a database of its own.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// open opens a store on dsn, closed when t ends.
func open(t *testing.T, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestStore holds the PostgreSQL store to the suite every store must
// pass, each test on a fresh database; Reopen closes the pool and opens
// the same database again, as a restart does.
func TestStore(t *testing.T) {
	cluster := pgtest.Start(t)
	dsns := map[catalog.Store]string{}
	catalogtest.Run(t, catalogtest.Harness{
		Open: func(t *testing.T) catalog.Store {
			dsn := cluster.NewDatabase(t)
			s := open(t, dsn)
			dsns[s] = dsn
			return s
		},
		Reopen: func(t *testing.T, s catalog.Store) catalog.Store {
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			r := open(t, dsns[s])
			dsns[r] = dsns[s]
			return r
		},
	})
}

// The tests below are specific to this store: they hold it to what only
// a shared database asks of it, several catalog processes (here, two
// Stores with two pools: two replicas) on one database at once.

// TestReplicasOpenAtOnce opens two stores on a fresh database at the
// same moment: both succeed, and each migration is applied once.
func TestReplicasOpenAtOnce(t *testing.T) {
	dsn := pgtest.Start(t).NewDatabase(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := postgres.Open(context.Background(), dsn)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: open = %v", i, err)
		}
	}
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var rows, versions int
	if err := conn.QueryRow(context.Background(), `SELECT count(*), count(DISTINCT version) FROM schema_migrations`).Scan(&rows, &versions); err != nil {
		t.Fatal(err)
	}
	if rows == 0 || rows != versions {
		t.Errorf("schema_migrations holds %d rows of %d versions, want each version once", rows, versions)
	}
}

// replicaBatch is batch i of a stream of batches that overlap: each
// sends the same eight metrics from one of three services, and each pair
// of batches (which the test gives to different replicas) makes one new
// metric, so that two replicas create one schema at once.
func replicaBatch(i int) []catalog.Observation {
	at := catalogtest.T0.Add(time.Duration(i) * time.Minute)
	service := fmt.Sprintf("svc-%d", i%3)
	var obs []catalog.Observation
	for m := range 8 {
		obs = append(obs, catalogtest.Observation(fmt.Sprintf("m%d", m), service, at, catalogtest.Str("route")))
	}
	return append(obs, catalogtest.Observation(fmt.Sprintf("new%d", i/2), service, at, catalogtest.Int("shard")))
}

// TestReplicasRecordOverlappingBatches records a stream of overlapping
// batches through two replicas at once, several writers each, and holds
// the result to that of one store recording them in turn: nothing is
// lost and nothing counted twice. A batch id retried on the other
// replica, or sent to both at once, is applied once. The database's
// default isolation is REPEATABLE READ, which the store's writes must
// not take up (see inTx).
func TestReplicasRecordOverlappingBatches(t *testing.T) {
	ctx := context.Background()
	cluster := pgtest.Start(t)
	dsn := cluster.NewDatabase(t)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `DO $$ BEGIN
		EXECUTE format('ALTER DATABASE %I SET default_transaction_isolation = %L', current_database(), 'repeatable read');
		END $$`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	replicas := []*postgres.Store{open(t, dsn), open(t, dsn)}
	const batches = 40
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			// Writer w sends every eighth batch through replica w%2.
			for i := w; i < batches; i += 8 {
				if _, err := replicas[w%2].RecordObservations(ctx, fmt.Sprintf("batch-%d", i), replicaBatch(i)); err != nil {
					t.Errorf("batch %d: %v", i, err)
				}
			}
		})
	}
	wg.Wait()

	one := open(t, cluster.NewDatabase(t))
	for i := range batches {
		if _, err := one.RecordObservations(ctx, fmt.Sprintf("batch-%d", i), replicaBatch(i)); err != nil {
			t.Fatal(err)
		}
	}
	compareCatalogs(t, one, replicas[1])

	// A retry of a batch the first replica applied, through the other.
	res, err := replicas[1].RecordObservations(ctx, "batch-0", replicaBatch(0))
	if err != nil || !res.Duplicate || len(res.Events) != 0 {
		t.Errorf("batch-0 retried on the other replica = %+v, %v; want a duplicate", res, err)
	}
	// One new batch id sent to both at once: one applies it.
	var applied atomic.Int32
	for _, r := range replicas {
		wg.Go(func() {
			res, err := r.RecordObservations(ctx, "both", replicaBatch(batches))
			if err != nil {
				t.Errorf("batch sent to both: %v", err)
			} else if !res.Duplicate {
				applied.Add(1)
			}
		})
	}
	wg.Wait()
	if n := applied.Load(); n != 1 {
		t.Errorf("a batch sent to both replicas was applied %d times, want once", n)
	}
	if _, err := one.RecordObservations(ctx, "both", replicaBatch(batches)); err != nil {
		t.Fatal(err)
	}
	compareCatalogs(t, one, replicas[0])
}

// compareCatalogs fails t when the two stores' keys, current schemas or
// timelines' lengths differ.
func compareCatalogs(t *testing.T, want, got catalog.Store) {
	t.Helper()
	ctx := context.Background()
	wantKeys, wantN, err := want.ListSchemaKeys(ctx, catalog.KeyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	gotKeys, gotN, err := got.ListSchemaKeys(ctx, catalog.KeyFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if gotN != wantN || len(gotKeys) != len(wantKeys) {
		t.Fatalf("%d keys, want %d", gotN, wantN)
	}
	for i := range wantKeys {
		if !reflect.DeepEqual(gotKeys[i], wantKeys[i]) {
			t.Errorf("key summary %+v\nwant %+v", gotKeys[i], wantKeys[i])
		}
	}
	for _, k := range wantKeys {
		ws, err := want.ListSchemas(ctx, k.Key, true)
		if err != nil {
			t.Fatal(err)
		}
		gs, err := got.ListSchemas(ctx, k.Key, true)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gs, ws) {
			t.Errorf("schemas of %s = %+v\nwant %+v", k.Key, gs, ws)
		}
		we, err := want.ListSchemaEvents(ctx, k.Key, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		ge, err := got.ListSchemaEvents(ctx, k.Key, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(ge) != len(we) {
			t.Errorf("%s has %d events, want %d", k.Key, len(ge), len(we))
		}
	}
}

// TestReplicasAssignOneVersionAtOnce has two replicas give one version to
// two schemas of one key at the same moment, many times over: each time
// exactly one wins and the other gets ECONFLICT.
func TestReplicasAssignOneVersionAtOnce(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Start(t).NewDatabase(t)
	replicas := []*postgres.Store{open(t, dsn), open(t, dsn)}
	a := catalogtest.Observation("cpu.time", "api", catalogtest.T0, catalogtest.Str("mode"))
	b := catalogtest.Observation("cpu.time", "worker", catalogtest.T0, catalogtest.Int("mode"))
	if _, err := replicas[0].RecordObservations(ctx, "", []catalog.Observation{a, b}); err != nil {
		t.Fatal(err)
	}
	schemas := []string{a.VariantID, b.VariantID}
	for round := range 20 {
		version := fmt.Sprintf("%d.0.0", round+1)
		start := make(chan struct{})
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() {
				<-start
				_, errs[i] = replicas[i].AssignVersion(ctx, catalog.VersionChange{SchemaID: schemas[i], Version: version, Actor: "r"})
			})
		}
		close(start)
		wg.Wait()
		won, conflicts := 0, 0
		for _, err := range errs {
			switch catalog.ErrorCode(err) {
			case "":
				won++
			case catalog.ECONFLICT:
				conflicts++
			default:
				t.Errorf("round %d: %v", round, err)
			}
		}
		if won != 1 || conflicts != 1 {
			t.Fatalf("round %d: %d won and %d conflicted (%v), want one of each", round, won, conflicts, errs)
		}
	}
}

// TestUnitsOfAnyText records one metric in units that PostgreSQL's array
// syntax gives a meaning to (braces, as in OpenTelemetry's "{request}",
// quotes, backslashes, commas, NULL): the key's list of units reads them
// back as sent. It is store-specific because the store binds each key's
// units as an array literal (see queueKeys).
func TestUnitsOfAnyText(t *testing.T) {
	ctx := context.Background()
	s := open(t, pgtest.Start(t).NewDatabase(t))
	units := []string{"", "NULL", "{request}", `a"b\c`, "x,y", "ü s"}
	for i, u := range units {
		o := catalogtest.Observation("odd.units", "svc", catalogtest.T0.Add(time.Duration(i)*time.Minute))
		o.Shape.Unit = u
		o.Normalize()
		if _, err := s.RecordObservations(ctx, "", []catalog.Observation{o}); err != nil {
			t.Fatal(err)
		}
	}
	keys, _, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Query: "odd.units"})
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(units)
	slices.Sort(want)
	if len(keys) != 1 || !reflect.DeepEqual(keys[0].Units, want) || keys[0].Unit != units[len(units)-1] {
		t.Errorf("keys = %+v, want one whose units are %q, the last %q", keys, want, units[len(units)-1])
	}
}

// TestRefusesANewerDatabase: a database a newer TallyCat migrated is
// refused at open, saying to run a newer TallyCat, rather than misread.
func TestRefusesANewerDatabase(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Start(t).NewDatabase(t)
	open(t, dsn).Close()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations VALUES (9999, '9999_future.sql', now())`); err != nil {
		t.Fatal(err)
	}
	if _, err := postgres.Open(ctx, dsn); err == nil || !strings.Contains(err.Error(), "newer than this TallyCat knows") {
		t.Fatalf("open a newer database: %v", err)
	}
}

// TestOneReplicaLeads: of two replicas on one database one leads (and so
// alone announces findings); when it closes, or dies, the other takes the
// lead at its next ask.
func TestOneReplicaLeads(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Start(t).NewDatabase(t)
	a, b := open(t, dsn), open(t, dsn)
	if !a.Leading(ctx) || b.Leading(ctx) || !a.Leading(ctx) {
		t.Fatal("want the first replica to ask to lead, and the other not")
	}
	a.Close()
	// A replica asks at each judging; a closed leader's lock may take its
	// server process a moment to free.
	testenv.Eventually(t, 5*time.Second, "the other replica takes the lead", func() error {
		if !b.Leading(ctx) {
			return errors.New("not leading")
		}
		return nil
	})
}
