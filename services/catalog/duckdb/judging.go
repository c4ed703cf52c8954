package duckdb

import (
	"context"

	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// Reads for a full judging of the catalog (conformance.Findings.Refresh): a
// page of keys' current schemas with the same reads ListSchemas makes
// (readSchemas), for many keys at once. The cost rows judging reads are
// the cost reads' (sqlstore.ReadFieldCosts).

// JudgingKeys implements sqlstore.JudgingReader: the page's keys come from
// the key summaries, whose column compares bytes.
func (s dialect) JudgingKeys(ctx context.Context, after string, limit int) ([]string, error) {
	var keys sqlstore.Strings
	err := scanRows(ctx, s.db, `SELECT schema_key FROM schema_keys WHERE schema_key > ? OR ? = ''
		ORDER BY schema_key LIMIT ?`, []any{after, after, limit}, rowsOf(keys.Scan))
	return keys, err
}

// CurrentSchemasOf implements sqlstore.JudgingReader: the schemas whose key
// lies between the first and the last of the page's (a range over
// schemas, which DuckDB scans with its zone maps: an index serves
// equality, not ranges); every read after that goes by the schemas' ids,
// as ListSchemas's do.
func (s dialect) CurrentSchemasOf(ctx context.Context, keys []string) (*sqlstore.SchemaSet, error) {
	return s.readSchemas(ctx, `schema_key >= ? AND schema_key <= ? AND current_streams > 0`, keys[0], keys[len(keys)-1])
}
