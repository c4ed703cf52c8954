package duckdb

import (
	"context"
	"database/sql"
	"fmt"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// Reads for a full judging of the catalog (conformance.Findings.Refresh): a
// page of keys' current schemas with the same reads ListSchemas makes
// (loadSchemaFacts), for many keys at once; and every active stream's cost
// rows in one read, as ListTopSeries reads them.

// ListJudging implements catalog.Store. The page's keys come from the
// key summaries; its schemas are those whose key lies between the first
// and the last of them (a range over schemas, which DuckDB scans with its
// zone maps: an index serves equality, not ranges), and every read after
// that goes by the schemas' ids, as ListSchemas's do.
func (s *Store) ListJudging(ctx context.Context, after string, limit int) ([]catalog.JudgingKey, error) {
	// The first page starts at the first key, an empty name included.
	var keys []string
	err := scanRows(ctx, s.db, `SELECT schema_key FROM schema_keys WHERE schema_key > ? OR ? = ''
		ORDER BY schema_key LIMIT ?`, []any{after, after, sqlstore.LimitOf(limit)}, func(rows *sql.Rows) error {
		var k string
		if err := rows.Scan(&k); err != nil {
			return err
		}
		keys = append(keys, k)
		return nil
	})
	if err != nil || len(keys) == 0 {
		return nil, wrapJudging(err)
	}
	schemas, facts, err := s.loadSchemaFacts(ctx, `schema_key >= ? AND schema_key <= ? AND current_streams > 0`, keys[0], keys[len(keys)-1])
	if err != nil {
		return nil, wrapJudging(err)
	}
	out := make([]catalog.JudgingKey, len(keys))
	index := make(map[string]int, len(keys))
	for i, k := range keys {
		out[i].Key, index[k] = k, i
	}
	for _, sc := range schemas { // in key order, then first seen, as ListSchemas
		i, ok := index[sc.Key]
		if !ok {
			continue // a key the writer added after the page's keys were read
		}
		out[i].Schemas = append(out[i].Schemas, catalog.Judged{Schema: sc, Releases: sqlstore.CurrentReleases(facts[sc.ID].Facts)})
	}
	return out, nil
}

func wrapJudging(err error) error {
	if err != nil {
		return fmt.Errorf("list schemas for judging: %w", err)
	}
	return nil
}

// ReadFieldCosts implements catalog.Store.
func (s *Store) ReadFieldCosts(ctx context.Context, w tallycatv1.Window) (catalog.FieldCosts, error) {
	return sqlstore.ReadFieldCosts(ctx, costReader{s}, w)
}
