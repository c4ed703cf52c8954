package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strconv"

	"github.com/tallycat/tallycat/services/catalog"
)

// writeMoves marks each moving stream's row on the schema it leaves
// superseded, and carries what the stream had there onto the schema it
// moves to, adding to what the batch wrote: the row's span and count, the
// variants, and the release's instance entries and their fields. (A
// schema's figures count its current streams: see sqlstore.SchemaFacts.)
// All of a batch's moves go through one temporary table and a few
// statements: a deploy that brings a new attribute moves many streams at
// once. It also applies the count of current streams of schemas the
// batch left (inSchemas: those the batch wrote already).
func writeMoves(ctx context.Context, conn *sql.Conn, p *catalog.Plan, inSchemas map[string]bool) error {
	if len(p.Moves) == 0 {
		return nil
	}
	if _, err := conn.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS batch_moves (stream_id VARCHAR, from_id VARCHAR, to_id VARCHAR,
		service_namespace VARCHAR, service_name VARCHAR, service_version VARCHAR); DELETE FROM batch_moves`); err != nil {
		return err
	}
	rows := make([][]driver.Value, len(p.Moves))
	var deltas [][]driver.Value
	for i, m := range p.Moves {
		r := m.Release
		rows[i] = []driver.Value{m.StreamID, m.From, m.To, r.ServiceNamespace, r.ServiceName, r.ServiceVersion}
		if !inSchemas[m.From] {
			inSchemas[m.From] = true // one row carries the schema's whole delta
			deltas = append(deltas, []driver.Value{m.From, strconv.Itoa(p.CurrentStreams[m.From]), ""})
		}
	}
	if err := appendRows(conn, `INSERT INTO batch_moves SELECT * FROM appended_data`, "batch_moves", rows); err != nil {
		return err
	}
	const spanAndCount = `first_seen = least(first_seen, excluded.first_seen), last_seen = greatest(last_seen, excluded.last_seen),
		data_point_count = data_point_count + excluded.data_point_count`
	for _, q := range []string{
		`INSERT INTO schema_streams SELECT ss.* REPLACE (m.to_id AS schema_id, '' AS superseded_by)
			FROM schema_streams ss JOIN batch_moves m ON ss.schema_id = m.from_id AND ss.stream_id = m.stream_id
			ON CONFLICT (schema_id, stream_id) DO UPDATE SET ` + spanAndCount + `, error_count = error_count + excluded.error_count`,
		`UPDATE schema_streams SET superseded_by = m.to_id FROM batch_moves m
			WHERE schema_streams.schema_id = m.from_id AND schema_streams.stream_id = m.stream_id`,
		`INSERT INTO variants SELECT m.to_id, v.stream_id, v.variant_id, v.attributes, v.first_seen, v.last_seen, v.data_point_count
			FROM variants v JOIN batch_moves m ON v.schema_id = m.from_id AND v.stream_id = m.stream_id
			ON CONFLICT (schema_id, stream_id, variant_id) DO UPDATE SET ` + spanAndCount,
		// One release may move several streams (scopes) between the same
		// schemas: its instances are carried once.
		`INSERT INTO producer_fields SELECT DISTINCT m.to_id, pf.producer_id, pf.source, pf.name, pf.value_type
			FROM producer_fields pf
			JOIN schema_producers sp ON sp.schema_id = pf.schema_id AND sp.producer_id = pf.producer_id
			JOIN batch_moves m ON pf.schema_id = m.from_id AND sp.service_namespace = m.service_namespace
				AND sp.service_name = m.service_name AND sp.service_version = m.service_version
			WHERE NOT EXISTS (SELECT 1 FROM producer_fields f WHERE f.schema_id = m.to_id AND f.producer_id = pf.producer_id
				AND f.source = pf.source AND f.name = pf.name AND f.value_type = pf.value_type)`,
		`INSERT INTO schema_producers SELECT m.to_id, sp.producer_id, any_value(sp.schema_key), '', min(sp.description_at),
			min(sp.first_seen), max(sp.last_seen), sum(sp.data_point_count)::UBIGINT, any_value(sp.fields_hash),
			any_value(sp.service_namespace), any_value(sp.service_name), any_value(sp.service_version)
			FROM schema_producers sp
			JOIN (SELECT DISTINCT from_id, to_id, service_namespace, service_name, service_version FROM batch_moves) m
				ON sp.schema_id = m.from_id AND sp.service_namespace = m.service_namespace
				AND sp.service_name = m.service_name AND sp.service_version = m.service_version
			GROUP BY m.to_id, sp.producer_id
			ON CONFLICT (schema_id, producer_id) DO UPDATE SET ` + spanAndCount,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("carry moved streams: %w", err)
		}
	}
	if len(deltas) == 0 {
		return nil
	}
	if err := fillKeys(ctx, conn, deltas); err != nil {
		return err
	}
	_, err := conn.ExecContext(ctx, `UPDATE schemas SET current_streams = current_streams + CAST(k.b AS INTEGER)
		FROM batch_keys k WHERE schemas.schema_id = k.a`)
	return err
}
