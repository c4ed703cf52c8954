package postgres

import (
	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/services/catalog"
)

// movesTable is the plan's moves as a table: each statement of queueMoves
// binds them as the same six arrays.
const movesTable = `unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
	AS m(stream_id, from_id, to_id, service_namespace, service_name, service_version)`

// queueMoves queues the statements that mark each moving stream's row on
// the schema it leaves superseded, and carry what the stream had there
// onto the schema it moves to, adding to what the batch wrote: the row's
// span and count, the variants, and the release's instance entries and
// their fields. (A schema's figures count its current streams: see
// sqlstore.SchemaFacts.) All of a batch's moves go through a few
// statements: a deploy that brings a new attribute moves many streams at
// once. It also applies the count of current streams of schemas the
// batch left (inSchemas: those queueSchemas wrote already).
func queueMoves(b *pgx.Batch, p *catalog.Plan, inSchemas map[string]bool) {
	if len(p.Moves) == 0 {
		return
	}
	var streams, from, to, nss, names, versions []string
	var deltaIDs []string
	var deltas []int32
	for _, m := range p.Moves {
		r := m.Release
		streams, from, to = append(streams, m.StreamID), append(from, m.From), append(to, m.To)
		nss, names, versions = append(nss, r.ServiceNamespace), append(names, r.ServiceName), append(versions, r.ServiceVersion)
		if !inSchemas[m.From] {
			inSchemas[m.From] = true // one row carries the schema's whole delta
			deltaIDs, deltas = append(deltaIDs, m.From), append(deltas, int32(p.CurrentStreams[m.From]))
		}
	}
	const spanAndCount = `first_seen = least(t.first_seen, excluded.first_seen), last_seen = greatest(t.last_seen, excluded.last_seen),
		data_point_count = t.data_point_count + excluded.data_point_count`
	for _, q := range []string{
		`INSERT INTO schema_streams AS t
			SELECT m.to_id, ss.stream_id, ss.schema_key, ss.service_namespace, ss.service_name, ss.service_version, ss.scope_name,
				ss.scope_version, ss.union_attributes, ss.description, ss.description_at, ss.first_seen, ss.last_seen,
				ss.data_point_count, '', ss.error_count
			FROM schema_streams ss JOIN ` + movesTable + ` ON ss.schema_id = m.from_id AND ss.stream_id = m.stream_id
			ON CONFLICT (schema_id, stream_id) DO UPDATE SET ` + spanAndCount + `, error_count = t.error_count + excluded.error_count`,
		`UPDATE schema_streams ss SET superseded_by = m.to_id FROM ` + movesTable + `
			WHERE ss.schema_id = m.from_id AND ss.stream_id = m.stream_id`,
		`INSERT INTO variants AS t
			SELECT m.to_id, v.stream_id, v.variant_id, v.attributes, v.first_seen, v.last_seen, v.data_point_count
			FROM variants v JOIN ` + movesTable + ` ON v.schema_id = m.from_id AND v.stream_id = m.stream_id
			ON CONFLICT (schema_id, stream_id, variant_id) DO UPDATE SET ` + spanAndCount,
		// One release may move several streams (scopes) between the same
		// schemas: its instances are carried once.
		`INSERT INTO producer_fields (schema_id, producer_id, source, name, value_type)
			SELECT DISTINCT m.to_id, pf.producer_id, pf.source, pf.name, pf.value_type
			FROM producer_fields pf
			JOIN schema_producers sp ON sp.schema_id = pf.schema_id AND sp.producer_id = pf.producer_id
			JOIN ` + movesTable + ` ON pf.schema_id = m.from_id AND sp.service_namespace = m.service_namespace
				AND sp.service_name = m.service_name AND sp.service_version = m.service_version
			WHERE NOT EXISTS (SELECT 1 FROM producer_fields f WHERE f.schema_id = m.to_id AND f.producer_id = pf.producer_id
				AND f.source = pf.source AND f.name = pf.name AND f.value_type = pf.value_type)`,
		// PostgreSQL 15 has no any_value: the grouped columns are the same
		// on every row of a group but fields_hash, any of which will do
		// (the next write of the pair compares its fields anyway).
		`INSERT INTO schema_producers AS t
			SELECT m.to_id, sp.producer_id, min(sp.schema_key), '', min(sp.description_at), min(sp.first_seen), max(sp.last_seen),
				sum(sp.data_point_count)::BIGINT, min(sp.fields_hash), min(sp.service_namespace), min(sp.service_name),
				min(sp.service_version)
			FROM schema_producers sp
			JOIN (SELECT DISTINCT from_id, to_id, service_namespace, service_name, service_version FROM ` + movesTable + `) m
				ON sp.schema_id = m.from_id AND sp.service_namespace = m.service_namespace
				AND sp.service_name = m.service_name AND sp.service_version = m.service_version
			GROUP BY m.to_id, sp.producer_id
			ON CONFLICT (schema_id, producer_id) DO UPDATE SET ` + spanAndCount,
	} {
		b.Queue(q, streams, from, to, nss, names, versions)
	}
	if len(deltaIDs) > 0 {
		b.Queue(`UPDATE schemas s SET current_streams = s.current_streams + d.n
			FROM unnest($1::text[], $2::integer[]) AS d(schema_id, n) WHERE s.schema_id = d.schema_id`, deltaIDs, deltas)
	}
}
