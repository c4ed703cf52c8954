package postgres

import (
	"context"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// Reads for a full judging of the catalog (conformance.Findings.Refresh): a
// page of keys' current schemas with the same reads ListSchemas makes
// (queueSchemaFacts), for many keys at once; and every active stream's
// cost rows in one read, as ListTopSeries reads them.

// JudgingKeys implements sqlstore.JudgingReader: the page's keys come
// from the key summaries, keyset-paged in byte order.
func (s dialect) JudgingKeys(ctx context.Context, after string, limit int) ([]string, error) {
	var keys sqlstore.Strings
	err := eachRow(ctx, s.pool, `SELECT schema_key FROM schema_keys WHERE schema_key COLLATE "C" > $1 OR $1 = ''
		ORDER BY schema_key COLLATE "C" LIMIT $2`, []any{after, limit}, rowsOf(keys.Scan))
	return keys, err
}

// CurrentSchemasOf implements sqlstore.JudgingReader: the schemas are
// selected by the page's keys (not by the range between the first and the
// last, as DuckDB reads them, which only an index sorted as the page is
// could serve), and every table's rows by those schemas, in one batch.
func (s dialect) CurrentSchemasOf(ctx context.Context, keys []string) (*sqlstore.SchemaSet, error) {
	var b reads
	x := queueSchemaFacts(&b, currentOfKeys(keys))
	return x, b.send(ctx, s.Store)
}
