package postgres

import (
	"context"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// ServiceReleases implements sqlstore.ReleaseKeyReader. The identity
// columns' collation ("C") orders them byte by byte, as DuckDB's does.
func (s dialect) ServiceReleases(ctx context.Context, service string, offset, limit int, each func(sqlstore.Row) error) error {
	return eachRow(ctx, s.pool, `
		SELECT p.service_namespace, p.service_version, count(DISTINCT p.producer_id), min(p.first_seen), max(p.last_seen),
			count(DISTINCT k.schema_key) FILTER (WHERE k.signal = $1),
			count(DISTINCT k.schema_key) FILTER (WHERE k.signal = $2),
			count(DISTINCT k.schema_key) FILTER (WHERE k.signal = $3)
		FROM producers p
		LEFT JOIN schema_producers sp USING (producer_id)
		LEFT JOIN schema_keys k ON k.schema_key = sp.schema_key
		WHERE p.service_name = $4
		GROUP BY p.service_namespace, p.service_version
		ORDER BY min(p.first_seen) DESC, p.service_namespace, p.service_version
		LIMIT $5 OFFSET $6`,
		[]any{int16(tallycatv1.Signal_SIGNAL_METRIC), int16(tallycatv1.Signal_SIGNAL_SPAN), int16(tallycatv1.Signal_SIGNAL_LOG), service, limit, offset},
		rowsOf(each))
}

// ServiceKeys implements sqlstore.ReleaseKeyReader, with ListSchemaKeys'
// service filter (KeyFilter).
func (s dialect) ServiceKeys(ctx context.Context, service string, each func(sqlstore.Row) error) error {
	return eachRow(ctx, s.pool, `
		SELECT signal, count(*) FROM schema_keys
		WHERE schema_key IN (SELECT sp.schema_key FROM schema_producers sp JOIN producers p USING (producer_id) WHERE p.service_name = $1)
		GROUP BY signal`, []any{service}, rowsOf(each))
}
