package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// epoch stands for "no description yet" in description_at columns.
var epoch = catalog.Described{}.At

// split holds the rows of one table in two: those the plan says are new,
// which a plain INSERT writes (a quarter of the cost of a merge at 1,000
// rows), and the others, which INSERT ... ON CONFLICT merges.
type split struct{ fresh, known [][]driver.Value }

func (s *split) add(fresh bool, row []driver.Value) {
	if fresh {
		s.fresh = append(s.fresh, row)
	} else {
		s.known = append(s.known, row)
	}
}

// writePlan persists a plan. Every table is written through DuckDB's
// appender, whose rows one INSERT (or INSERT ... ON CONFLICT, to merge
// into rows that exist) writes: no statement per row, no large parameter
// lists. Moves run after, as a few statements for all of them. It writes
// no key's divergence: it writes migration 4's plans, before the column
// was added, whose own migration works it out for every key.
func writePlan(ctx context.Context, conn *sql.Conn, p *catalog.Plan) error {
	return writeRows(ctx, conn, p, nil)
}

// writePlanNew persists a plan as writePlan does, knowing which of the
// plan's keys the database does not hold (newKeys, from the writer's
// memory): their summaries are inserted, not merged, which on a batch of
// new keys is the largest write saved (a merge of 1,000 summaries cost
// 30-70 ms, most of the writes). It then writes the flags of the keys the
// plan changed (see sqlstore/key_flags.go): a new key's divergence from
// the plan, another's worked out again from all its members, and which
// are TallyCat's own. A new key is inserted as neither diverging nor
// TallyCat's own, the flags of most, and only the others are updated.
func writePlanNew(ctx context.Context, conn *sql.Conn, p *catalog.Plan, newKeys map[string]bool) error {
	if err := writeRows(ctx, conn, p, newKeys); err != nil {
		return err
	}
	reshaped := p.ReshapedKeys()
	recheck := sqlstore.RecheckedKeys(reshaped, func(key string) bool { return !newKeys[key] })
	for key := range newKeys {
		if catalog.Diverges(reshaped[key]) {
			recheck = append(recheck, key)
		}
	}
	if err := sqlstore.RecheckDivergence(ctx, flagConn{conn}, recheck); err != nil {
		return err
	}
	selfOnly, notSelf := sqlstore.SelfOnly(p, func(key string) bool { return newKeys[key] })
	return sqlstore.MarkSelfOnly(ctx, flagConn{conn}, selfOnly, notSelf)
}

