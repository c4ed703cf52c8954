package duckdb

import (
	"cmp"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// writeBatch merges a folded batch into the tables. Rows that can only be
// new are plainly inserted: a schema's data point fields come with the
// schema, and a pair's resource and scope fields are written only when its
// field set differs from the one last written (fields_hash), so that the
// heartbeats that make up most writes touch no field table at all.
func writeBatch(conn *sql.Conn, b *batch) error {
	var schemas, fields, producers, pairs, newPairFields, changedPairFields, scopes [][]driver.Value
	for _, id := range b.schemaIDs {
		s := b.schemas[id]
		sh := s.obs.Shape
		schemas = append(schemas, []driver.Value{id, sh.Name, int8(sh.Type), sh.Unit, int8(sh.Temporality), sh.Monotonic, s.desc.text, s.desc.at, s.span.first, s.span.last, s.span.count})
	}
	pairFields := map[pairKey][]fieldKey{}
	for k := range b.fields {
		if k.source != tallycatv1.FieldSource_FIELD_SOURCE_DATA_POINT {
			pk := pairKey{k.schemaID, k.producerID}
			pairFields[pk] = append(pairFields[pk], k)
			continue
		}
		if _, ok := b.known[k.schemaID]; !ok {
			fields = append(fields, []driver.Value{k.schemaID, k.name, int8(k.valueType)})
		}
	}
	for id, p := range b.producers {
		producers = append(producers, []driver.Value{id, p.id.ServiceName, p.id.ServiceNamespace, p.id.ServiceVersion, p.id.ServiceInstanceID, p.span.first, p.span.last})
	}
	for k, pa := range b.pairs {
		set := pairFields[k]
		hash := fieldsHash(set)
		stored, existed := b.knownPairs[k]
		if !existed || stored.fieldsHash != hash {
			dst := &newPairFields
			if existed {
				dst = &changedPairFields
			}
			for _, f := range set {
				*dst = append(*dst, []driver.Value{f.schemaID, f.producerID, int8(f.source), f.name, int8(f.valueType)})
			}
		}
		pairs = append(pairs, []driver.Value{k.schemaID, k.producerID, pa.schemaKey, pa.desc.text, pa.desc.at, pa.span.first, pa.span.last, pa.span.count, hash})
	}
	for k, sc := range b.scopes {
		scopes = append(scopes, []driver.Value{k.schemaID, k.name, k.version, sc.first, sc.last})
	}
	const (
		spanUpdate = `first_seen = least(first_seen, excluded.first_seen), last_seen = greatest(last_seen, excluded.last_seen)`
		descUpdate = `description = CASE WHEN excluded.description_at >= description_at THEN excluded.description ELSE description END,
			description_at = greatest(description_at, excluded.description_at)`
		countUpdate = `data_point_count = data_point_count + excluded.data_point_count`
		insert      = `SELECT * FROM appended_data`
		// A pair whose field set changed may repeat fields stored before.
		// The appender names its columns col1, col2, ...
		insertMissingFields = `SELECT * FROM appended_data a WHERE NOT EXISTS (SELECT 1 FROM producer_fields f
			WHERE f.schema_id = a.col1 AND f.producer_id = a.col2 AND f.source = a.col3
			AND f.name = a.col4 AND f.value_type = a.col5)`
	)
	steps := []struct {
		table, query string
		rows         [][]driver.Value
	}{
		{"schemas", insert + ` ON CONFLICT (schema_id) DO UPDATE SET ` + spanUpdate + `, ` + descUpdate + `, ` + countUpdate, schemas},
		{"schema_fields", insert, fields},
		{"producers", insert + ` ON CONFLICT (producer_id) DO UPDATE SET ` + spanUpdate, producers},
		{"schema_producers", insert + ` ON CONFLICT (schema_id, producer_id) DO UPDATE SET ` + spanUpdate + `, ` + descUpdate + `, ` + countUpdate +
			`, fields_hash = excluded.fields_hash`, pairs},
		{"producer_fields", insert, newPairFields},
		{"producer_fields", insertMissingFields, changedPairFields},
		{"schema_scopes", insert + ` ON CONFLICT (schema_id, scope_name, scope_version) DO UPDATE SET ` + spanUpdate, scopes},
	}
	for _, st := range steps {
		if err := appendRows(conn, `INSERT INTO `+st.table+` `+st.query, st.table, st.rows); err != nil {
			return err
		}
	}
	return nil
}

// fieldsHash identifies a pair's resource and scope field set. It is stored,
// so it must not change between releases: FNV-1a over the sorted fields,
// never 0 (the value of pairs stored before the hash existed).
func fieldsHash(set []fieldKey) uint64 {
	slices.SortFunc(set, func(a, b fieldKey) int {
		return cmp.Or(cmp.Compare(a.source, b.source), cmp.Compare(a.name, b.name), cmp.Compare(a.valueType, b.valueType))
	})
	h := fnv.New64a()
	for _, f := range set {
		fmt.Fprintf(h, "%d\x00%s\x00%d\x00", f.source, f.name, f.valueType)
	}
	return h.Sum64() | 1
}

// appendRows feeds rows to a DuckDB table appender whose query merges them
// into table; the rows must have table's columns, in order.
func appendRows(conn *sql.Conn, query, table string, rows [][]driver.Value) error {
	if len(rows) == 0 {
		return nil
	}
	return conn.Raw(func(dc any) error {
		a, err := duckdbdriver.NewTableAppender(dc.(driver.Conn), query, "", "", table, nil)
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

// updateKeys brings the schema_keys summaries of the batch's keys up to
// date from the batch alone: counts grow by the schemas and producers new to
// the key, spans widen, lists gain members, and the type, unit and
// description follow the latest schema, as they would if summed over every
// schema again (a test holds them to that). Recomputing them from the tables
// instead scanned two of them on every write.
func updateKeys(conn *sql.Conn, b *batch) error {
	type summary struct {
		key               string
		metricType        int8
		unit              string
		types             []int8
		units             []string
		schemas           int64
		producers         map[string]bool
		first, last       time.Time
		description       string
		descriptionAt     time.Time
		hasSchema, hasDsc bool
	}
	byKey := map[string]*summary{}
	var order []*summary
	for _, id := range b.schemaIDs {
		sc := b.schemas[id]
		sh := sc.obs.Shape
		k := byKey[sh.Name]
		if k == nil {
			k = &summary{key: sh.Name, producers: map[string]bool{}}
			byKey[sh.Name] = k
			order = append(order, k)
		}
		if _, ok := b.known[id]; !ok {
			k.schemas++
		}
		if !k.hasSchema || !sc.span.last.Before(k.last) {
			k.metricType, k.unit = int8(sh.Type), sh.Unit
		}
		if !k.hasSchema || sc.span.first.Before(k.first) {
			k.first = sc.span.first
		}
		if !k.hasSchema || sc.span.last.After(k.last) {
			k.last = sc.span.last
		}
		k.hasSchema = true
		if !slices.Contains(k.types, int8(sh.Type)) {
			k.types = append(k.types, int8(sh.Type))
		}
		if !slices.Contains(k.units, sh.Unit) {
			k.units = append(k.units, sh.Unit)
		}
		if !k.hasDsc || !sc.desc.at.Before(k.descriptionAt) {
			k.description, k.descriptionAt, k.hasDsc = sc.desc.text, sc.desc.at, true
		}
	}
	for pk, pa := range b.pairs {
		if !b.keyProducers[keyProducer{pa.schemaKey, pk.producerID}] {
			byKey[pa.schemaKey].producers[pk.producerID] = true
		}
	}
	rows := make([][]driver.Value, len(order))
	for i, k := range order {
		slices.Sort(k.types)
		slices.Sort(k.units)
		rows[i] = []driver.Value{k.key, k.metricType, k.unit, k.types, k.units, k.schemas, int64(len(k.producers)),
			k.first, k.last, k.description, k.descriptionAt}
	}
	return appendRows(conn, `INSERT INTO schema_keys SELECT * FROM appended_data ON CONFLICT (schema_key) DO UPDATE SET
		metric_type = CASE WHEN excluded.last_seen >= last_seen THEN excluded.metric_type ELSE metric_type END,
		unit = CASE WHEN excluded.last_seen >= last_seen THEN excluded.unit ELSE unit END,
		metric_types = list_sort(list_distinct(list_concat(metric_types, excluded.metric_types))),
		units = list_sort(list_distinct(list_concat(units, excluded.units))),
		schema_count = schema_count + excluded.schema_count,
		producer_count = producer_count + excluded.producer_count,
		first_seen = least(first_seen, excluded.first_seen),
		last_seen = greatest(last_seen, excluded.last_seen),
		description = CASE WHEN excluded.description_at >= description_at THEN excluded.description ELSE description END,
		description_at = greatest(description_at, excluded.description_at)`, "schema_keys", rows)
}
