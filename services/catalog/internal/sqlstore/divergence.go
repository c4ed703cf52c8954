package sqlstore

import (
	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// Divergence kept by the writer (see catalog.Diverges): schema_keys'
// diverging column. A key new to the store gets it from the batch that
// made it (catalog.Plan.ReshapedKeys); a key the store held, whose
// current streams a batch changed, gets it worked out again once the
// batch is written, from its members as KeyMembersQuery reads them; a
// migration works it out for every key the store held before the column.

// KeyMembersQuery selects the current members of the keys whose
// schema_streams rows (aliased ss) pass within, in either dialect, as
// KeyMembers.Scan reads them.
func KeyMembersQuery(within string) string {
	return `SELECT ss.schema_key, ss.schema_id, s.unit, s.metric_type, ss.service_name
		FROM schema_streams ss JOIN schemas s ON s.schema_id = ss.schema_id
		WHERE ss.superseded_by = '' AND ` + within
}

// KeyMembers gathers the rows of KeyMembersQuery by key.
type KeyMembers map[string][]catalog.KeyMember

// Scan reads one row of KeyMembersQuery.
func (m KeyMembers) Scan(row Row) error {
	var (
		key string
		km  catalog.KeyMember
		mt  Enum
	)
	if err := row.Scan(&key, &km.SchemaID, &km.Unit, &mt, &km.Service); err != nil {
		return err
	}
	km.Type = tallycatv1.MetricType(mt)
	m[key] = append(m[key], km)
	return nil
}

// Diverging is which of keys diverge, by their members m; a key without
// members (no current stream) does not.
func (m KeyMembers) Diverging(keys []string) []string {
	out := []string{}
	for _, k := range keys {
		if catalog.Diverges(m[k]) {
			out = append(out, k)
		}
	}
	return out
}

// RecheckedKeys are the keys of a batch whose divergence the store works
// out again once the batch is written: those it reshapes (see
// catalog.Plan.ReshapedKeys) that the store held before, as held says;
// every reshaped key when held is nil, as the store cannot tell.
func RecheckedKeys(reshaped map[string][]catalog.KeyMember, held func(key string) bool) []string {
	var out []string
	for key := range reshaped {
		if held == nil || held(key) {
			out = append(out, key)
		}
	}
	return out
}
