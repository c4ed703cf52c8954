package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/services/catalog"
)

// batchRetention is how long a batch id is remembered for deduplication. A
// sender retries within seconds or minutes; a day is far beyond that.
const batchRetention = 24 * time.Hour

// span is a first/last-seen interval with a data point count.
type span struct {
	first, last time.Time
	count       uint64
}

func (s *span) add(first, last time.Time, n uint64) {
	if s.first.IsZero() || first.Before(s.first) {
		s.first = first
	}
	if last.After(s.last) {
		s.last = last
	}
	s.count += n
}

// described is a description with the time it was observed; later wins.
type described struct {
	text string
	at   time.Time
}

func (d *described) add(text string, at time.Time) {
	if d.at.IsZero() || !at.Before(d.at) {
		d.text, d.at = text, at
	}
}

type schemaAgg struct {
	obs      catalog.Observation
	span     span
	desc     described
	producer string // the earliest producer, named in the first-seen event
}

type pairKey struct{ schemaID, producerID string }

type pairAgg struct {
	schemaKey string
	span      span
	desc      described
}

type fieldKey struct {
	schemaID, producerID string
	source               tallycatv1.FieldSource
	name                 string
	valueType            tallycatv1.ValueType
}

type scopeKey struct{ schemaID, name, version string }

// batch is a batch of observations folded so that every row it writes is
// written once: DuckDB refuses an upsert that touches one key twice.
type batch struct {
	schemas   map[string]*schemaAgg
	schemaIDs []string // in first-appearance order, for stable writes
	producers map[string]*struct {
		id   catalog.ProducerIdentity
		span span
	}
	pairs  map[pairKey]*pairAgg
	fields map[fieldKey]struct{}
	scopes map[scopeKey]*span
}

func fold(obs []catalog.Observation) *batch {
	b := &batch{
		schemas: map[string]*schemaAgg{},
		producers: map[string]*struct {
			id   catalog.ProducerIdentity
			span span
		}{},
		pairs:  map[pairKey]*pairAgg{},
		fields: map[fieldKey]struct{}{},
		scopes: map[scopeKey]*span{},
	}
	for _, o := range obs {
		first, last := o.FirstObserved.UTC(), o.LastObserved.UTC()
		pid := o.Producer.ID()
		s := b.schemas[o.SchemaID]
		if s == nil {
			s = &schemaAgg{obs: o, producer: pid}
			b.schemas[o.SchemaID] = s
			b.schemaIDs = append(b.schemaIDs, o.SchemaID)
			for _, a := range o.Shape.Attributes {
				b.fields[fieldKey{o.SchemaID, "", tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT, a.Key, a.Type}] = struct{}{}
			}
		}
		if first.Before(s.span.first) {
			s.producer = pid
		}
		s.span.add(first, last, o.DataPoints)
		s.desc.add(o.Description, last)

		p := b.producers[pid]
		if p == nil {
			p = &struct {
				id   catalog.ProducerIdentity
				span span
			}{id: o.Producer}
			b.producers[pid] = p
		}
		p.span.add(first, last, o.DataPoints)

		pk := pairKey{o.SchemaID, pid}
		pa := b.pairs[pk]
		if pa == nil {
			pa = &pairAgg{schemaKey: o.Shape.Name}
			b.pairs[pk] = pa
		}
		pa.span.add(first, last, o.DataPoints)
		pa.desc.add(o.Description, last)

		for _, a := range o.ResourceAttributes {
			b.fields[fieldKey{o.SchemaID, pid, tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE, a.Key, a.Type}] = struct{}{}
		}
		for _, a := range o.ScopeAttributes {
			b.fields[fieldKey{o.SchemaID, pid, tallycatv1.FieldSource_FIELD_SOURCE_SCOPE, a.Key, a.Type}] = struct{}{}
		}
		sk := scopeKey{o.SchemaID, o.ScopeName, o.ScopeVer}
		sc := b.scopes[sk]
		if sc == nil {
			sc = &span{}
			b.scopes[sk] = sc
		}
		sc.add(first, last, o.DataPoints)
	}
	return b
}