// writeRows writes the plan's rows (see writePlanNew).
func writeRows(ctx context.Context, conn *sql.Conn, p *catalog.Plan, newKeys map[string]bool) error {
	var fields, producers, newPairFields, repeatPairFields, events [][]driver.Value
	var schemas, streams, variants, pairs, keys split
	inSchemas := map[string]bool{}
	for _, sw := range p.Schemas {
		sh := sw.Shape
		inSchemas[sw.ID] = true
		schemas.add(sw.New, []driver.Value{sw.ID, sw.Key, int8(sh.Type), sh.Unit, int8(sh.Temporality), sh.Monotonic,
			sw.Description.Text, sw.Description.At, sw.Span.First, sw.Span.Last, sw.Span.Count, int32(p.CurrentStreams[sw.ID]),
			int8(sh.SpanKind), sh.ByScope, catalog.EncodeNames(sw.NameExamples)})
		if sw.New {
			for _, a := range sh.Attributes {
				fields = append(fields, []driver.Value{sw.ID, a.Key, int8(a.Type), int8(catalog.FieldSourceOf(a.Source)), a.Event.String()})
			}
		}
	}
	for _, st := range p.Streams {
		r := st.Stream.Release
		streams.add(st.New, []driver.Value{st.SchemaID, st.ID, st.Key, r.ServiceNamespace, r.ServiceName, r.ServiceVersion,
			st.Stream.ScopeName, st.Stream.ScopeVersion, catalog.EncodeAttributes(st.Union), st.Description.Text, st.Description.At,
			st.Span.First, st.Span.Last, st.Span.Count, "", st.Errors})
	}
	for _, v := range p.Variants {
		variants.add(v.New, []driver.Value{v.SchemaID, v.StreamID, v.VariantID, catalog.EncodeAttributes(v.Attributes),
			v.Span.First, v.Span.Last, v.Span.Count})
	}
	for _, pw := range p.Producers {
		id := pw.Identity
		producers = append(producers, []driver.Value{pw.ID, id.ServiceName, id.ServiceNamespace, id.ServiceVersion, id.ServiceInstanceID, pw.Span.First, pw.Span.Last})
	}
	for _, pw := range p.Pairs {
		pairs.add(pw.New, []driver.Value{pw.SchemaID, pw.ProducerID, pw.Key, "", epoch, pw.Span.First, pw.Span.Last, pw.Span.Count, pw.FieldsHash,
			pw.Release.ServiceNamespace, pw.Release.ServiceName, pw.Release.ServiceVersion})
		if !pw.WriteFields {
			continue
		}
		dst := &newPairFields
		if pw.FieldsMayExist {
			dst = &repeatPairFields
		}
		for _, f := range pw.Fields {
			*dst = append(*dst, []driver.Value{pw.SchemaID, pw.ProducerID, int8(f.Source), f.Name, int8(f.Type)})
		}
	}
	for _, e := range p.Events {
		events = append(events, eventRow(e))
	}
	for _, k := range p.Keys {
		types := make([]int8, len(k.Types))
		for i, t := range k.Types {
			types[i] = int8(t)
		}
		kinds := make([]int8, len(k.SpanKinds))
		for i, sk := range k.SpanKinds {
			kinds[i] = int8(sk)
		}
		keys.add(newKeys[k.Key], []driver.Value{k.Key, int8(k.Type), k.Unit, types, k.Units, int64(k.SchemaDelta), int64(k.ProducerDelta),
			k.FirstSeen, k.LastSeen, k.Description.Text, k.Description.At, int64(k.SupersededDelta),
			int8(k.Signal.API()), k.Name, kinds})
	}
	const (
		span     = `first_seen = least(first_seen, excluded.first_seen), last_seen = greatest(last_seen, excluded.last_seen)`
		describe = `description = CASE WHEN excluded.description_at >= description_at THEN excluded.description ELSE description END,
			description_at = greatest(description_at, excluded.description_at)`
		count  = `data_point_count = data_point_count + excluded.data_point_count`
		insert = `SELECT * FROM appended_data`
		// A pair's fields may repeat ones stored before (a changed set, or
		// one a move carries). The appender names its columns col1, ...
		insertMissingFields = `SELECT DISTINCT * FROM appended_data a WHERE NOT EXISTS (SELECT 1 FROM producer_fields f
			WHERE f.schema_id = a.col1 AND f.producer_id = a.col2 AND f.source = a.col3
			AND f.name = a.col4 AND f.value_type = a.col5)`
	)
	steps := []struct {
		table, query string
		rows         [][]driver.Value
	}{
		{"schemas", insert, schemas.fresh},
		{"schemas", insert + ` ON CONFLICT (schema_id) DO UPDATE SET ` + span + `, ` + describe + `, ` + count +
			`, current_streams = current_streams + excluded.current_streams,
			name_examples = CASE WHEN excluded.name_examples <> '[]' THEN excluded.name_examples ELSE name_examples END`, schemas.known},
		{"schema_fields", insert, fields},
		{"schema_streams", insert, streams.fresh},
		{"schema_streams", insert + ` ON CONFLICT (schema_id, stream_id) DO UPDATE SET ` + span + `, ` + describe + `, ` + count +
			`, superseded_by = '', error_count = error_count + excluded.error_count`, streams.known},
		{"variants", insert, variants.fresh},
		{"variants", insert + ` ON CONFLICT (schema_id, stream_id, variant_id) DO UPDATE SET ` + span + `, ` + count, variants.known},
		{"producers", insert + ` ON CONFLICT (producer_id) DO UPDATE SET ` + span, producers},
		{"schema_producers", insert, pairs.fresh},
		{"schema_producers", insert + ` ON CONFLICT (schema_id, producer_id) DO UPDATE SET ` + span + `, ` + count +
			`, fields_hash = excluded.fields_hash`, pairs.known},
		{"producer_fields", insert, newPairFields},
		{"producer_fields", insertMissingFields, repeatPairFields},
		{"schema_events", `SELECT nextval('schema_events_seq'), * EXCLUDE (col1) FROM appended_data`, events},
	}
	for _, st := range steps {
		if err := appendRows(conn, `INSERT INTO `+st.table+` `+st.query, st.table, st.rows); err != nil {
			return err
		}
	}
	into := `INSERT INTO schema_keys (` + strings.Join(keyColumns, ", ") + `) `
	for _, st := range []struct {
		query string
		rows  [][]driver.Value
	}{
		{insert, keys.fresh},
		{insert + ` ON CONFLICT (schema_key) DO UPDATE SET
			metric_type = CASE WHEN excluded.last_seen >= last_seen THEN excluded.metric_type ELSE metric_type END,
			unit = CASE WHEN excluded.last_seen >= last_seen THEN excluded.unit ELSE unit END,
			metric_types = list_sort(list_distinct(list_concat(metric_types, excluded.metric_types))),
			units = list_sort(list_distinct(list_concat(units, excluded.units))),
			span_kinds = list_sort(list_distinct(list_concat(span_kinds, excluded.span_kinds))),
			schema_count = schema_count + excluded.schema_count,
			producer_count = producer_count + excluded.producer_count,
			superseded_count = superseded_count + excluded.superseded_count,
			` + span + `, ` + describe, keys.known},
	} {
		if err := appendRowsOf(conn, into+st.query, "schema_keys", keyColumns, st.rows); err != nil {
			return err
		}
	}
	if err := writeCosts(conn, p.Costs); err != nil {
		return err
	}
	return writeMoves(ctx, conn, p, inSchemas)
}

