package sqlstore_test

import (
	"testing"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// TestKeyOrder: a sort on the summaries' columns has one, the name's being
// the store's; a sort by cost, which no column holds, and an unknown sort
// have none.
func TestKeyOrder(t *testing.T) {
	const name = `schema_key COLLATE "C"`
	for sort, want := range map[tallycatv1.SchemaKeySort]string{
		tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_UNSPECIFIED:     name,
		tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_NAME:            name,
		tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SCHEMA_COUNT:    "schema_count",
		tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_PRODUCER_COUNT:  "producer_count",
		tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_FIRST_SEEN:      "first_seen",
		tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_LAST_SEEN:       "last_seen",
		tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_SERIES:          "",
		tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_DATA_POINT_RATE: "",
		tallycatv1.SchemaKeySort(99):                             "",
	} {
		got, ok := sqlstore.KeyOrder(sort, name)
		if got != want || ok != (want != "") {
			t.Errorf("%v: %q, %v; want %q", sort, got, ok, want)
		}
	}
}
