package duckdb

import (
	"context"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// ServiceReleases implements sqlstore.ReleaseKeyReader.
func (s dialect) ServiceReleases(ctx context.Context, service string, offset, limit int, each func(sqlstore.Row) error) error {
	return scanRows(ctx, s.db, `
		SELECT p.service_namespace, p.service_version, count(DISTINCT p.producer_id), min(p.first_seen), max(p.last_seen),
			count(DISTINCT k.schema_key) FILTER (WHERE k.signal = ?),
			count(DISTINCT k.schema_key) FILTER (WHERE k.signal = ?),
			count(DISTINCT k.schema_key) FILTER (WHERE k.signal = ?)
		FROM producers p
		LEFT JOIN schema_producers sp USING (producer_id)
		LEFT JOIN schema_keys k ON k.schema_key = sp.schema_key
		WHERE p.service_name = ?
		GROUP BY p.service_namespace, p.service_version
		ORDER BY min(p.first_seen) DESC, p.service_namespace, p.service_version
		LIMIT ? OFFSET ?`,
		[]any{int8(tallycatv1.Signal_SIGNAL_METRIC), int8(tallycatv1.Signal_SIGNAL_SPAN), int8(tallycatv1.Signal_SIGNAL_LOG), service, limit, offset},
		rowsOf(each))
}

// ServiceKeys implements sqlstore.ReleaseKeyReader, with ListSchemaKeys'
// service filter (KeyFilter).
func (s dialect) ServiceKeys(ctx context.Context, service string, each func(sqlstore.Row) error) error {
	return scanRows(ctx, s.db, `
		SELECT signal, count(*) FROM schema_keys
		WHERE schema_key IN (SELECT sp.schema_key FROM schema_producers sp JOIN producers p USING (producer_id) WHERE p.service_name = ?)
		GROUP BY signal`, []any{service}, rowsOf(each))
}