// RecordObservations implements catalog.Store.
func (s *Store) RecordObservations(ctx context.Context, batchID string, obs []catalog.Observation) (catalog.RecordResult, error) {
	var res catalog.RecordResult
	b := fold(obs)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if batchID != "" {
			var seen int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM applied_batches WHERE batch_id = ?`, batchID).Scan(&seen); err != nil {
				return err
			}
			if seen > 0 {
				res.Duplicate = true
				return nil
			}
		}
		existing, err := existingSchemas(ctx, tx, b.schemaIDs)
		if err != nil {
			return err
		}
		pairs, err := existingPairs(ctx, tx, b.schemaIDs)
		if err != nil {
			return err
		}
		for _, id := range b.schemaIDs {
			if _, ok := existing[id]; !ok {
				res.NewSchemas++
			}
		}
		if err := writeEvents(ctx, tx, b, existing, pairs); err != nil {
			return err
		}
		if err := writeBatch(ctx, tx, b); err != nil {
			return err
		}
		if batchID != "" {
			now := s.now()
			if _, err := tx.ExecContext(ctx, `DELETE FROM applied_batches WHERE applied_at < ?`, now.Add(-batchRetention)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO applied_batches VALUES (?, ?)`, batchID, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return catalog.RecordResult{}, fmt.Errorf("record observations: %w", err)
	}
	return res, nil
}

// existingSchemas returns the stored description of each id that exists.
func existingSchemas(ctx context.Context, q querier, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	err := forChunks(ids, func(chunk []string) error {
		rows, err := q.QueryContext(ctx, `SELECT schema_id, description FROM schemas WHERE schema_id IN (`+placeholders(len(chunk))+`)`, anys(chunk)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, desc string
			if err := rows.Scan(&id, &desc); err != nil {
				return err
			}
			out[id] = desc
		}
		return rows.Err()
	})
	return out, err
}

// existingPairs returns the stored description of each (schema, producer)
// pair of the given schemas.
func existingPairs(ctx context.Context, q querier, ids []string) (map[pairKey]string, error) {
	out := map[pairKey]string{}
	err := forChunks(ids, func(chunk []string) error {
		rows, err := q.QueryContext(ctx, `SELECT schema_id, producer_id, description FROM schema_producers WHERE schema_id IN (`+placeholders(len(chunk))+`)`, anys(chunk)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k pairKey
			var desc string
			if err := rows.Scan(&k.schemaID, &k.producerID, &desc); err != nil {
				return err
			}
			out[k] = desc
		}
		return rows.Err()
	})
	return out, err
}

// writeEvents appends the timeline entries this batch causes. It runs before
// the batch is written, while the old state is still what it compares with.
// A description event is written when a producer's description of a schema
// changes, or a new producer brings one the schema did not have: producers that
// keep disagreeing do not flood the timeline.
func writeEvents(ctx context.Context, tx *sql.Tx, b *batch, existing map[string]string, pairs map[pairKey]string) error {
	var rows [][]any
	kind := func(k tallycatv1.SchemaEventKind) int8 { return int8(k) }
	for _, id := range b.schemaIDs {
		s := b.schemas[id]
		if _, ok := existing[id]; !ok {
			rows = append(rows, []any{s.obs.Shape.Name, id, kind(tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN), s.span.first, "", s.producer, "", s.desc.text})
		}
	}
	for k, pa := range b.pairs {
		s := b.schemas[k.schemaID]
		schemaDesc, schemaExisted := existing[k.schemaID]
		old, pairExisted := pairs[k]
		switch {
		case !pairExisted && (schemaExisted || k.producerID != s.producer):
			rows = append(rows, []any{pa.schemaKey, k.schemaID, kind(tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_ADDED), pa.span.first, "", k.producerID, "", ""})
			if schemaExisted && pa.desc.text != schemaDesc {
				rows = append(rows, []any{pa.schemaKey, k.schemaID, kind(tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_DESCRIPTION_CHANGED), pa.desc.at, "", k.producerID, schemaDesc, pa.desc.text})
			}
		case pairExisted && pa.desc.text != old:
			rows = append(rows, []any{pa.schemaKey, k.schemaID, kind(tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_DESCRIPTION_CHANGED), pa.desc.at, "", k.producerID, old, pa.desc.text})
		}
	}
	return insertValues(ctx, tx,
		`INSERT INTO schema_events (seq, schema_key, schema_id, kind, occurred_at, actor, producer_id, previous_description, description) VALUES `,
		`(nextval('schema_events_seq'), ?, ?, ?, ?, ?, ?, ?, ?)`, "", rows)
}

