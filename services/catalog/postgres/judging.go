package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// Reads for a full judging of the catalog (conformance.Findings.Refresh): a
// page of keys' current schemas with the same reads ListSchemas makes
// (queueSchemaFacts), for many keys at once; and every active stream's
// cost rows in one read, as ListTopSeries reads them.

// ListJudging implements catalog.Store. The page's keys come from the key
// summaries, keyset-paged in byte order; its schemas are selected by those
// keys (not by the range between the first and the last, as DuckDB reads
// them, which only an index sorted as the page is could serve), and every
// table's rows by those schemas, in one batch.
func (s *Store) ListJudging(ctx context.Context, after string, limit int) ([]catalog.JudgingKey, error) {
	// The first page starts at the first key, an empty name included.
	var keys []string
	err := eachRow(ctx, s.pool, `SELECT schema_key FROM schema_keys WHERE schema_key COLLATE "C" > $1 OR $1 = ''
		ORDER BY schema_key COLLATE "C" LIMIT $2`, []any{after, sqlstore.LimitOf(limit)}, func(rows pgx.Rows) error {
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
	var r reads
	x := queueSchemaFacts(&r, currentOfKeys(keys))
	if err := r.send(ctx, s); err != nil {
		return nil, wrapJudging(err)
	}
	schemas, facts := x.Finish()
	out := make([]catalog.JudgingKey, len(keys))
	index := make(map[string]int, len(keys))
	for i, k := range keys {
		out[i].Key, index[k] = k, i
	}
	for _, sc := range schemas { // in key order, then first seen, as ListSchemas
		i, ok := index[sc.Key]
		if !ok {
			continue
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
