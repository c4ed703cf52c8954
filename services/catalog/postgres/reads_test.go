package postgres_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/pgtest"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/catalogtest"
	"github.com/tallycat/tallycat/services/catalog/duckdb"
)

// TestReadsOrderNamesByteByByte is a PostgreSQL-only test because only
// PostgreSQL orders text by a collation, which the database chooses:
// pgtest's cluster is in the C locale, where every order is byte order,
// while a production database is often en-US, where "a.metric" sorts
// before "B.metric" and "_x" after "a". The catalog orders names byte by
// byte (DuckDB, the catalog's Go sorts, and ListJudging's keyset paging,
// which skips or repeats keys if the database compares otherwise). On a
// database whose default collation is ICU's en-US, every read that orders
// or pages by a name must give DuckDB's order: the text columns collate
// as "C" and the reads ask for it, and this holds both to it. A search
// must also lower-case the name and the query alike, which the columns'
// "C" does not do for letters beyond ASCII while the database's en-US
// does.
func TestReadsOrderNamesByteByByte(t *testing.T) {
	ctx := context.Background()
	pg := open(t, enUSDatabase(t, pgtest.Start(t)))
	dk, err := duckdb.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dk.Close() })

	// Names whose byte order and en-US order differ.
	keys := []string{"b.metric", "B.metric", "a.metric", "_x.metric", "a_b.metric", "a.b.metric", "Zeta", "Émoji.metric"}
	services := []string{"api", "Worker", "_batch", "émoji"}
	var obs []catalog.Observation
	for i, k := range keys {
		obs = append(obs, catalogtest.Observation(k, services[i%len(services)], catalogtest.T0, catalogtest.Str("mode")))
	}
	// One schema through two scopes of one release, for the order of a
	// schema's scopes.
	for _, scope := range []string{"alpha", "Beta", "_gamma"} {
		o := catalogtest.Observation("scoped", "api", catalogtest.T0)
		o.ScopeName = scope
		obs = append(obs, o)
	}
	for _, s := range []catalog.Store{pg, dk} {
		if _, err := s.RecordObservations(ctx, "b1", obs); err != nil {
			t.Fatal(err)
		}
	}

	type read struct {
		name string
		fn   func(catalog.Store) ([]string, error)
	}
	keyNames := func(f catalog.KeyFilter) func(catalog.Store) ([]string, error) {
		return func(s catalog.Store) ([]string, error) {
			rows, _, err := s.ListSchemaKeys(ctx, f)
			out := make([]string, len(rows))
			for i, r := range rows {
				out[i] = r.Key
			}
			return out, err
		}
	}
	reads := []read{
		{"ListSchemaKeys by name", keyNames(catalog.KeyFilter{})},
		{"ListSchemaKeys by name, descending", keyNames(catalog.KeyFilter{Descending: true})},
		{"ListSchemaKeys, ties by name", keyNames(catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SCHEMA_COUNT})},
		{"ListSchemaKeys by series (none), ties by name", keyNames(catalog.KeyFilter{Sort: tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES})},
		{"ListSchemaKeys in pages of 3", func(s catalog.Store) ([]string, error) {
			var out []string
			for offset := 0; offset < 12; offset += 3 {
				page, err := keyNames(catalog.KeyFilter{Offset: offset, Limit: 3})(s)
				if err != nil {
					return nil, err
				}
				out = append(out, page...)
			}
			return out, nil
		}},
		{"ListSchemaKeys's totals of a search, on a page and past the end", func(s catalog.Store) ([]string, error) {
			var out []string
			for _, offset := range []int{0, 100} {
				rows, total, err := s.ListSchemaKeys(ctx, catalog.KeyFilter{Query: "METRIC", Offset: offset, Limit: 2})
				if err != nil {
					return nil, err
				}
				out = append(out, strconv.Itoa(len(rows)), strconv.FormatInt(total, 10))
			}
			return out, nil
		}},
		{"ListSchemaKeys searching émoji", keyNames(catalog.KeyFilter{Query: "émoji"})},
		{"ListJudging in pages of 3", func(s catalog.Store) ([]string, error) {
			var out []string
			for after := ""; ; {
				page, err := s.ListJudging(ctx, after, 3)
				if err != nil {
					return nil, err
				}
				for _, k := range page {
					out = append(out, k.Key)
				}
				if len(page) < 3 {
					return out, nil
				}
				after = page[len(page)-1].Key
			}
		}},
		{"ListServices", func(s catalog.Store) ([]string, error) {
			svcs, err := s.ListServices(ctx, catalog.ServiceFilter{})
			out := make([]string, len(svcs))
			for i, sv := range svcs {
				out[i] = sv.Name
			}
			return out, err
		}},
		{"ListProducers", func(s catalog.Store) ([]string, error) {
			ps, err := s.ListProducers(ctx, catalog.ProducerFilter{})
			out := make([]string, len(ps))
			for i, p := range ps {
				out[i] = p.ServiceName
			}
			return out, err
		}},
		{"GetSchema's scopes", func(s catalog.Store) ([]string, error) {
			d, err := s.GetSchema(ctx, catalogtest.SchemaID("scoped"), 0)
			if err != nil {
				return nil, err
			}
			out := make([]string, len(d.Scopes))
			for i, sc := range d.Scopes {
				out[i] = sc.Name
			}
			return out, nil
		}},
	}
	for _, r := range reads {
		want, err := r.fn(dk)
		if err != nil {
			t.Fatalf("%s on DuckDB: %v", r.name, err)
		}
		got, err := r.fn(pg)
		if err != nil {
			t.Fatalf("%s on PostgreSQL: %v", r.name, err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s on PostgreSQL = %q, want DuckDB's %q", r.name, got, want)
		}
	}
	if got, _ := keyNames(catalog.KeyFilter{})(pg); !slices.IsSorted(got) || len(got) != len(keys)+1 {
		t.Errorf("keys by name = %q, want every key in byte order", got)
	}
}

// enUSDatabase creates a database whose default collation is ICU's en-US
// and returns its DSN; it is dropped when t ends.
func enUSDatabase(t *testing.T, cluster *pgtest.Cluster) string {
	t.Helper()
	ctx := context.Background()
	const name = "reads_en_us"
	admin := func(sql string) error {
		conn, err := pgx.Connect(ctx, cluster.DSN("postgres"))
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	if err := admin(`CREATE DATABASE ` + name + ` TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C'`); err != nil {
		t.Fatalf("create an en-US database (PostgreSQL must be built with ICU, as Debian's is): %v", err)
	}
	t.Cleanup(func() {
		if err := admin(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Logf("drop %s: %v", name, err)
		}
	})
	return cluster.DSN(name)
}
