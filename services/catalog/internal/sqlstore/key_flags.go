package sqlstore

import (
	"context"
	"fmt"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// The flags the writer keeps beside a key's summary (see
// catalog/key_flags.go): schema_keys' diverging and self_only columns.
// A key new to the store gets them from the batch that made it
// (catalog.Plan.ReshapedKeys, SentByOthers); a key the store held, whose
// current streams a batch changed, gets its divergence worked out again
// once the batch is written, from its members as KeyMembersQuery reads
// them, and stops being TallyCat's own at the first stream another
// release sends; a migration works both out for every key the store held
// before the columns (with NotSelfKeys for the second).

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

// SelfOnly splits the keys of p as the writer marks them: the keys new to
// the store (isNew) that only TallyCat's own services sent, and the keys
// it held to which p brings a stream another release sends, which are no
// longer TallyCat's alone if they were.
func SelfOnly(p *catalog.Plan, isNew func(key string) bool) (selfOnly, notSelf []string) {
	others := p.SentByOthers()
	for _, k := range p.Keys {
		switch {
		case isNew(k.Key) && !others[k.Key]:
			selfOnly = append(selfOnly, k.Key)
		case !isNew(k.Key) && others[k.Key]:
			notSelf = append(notSelf, k.Key)
		}
	}
	return selfOnly, notSelf
}

// FlagWriter is a store's SQL within its write, as the key flags' flows
// run it.
type FlagWriter interface {
	// Exec runs one statement.
	Exec(ctx context.Context, query string, args ...any) error
	// Scan runs a query and hands fn each row.
	Scan(ctx context.Context, query string, args []any, fn func(Row) error) error
	// In is a condition, in the store's dialect, that column is among
	// the texts of a list bound as the statement's n-th argument.
	In(column string, n int) string
}

// RecheckDivergence works out again, from their members as they are now,
// whether the keys diverge, and writes it.
func RecheckDivergence(ctx context.Context, w FlagWriter, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	members := KeyMembers{}
	if err := w.Scan(ctx, KeyMembersQuery(w.In("ss.schema_key", 1)), []any{keys}, members.Scan); err != nil {
		return fmt.Errorf("read members of keys: %w", err)
	}
	err := w.Exec(ctx, `UPDATE schema_keys SET diverging = `+w.In("schema_key", 1)+` WHERE `+w.In("schema_key", 2),
		members.Diverging(keys), keys)
	if err != nil {
		return fmt.Errorf("write divergence of keys: %w", err)
	}
	return nil
}

// MarkSelfOnly writes which keys only TallyCat's own services sent
// (selfOnly: new keys inserted as not), and which are no longer so
// (notSelf; see SelfOnly).
func MarkSelfOnly(ctx context.Context, w FlagWriter, selfOnly, notSelf []string) error {
	if len(selfOnly) > 0 {
		if err := w.Exec(ctx, `UPDATE schema_keys SET self_only = true WHERE `+w.In("schema_key", 1), selfOnly); err != nil {
			return fmt.Errorf("mark keys TallyCat's own: %w", err)
		}
	}
	if len(notSelf) > 0 {
		if err := w.Exec(ctx, `UPDATE schema_keys SET self_only = false WHERE self_only AND `+w.In("schema_key", 1), notSelf); err != nil {
			return fmt.Errorf("mark keys sent by others: %w", err)
		}
	}
	return nil
}

// FillKeyFlags is the Go step of the migration that added the flags:
// whether only TallyCat's own services sent each key, and each key's
// divergence, worked out from its members.
func FillKeyFlags(ctx context.Context, w FlagWriter) error {
	// Two updates rather than a NOT IN, which PostgreSQL runs as a scan
	// of the list per key once the list outgrows its hash memory.
	for _, q := range []string{`UPDATE schema_keys SET self_only = true`,
		`UPDATE schema_keys SET self_only = false WHERE schema_key IN (` + NotSelfKeys() + `)`} {
		if err := w.Exec(ctx, q); err != nil {
			return err
		}
	}
	var keys Strings
	if err := w.Scan(ctx, `SELECT schema_key FROM schema_keys`, nil, keys.Scan); err != nil {
		return err
	}
	members := KeyMembers{}
	if err := w.Scan(ctx, KeyMembersQuery("TRUE"), nil, members.Scan); err != nil {
		return fmt.Errorf("read members of keys: %w", err)
	}
	return w.Exec(ctx, `UPDATE schema_keys SET diverging = `+w.In("schema_key", 1), members.Diverging(keys))
}
