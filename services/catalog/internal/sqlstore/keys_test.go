package sqlstore_test

import (
	"slices"
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
		tallycatv1.SchemaKeySort_SCHEMA_KEY_SORT_ERROR_SHARE:     "",
		tallycatv1.SchemaKeySort(99):                             "",
	} {
		got, ok := sqlstore.KeyOrder(sort, name)
		if got != want || ok != (want != "") {
			t.Errorf("%v: %q, %v; want %q", sort, got, ok, want)
		}
	}
}

// TestSortByErrorShare: the share of errors orders keys, a key without
// spans (or without figures at all) counting as none, and the name breaks
// ties either way, so that pages never overlap.
func TestSortByErrorShare(t *testing.T) {
	figs := map[string]sqlstore.KeyFigures{
		"half": {DataPoints: 10, Errors: 5}, "tenth": {DataPoints: 100, Errors: 10},
		"none": {DataPoints: 10}, "logger": {ByScope: true},
	}
	for _, tt := range []struct {
		descending bool
		want       []string
	}{
		{false, []string{"logger", "none", "unknown", "tenth", "half"}},
		{true, []string{"half", "tenth", "unknown", "none", "logger"}},
	} {
		keys := []string{"tenth", "unknown", "half", "none", "logger"}
		sqlstore.SortByErrorShare(keys, figs, tt.descending)
		if !slices.Equal(keys, tt.want) {
			t.Errorf("descending %v: %v, want %v", tt.descending, keys, tt.want)
		}
	}
}