// keyColumns are the columns of schema_keys the writer's rows hold: all
// but the flags, which writePlanNew writes apart, and writePlan (whose
// plans migration 4 writes, before the columns were added) does not.
var keyColumns = []string{"schema_key", "metric_type", "unit", "metric_types", "units", "schema_count", "producer_count",
	"first_seen", "last_seen", "description", "description_at", "superseded_count", "signal", "name", "span_kinds"}

// eventRow is a row of schema_events (whose seq the insert fills).
func eventRow(e catalog.Event) []driver.Value {
	producerID, p := e.StoredProducer()
	return []driver.Value{int64(0), e.Key, e.SchemaID, int8(e.Kind), e.At, e.Actor, producerID, nil, e.PreviousDescription, e.Description,
		p.ServiceNamespace, p.ServiceName, p.ServiceVersion, p.ServiceInstanceID, e.TargetSchemaID, e.StoredAdded()}
}

// appendRows feeds rows to a DuckDB table appender whose query merges them
// into table; the rows must have table's columns, in order.
func appendRows(conn *sql.Conn, query, table string, rows [][]driver.Value) error {
	return appendRowsOf(conn, query, table, nil, rows)
}

// appendRowsOf is appendRows of rows that hold the given columns of table
// (all of them for nil), in that order.
func appendRowsOf(conn *sql.Conn, query, table string, columns []string, rows [][]driver.Value) error {
	if len(rows) == 0 {
		return nil
	}
	return conn.Raw(func(dc any) error {
		a, err := duckdbdriver.NewTableAppender(dc.(driver.Conn), query, "", "", table, columns)
		if err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		for _, r := range rows {
			if err := a.AppendRow(r...); err != nil {
				a.Close()
				return fmt.Errorf("%s: %w", table, err)
			}
		}
		if err := a.Close(); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
		return nil
	})
}