func writeBatch(ctx context.Context, tx *sql.Tx, b *batch) error {
	var schemas, fields, producers, pairs, pfields, scopes [][]any
	for _, id := range b.schemaIDs {
		s := b.schemas[id]
		sh := s.obs.Shape
		schemas = append(schemas, []any{id, sh.Name, int8(sh.Type), sh.Unit, int8(sh.Temporality), sh.Monotonic, s.desc.text, s.desc.at, s.span.first, s.span.last, s.span.count})
	}
	for k := range b.fields {
		if k.source == tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT {
			fields = append(fields, []any{k.schemaID, k.name, int8(k.valueType)})
		} else {
			pfields = append(pfields, []any{k.schemaID, k.producerID, int8(k.source), k.name, int8(k.valueType)})
		}
	}
	for id, p := range b.producers {
		producers = append(producers, []any{id, p.id.ServiceName, p.id.ServiceNamespace, p.id.ServiceVersion, p.id.ServiceInstanceID, p.span.first, p.span.last})
	}
	for k, pa := range b.pairs {
		pairs = append(pairs, []any{k.schemaID, k.producerID, pa.schemaKey, pa.desc.text, pa.desc.at, pa.span.first, pa.span.last, pa.span.count})
	}
	for k, sc := range b.scopes {
		scopes = append(scopes, []any{k.schemaID, k.name, k.version, sc.first, sc.last})
	}
	const (
		spanUpdate = `first_seen = least(first_seen, excluded.first_seen), last_seen = greatest(last_seen, excluded.last_seen)`
		descUpdate = `description = CASE WHEN excluded.description_at >= description_at THEN excluded.description ELSE description END,
			description_at = greatest(description_at, excluded.description_at)`
	)
	steps := []struct {
		insert, row, conflict string
		rows                  [][]any
	}{
		{`INSERT INTO schemas VALUES `, `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			` ON CONFLICT (schema_id) DO UPDATE SET ` + spanUpdate + `, ` + descUpdate + `, data_point_count = data_point_count + excluded.data_point_count`, schemas},
		{`INSERT INTO schema_fields VALUES `, `(?, ?, ?)`, ` ON CONFLICT DO NOTHING`, fields},
		{`INSERT INTO producers VALUES `, `(?, ?, ?, ?, ?, ?, ?)`, ` ON CONFLICT (producer_id) DO UPDATE SET ` + spanUpdate, producers},
		{`INSERT INTO schema_producers VALUES `, `(?, ?, ?, ?, ?, ?, ?, ?)`,
			` ON CONFLICT (schema_id, producer_id) DO UPDATE SET ` + spanUpdate + `, ` + descUpdate + `, data_point_count = data_point_count + excluded.data_point_count`, pairs},
		{`INSERT INTO producer_fields VALUES `, `(?, ?, ?, ?, ?)`, ` ON CONFLICT DO NOTHING`, pfields},
		{`INSERT INTO schema_scopes VALUES `, `(?, ?, ?, ?, ?)`, ` ON CONFLICT (schema_id, scope_name, scope_version) DO UPDATE SET ` + spanUpdate, scopes},
	}
	for _, st := range steps {
		if err := insertValues(ctx, tx, st.insert, st.row, st.conflict, st.rows); err != nil {
			return err
		}
	}
	return nil
}

// querier is what reads need from *sql.DB and *sql.Tx alike.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// chunkRows bounds the rows of one multi-row statement, keeping statements
// and their parameter lists a sensible size.
const chunkRows = 256

// insertValues writes rows with as few statements as chunkRows allows: one
// multi-row INSERT per chunk, never one statement per row.
func insertValues(ctx context.Context, tx *sql.Tx, insert, row, conflict string, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), chunkRows)
		var sb strings.Builder
		sb.WriteString(insert)
		args := make([]any, 0, n*len(rows[0]))
		for i, r := range rows[:n] {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(row)
			args = append(args, r...)
		}
		sb.WriteString(conflict)
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("%s: %w", strings.TrimSpace(insert), err)
		}
		rows = rows[n:]
	}
	return nil
}

func forChunks(ids []string, fn func([]string) error) error {
	for len(ids) > 0 {
		n := min(len(ids), chunkRows)
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
