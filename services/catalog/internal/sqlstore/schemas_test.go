package sqlstore_test

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// row is one result row as a driver hands it to a Scan.
type row []any

func (r row) Scan(dest ...any) error {
	if len(dest) != len(r) {
		return fmt.Errorf("%d columns, %d destinations", len(r), len(dest))
	}
	for i, v := range r {
		if s, ok := dest[i].(interface{ Scan(any) error }); ok {
			if err := s.Scan(v); err != nil {
				return err
			}
			continue
		}
		reflect.ValueOf(dest[i]).Elem().Set(reflect.ValueOf(v))
	}
	return nil
}

// TestSchemaSetKeepsWhatWasRead holds what a set keeps of its reads in
// whichever order the rows come: only the rows of schemas it read (a
// later snapshot may see more), the version with the highest seq, and an
// instance's fields though they came before the instance.
func TestSchemaSetKeepsWhatWasRead(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	x := sqlstore.NewSchemaSet()
	scan := func(fn func(sqlstore.Row) error, r row) {
		t.Helper()
		if err := fn(r); err != nil {
			t.Fatal(err)
		}
	}
	rowReads := x.RowReads() // fields, streams, variants, instances, their fields
	schemaRows, fields, instances, instanceFields := x.SchemaRead().Scan, rowReads[0].Scan, rowReads[3].Scan, rowReads[4].Scan
	scan(schemaRows, row{"b", "k", int8(1), "s", int8(2), true, "", at, at, int8(0), false, "[]"})
	scan(schemaRows, row{"a", "k", int64(1), "s", int64(2), true, "", at, at, int64(0), false, "[]"})
	scan(instanceFields, row{"a", "p1", int8(1), "host.name", int8(1)})
	scan(instances, row{"a", "p1", "", "svc", "1.0", at, at})
	scan(instanceFields, row{"later", "p1", int8(1), "host.name", int8(1)})
	scan(instances, row{"later", "p1", "", "svc", "1.0", at, at})
	scan(fields, row{"later", "method", int8(1), int8(3), ""})
	for _, seq := range []int64{2, 7, 3} {
		scan(x.ScanCurrentVersion, row{"a", seq, fmt.Sprint("v", seq), int8(1), "", "", at})
	}
	scan(x.ScanCurrentVersion, row{"later", int64(9), "v9", int8(1), "", "", at})

	if ids := x.IDs(); !reflect.DeepEqual(ids, []string{"b", "a"}) {
		t.Fatalf("ids in read order: %v", ids)
	}
	schemas, loaded := x.Finish()
	if len(schemas) != 2 || schemas[0].ID != "a" || schemas[0].CurrentVersion == nil || schemas[0].CurrentVersion.Version != "v7" ||
		schemas[1].CurrentVersion != nil || schemas[0].Type != 1 || schemas[0].Temporality != 2 {
		t.Fatalf("schemas: %+v", schemas)
	}
	if in := loaded["a"].Facts.Instances; len(in) != 1 || len(in[0].Fields) != 1 || in[0].Fields[0].Name != "host.name" {
		t.Fatalf("instances: %+v", in)
	}
	if _, ok := loaded["later"]; ok {
		t.Fatal("a schema that was not read has facts")
	}
}
