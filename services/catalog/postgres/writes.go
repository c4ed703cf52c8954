package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// epoch stands for "no description yet" in description_at columns.
var epoch = catalog.Described{}.At

// writePlan persists a plan in a fixed number of round trips, whatever
// its size: the rows the plan says are new (schemas, streams, variants
// and pairs the database does not hold, new schemas' fields, new pairs'
// fields, events, new cost rows, and the summaries of keys heldKeys did
// not find) are copied in with COPY, which costs
// about half what an upsert of the same rows does; the rows that exist
// get one multi-row INSERT ... ON CONFLICT DO UPDATE per table binding
// each column as an array (unnest), and the moves a few statements for
// all of them; these statements, and those tail holds, go in one
// pipelined batch, in order, after the copies (moves carry rows onto
// those the batch wrote, and the repeated fields of a pair are checked
// against the copied ones).
func writePlan(ctx context.Context, tx pgx.Tx, p *catalog.Plan, tail *pgx.Batch) error {
	var b pgx.Batch
	inSchemas := queueSchemas(&b, p)
	held, err := heldKeys(ctx, tx, p)
	if err != nil {
		return err
	}
	reshaped := p.ReshapedKeys()
	selfOnly, notSelf := sqlstore.SelfOnly(p, func(key string) bool { return !held[key] })
	if err := copyAppended(ctx, tx, p, held, newKeyFlags(reshaped, selfOnly)); err != nil {
		return err
	}
	queueStreams(&b, p)
	queuePairs(&b, p)
	queueKeys(&b, p, held)
	if err := writeCosts(ctx, tx, p.Costs, &b); err != nil {
		return err
	}
	queueMoves(&b, p, inSchemas)
	b.QueuedQueries = append(b.QueuedQueries, tail.QueuedQueries...)
	if err := runBatch(ctx, tx, &b); err != nil {
		return err
	}
	// A key new to the store was copied in with its flags; the others the
	// batch reshaped have their divergence worked out again from all
	// their members, and stop being TallyCat's own if another release
	// now sends them.
	if err := sqlstore.RecheckDivergence(ctx, flagTx{tx}, sqlstore.RecheckedKeys(reshaped, func(key string) bool { return held[key] })); err != nil {
		return err
	}
	return sqlstore.MarkSelfOnly(ctx, flagTx{tx}, nil, notSelf)
}

// keyFlags are the flags of a key new to the store (see
// sqlstore/key_flags.go).
type keyFlags struct{ diverging, selfOnly bool }

// newKeyFlags are the flags of the plan's new keys: whether their members
// diverge, and whether only TallyCat's own services sent them.
func newKeyFlags(reshaped map[string][]catalog.KeyMember, selfOnly []string) func(key string) keyFlags {
	self := make(map[string]bool, len(selfOnly))
	for _, k := range selfOnly {
		self[k] = true
	}
	return func(key string) keyFlags { return keyFlags{catalog.Diverges(reshaped[key]), self[key]} }
}

// The ON CONFLICT clauses' merges, on a target aliased t: spans widen,
// the later description wins, counts add.
const (
	span     = `first_seen = least(t.first_seen, excluded.first_seen), last_seen = greatest(t.last_seen, excluded.last_seen)`
	describe = `description = CASE WHEN excluded.description_at >= t.description_at THEN excluded.description ELSE t.description END,
		description_at = greatest(t.description_at, excluded.description_at)`
	count = `data_point_count = t.data_point_count + excluded.data_point_count`
)

// queueSchemas queues the upsert of the plan's schemas and returns the
// ids it writes, whose counts of current streams it sets.
func queueSchemas(b *pgx.Batch, p *catalog.Plan) map[string]bool {
	in := map[string]bool{}
	if len(p.Schemas) == 0 {
		return in
	}
	var ids, keys, units, descs, examples []string
	var types, temps, kinds []int16
	var mono, byScope []bool
	var descAt, first, last []time.Time
	var counts []int64
	var current []int32
	for _, sw := range p.Schemas {
		sh := sw.Shape
		in[sw.ID] = true
		if sw.New {
			continue // copied
		}
		ids, keys, types, units = append(ids, sw.ID), append(keys, sw.Key), append(types, int16(sh.Type)), append(units, sh.Unit)
		temps, mono = append(temps, int16(sh.Temporality)), append(mono, sh.Monotonic)
		kinds, byScope, examples = append(kinds, int16(sh.SpanKind)), append(byScope, sh.ByScope), append(examples, catalog.EncodeNames(sw.NameExamples))
		descs, descAt = append(descs, sw.Description.Text), append(descAt, utc(sw.Description.At))
		first, last, counts = append(first, utc(sw.Span.First)), append(last, utc(sw.Span.Last)), append(counts, int64(sw.Span.Count))
		current = append(current, int32(p.CurrentStreams[sw.ID]))
	}
	if len(ids) == 0 {
		return in
	}
	b.Queue(`INSERT INTO schemas AS t SELECT * FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[], $5::smallint[],
			$6::boolean[], $7::text[], $8::timestamp[], $9::timestamp[], $10::timestamp[], $11::bigint[], $12::integer[],
			$13::smallint[], $14::boolean[], $15::text[])
		ON CONFLICT (schema_id) DO UPDATE SET `+span+`, `+describe+`, `+count+`,
			current_streams = t.current_streams + excluded.current_streams,
			name_examples = CASE WHEN excluded.name_examples <> '[]' THEN excluded.name_examples ELSE t.name_examples END`,
		ids, keys, types, units, temps, mono, descs, descAt, first, last, counts, current, kinds, byScope, examples)
	return in
}

// copyAppended copies the rows only ever appended: the data point fields
// of new schemas, the resource and scope fields of pairs whose set is new
// (those of a set that may be stored already go through queuePairs), the
// events (whose seq the column default numbers in the plan's order) and
// nothing else.
func copyAppended(ctx context.Context, tx pgx.Tx, p *catalog.Plan, heldKeys map[string]bool, flagsOf func(key string) keyFlags) error {
	var schemas, fields, streams, variants, pairs, pairFields, events, keys [][]any
	for _, sw := range p.Schemas {
		if sw.New {
			sh := sw.Shape
			schemas = append(schemas, []any{sw.ID, sw.Key, int16(sh.Type), sh.Unit, int16(sh.Temporality), sh.Monotonic,
				sw.Description.Text, utc(sw.Description.At), utc(sw.Span.First), utc(sw.Span.Last), int64(sw.Span.Count),
				int32(p.CurrentStreams[sw.ID]), int16(sh.SpanKind), sh.ByScope, catalog.EncodeNames(sw.NameExamples)})
			for _, a := range sh.Attributes {
				fields = append(fields, []any{sw.ID, a.Key, int16(a.Type), int16(catalog.FieldSourceOf(a.Source)), a.Event.String()})
			}
		}
	}
	for _, st := range p.Streams {
		if st.New {
			r := st.Stream.Release
			streams = append(streams, []any{st.SchemaID, st.ID, st.Key, r.ServiceNamespace, r.ServiceName, r.ServiceVersion,
				st.Stream.ScopeName, st.Stream.ScopeVersion, catalog.EncodeAttributes(st.Union), st.Description.Text,
				utc(st.Description.At), utc(st.Span.First), utc(st.Span.Last), int64(st.Span.Count), "", int64(st.Errors)})
		}
	}
	for _, v := range p.Variants {
		if v.New {
			variants = append(variants, []any{v.SchemaID, v.StreamID, v.VariantID, catalog.EncodeAttributes(v.Attributes),
				utc(v.Span.First), utc(v.Span.Last), int64(v.Span.Count)})
		}
	}
	for _, pw := range p.Pairs {
		if pw.New {
			pairs = append(pairs, []any{pw.SchemaID, pw.ProducerID, pw.Key, "", epoch, utc(pw.Span.First), utc(pw.Span.Last),
				int64(pw.Span.Count), int64(pw.FieldsHash), pw.Release.ServiceNamespace, pw.Release.ServiceName, pw.Release.ServiceVersion})
		}
		if pw.WriteFields && !pw.FieldsMayExist {
			for _, f := range pw.Fields {
				pairFields = append(pairFields, []any{pw.SchemaID, pw.ProducerID, int16(f.Source), f.Name, int16(f.Type)})
			}
		}
	}
	for _, e := range p.Events {
		events = append(events, eventRow(e))
	}
	for _, k := range p.Keys {
		if !heldKeys[k.Key] {
			keys = append(keys, newKeyRow(k, flagsOf(k.Key)))
		}
	}
	for _, c := range []struct {
		table   string
		columns []string
		rows    [][]any
	}{
		{"schemas", schemaColumns, schemas},
		{"schema_fields", []string{"schema_id", "name", "value_type", "source", "event_name"}, fields},
		{"schema_streams", streamColumns, streams},
		{"variants", []string{"schema_id", "stream_id", "variant_id", "attributes", "first_seen", "last_seen", "data_point_count"}, variants},
		{"schema_producers", pairColumns, pairs},
		{"producer_fields", []string{"schema_id", "producer_id", "source", "name", "value_type"}, pairFields},
		{"schema_events", eventColumns, events},
		{"schema_keys", keyColumns, keys},
	} {
		if err := copyRows(ctx, tx, c.table, c.columns, c.rows); err != nil {
			return err
		}
	}
	return nil
}

// The columns of the copied schemas, streams and pairs, in the order
// copyAppended writes them.
var (
	schemaColumns = []string{"schema_id", "schema_key", "metric_type", "unit", "temporality", "monotonic", "description",
		"description_at", "first_seen", "last_seen", "data_point_count", "current_streams", "span_kind", "by_scope", "name_examples"}
	streamColumns = []string{"schema_id", "stream_id", "schema_key", "service_namespace", "service_name", "service_version",
		"scope_name", "scope_version", "union_attributes", "description", "description_at", "first_seen", "last_seen",
		"data_point_count", "superseded_by", "error_count"}
	pairColumns = []string{"schema_id", "producer_id", "schema_key", "description", "description_at", "first_seen", "last_seen",
		"data_point_count", "fields_hash", "service_namespace", "service_name", "service_version"}
)

// keyColumns are the columns of schema_keys newKeyRow fills.
var keyColumns = []string{"schema_key", "metric_type", "unit", "metric_types", "units", "schema_count", "producer_count",
	"first_seen", "last_seen", "description", "description_at", "superseded_count", "signal", "name", "span_kinds", "diverging", "self_only"}

// newKeyRow is the summary of a key the database does not hold: the
// batch's, as the upsert would insert it, and its flags.
func newKeyRow(k catalog.KeyWrite, f keyFlags) []any {
	types := make([]int16, len(k.Types))
	for i, t := range k.Types {
		types[i] = int16(t)
	}
	kinds := make([]int16, len(k.SpanKinds))
	for i, sk := range k.SpanKinds {
		kinds[i] = int16(sk)
	}
	units := append([]string{}, k.Units...) // never nil: the column is NOT NULL
	return []any{k.Key, int16(k.Type), k.Unit, types, units, int64(k.SchemaDelta), int64(k.ProducerDelta), utc(k.FirstSeen),
		utc(k.LastSeen), k.Description.Text, utc(k.Description.At), int64(k.SupersededDelta), int16(k.Signal.API()), k.Name, kinds,
		f.diverging, f.selfOnly}
}

// heldKeys is which of the plan's keys have a summary in the database.
func heldKeys(ctx context.Context, tx pgx.Tx, p *catalog.Plan) (map[string]bool, error) {
	held := map[string]bool{}
	if len(p.Keys) == 0 {
		return held, nil
	}
	keys := make([]string, len(p.Keys))
	for i, k := range p.Keys {
		keys[i] = k.Key
	}
	rows, err := tx.Query(ctx, `SELECT schema_key FROM schema_keys WHERE schema_key = ANY($1)`, keys)
	if err != nil {
		return nil, fmt.Errorf("read key summaries: %w", err)
	}
	var key string
	_, err = pgx.ForEachRow(rows, []any{&key}, func() error { held[key] = true; return nil })
	return held, err
}

// eventColumns are the columns of schema_events eventRow fills; seq comes
// from its default.
var eventColumns = []string{"schema_key", "schema_id", "kind", "occurred_at", "actor", "producer_id", "version_seq",
	"previous_description", "description", "service_namespace", "service_name", "service_version", "service_instance_id",
	"target_schema_id", "added"}

// eventRow is a row of schema_events in eventColumns' order.
func eventRow(e catalog.Event) []any {
	producerID, p := e.StoredProducer()
	return []any{e.Key, e.SchemaID, int16(e.Kind), utc(e.At), e.Actor, producerID, nil, e.PreviousDescription, e.Description,
		p.ServiceNamespace, p.ServiceName, p.ServiceVersion, p.ServiceInstanceID, e.TargetSchemaID, e.StoredAdded()}
}

// queueStreams queues the upserts of the plan's streams and variants.
func queueStreams(b *pgx.Batch, p *catalog.Plan) {
	var schemas, ids, keys, nss, names, versions, scopes, scopeVersions, unions, descs []string
	var descAt, first, last []time.Time
	var counts, errors []int64
	for _, st := range p.Streams {
		if st.New {
			continue // copied
		}
		r := st.Stream.Release
		errors = append(errors, int64(st.Errors))
		schemas, ids, keys = append(schemas, st.SchemaID), append(ids, st.ID), append(keys, st.Key)
		nss, names, versions = append(nss, r.ServiceNamespace), append(names, r.ServiceName), append(versions, r.ServiceVersion)
		scopes, scopeVersions = append(scopes, st.Stream.ScopeName), append(scopeVersions, st.Stream.ScopeVersion)
		unions, descs, descAt = append(unions, catalog.EncodeAttributes(st.Union)), append(descs, st.Description.Text), append(descAt, utc(st.Description.At))
		first, last, counts = append(first, utc(st.Span.First)), append(last, utc(st.Span.Last)), append(counts, int64(st.Span.Count))
	}
	if len(ids) > 0 {
		b.Queue(`INSERT INTO schema_streams AS t SELECT s, i, k, ns, nm, v, sn, sv, u, d, da, fs, ls, n, '', e
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
				$10::text[], $11::timestamp[], $12::timestamp[], $13::timestamp[], $14::bigint[], $15::bigint[])
				AS u(s, i, k, ns, nm, v, sn, sv, u, d, da, fs, ls, n, e)
			ON CONFLICT (schema_id, stream_id) DO UPDATE SET `+span+`, `+describe+`, `+count+`, superseded_by = '',
				error_count = t.error_count + excluded.error_count`,
			schemas, ids, keys, nss, names, versions, scopes, scopeVersions, unions, descs, descAt, first, last, counts, errors)
	}
	var vSchemas, vStreams, vIDs, attrs []string
	var vFirst, vLast []time.Time
	var vCounts []int64
	for _, v := range p.Variants {
		if v.New {
			continue // copied
		}
		vSchemas, vStreams, vIDs = append(vSchemas, v.SchemaID), append(vStreams, v.StreamID), append(vIDs, v.VariantID)
		attrs, vFirst, vLast = append(attrs, catalog.EncodeAttributes(v.Attributes)), append(vFirst, utc(v.Span.First)), append(vLast, utc(v.Span.Last))
		vCounts = append(vCounts, int64(v.Span.Count))
	}
	if len(vIDs) > 0 {
		b.Queue(`INSERT INTO variants AS t SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamp[],
				$6::timestamp[], $7::bigint[])
			ON CONFLICT (schema_id, stream_id, variant_id) DO UPDATE SET `+span+`, `+count,
			vSchemas, vStreams, vIDs, attrs, vFirst, vLast, vCounts)
	}
}

// queuePairs queues the upserts of the plan's producers and (schema,
// producer) pairs, and the insert of the fields of pairs whose set may be
// stored in part already: those it skips.
func queuePairs(b *pgx.Batch, p *catalog.Plan) {
	if len(p.Producers) > 0 {
		var ids, names, nss, versions, instances []string
		var first, last []time.Time
		for _, pw := range p.Producers {
			id := pw.Identity
			ids, names, nss = append(ids, pw.ID), append(names, id.ServiceName), append(nss, id.ServiceNamespace)
			versions, instances = append(versions, id.ServiceVersion), append(instances, id.ServiceInstanceID)
			first, last = append(first, utc(pw.Span.First)), append(last, utc(pw.Span.Last))
		}
		b.Queue(`INSERT INTO producers AS t SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
				$6::timestamp[], $7::timestamp[])
			ON CONFLICT (producer_id) DO UPDATE SET `+span, ids, names, nss, versions, instances, first, last)
	}
	var schemas, producers, keys, nss, names, versions []string
	var first, last []time.Time
	var counts, hashes []int64
	var f struct {
		schemas, producers, names []string
		sources, types            []int16
	}
	for _, pw := range p.Pairs {
		if !pw.New { // a new pair is copied
			schemas, producers, keys = append(schemas, pw.SchemaID), append(producers, pw.ProducerID), append(keys, pw.Key)
			first, last, counts = append(first, utc(pw.Span.First)), append(last, utc(pw.Span.Last)), append(counts, int64(pw.Span.Count))
			hashes = append(hashes, int64(pw.FieldsHash)) // the uint64's bits
			nss, names, versions = append(nss, pw.Release.ServiceNamespace), append(names, pw.Release.ServiceName), append(versions, pw.Release.ServiceVersion)
		}
		if pw.WriteFields && pw.FieldsMayExist {
			for _, pf := range pw.Fields {
				f.schemas, f.producers, f.sources = append(f.schemas, pw.SchemaID), append(f.producers, pw.ProducerID), append(f.sources, int16(pf.Source))
				f.names, f.types = append(f.names, pf.Name), append(f.types, int16(pf.Type))
			}
		}
	}
	if len(schemas) > 0 {
		b.Queue(`INSERT INTO schema_producers AS t
				SELECT s, pr, k, '', $4::timestamp, fs, ls, n, h, ns, nm, v
				FROM unnest($1::text[], $2::text[], $3::text[], $5::timestamp[], $6::timestamp[], $7::bigint[], $8::bigint[],
					$9::text[], $10::text[], $11::text[]) AS u(s, pr, k, fs, ls, n, h, ns, nm, v)
			ON CONFLICT (schema_id, producer_id) DO UPDATE SET `+span+`, `+count+`, fields_hash = excluded.fields_hash`,
			schemas, producers, keys, epoch, first, last, counts, hashes, nss, names, versions)
	}
	if len(f.schemas) > 0 {
		b.Queue(`INSERT INTO producer_fields (schema_id, producer_id, source, name, value_type)
			SELECT DISTINCT a.* FROM unnest($1::text[], $2::text[], $3::smallint[], $4::text[], $5::smallint[])
				AS a(schema_id, producer_id, source, name, value_type)
			WHERE NOT EXISTS (SELECT 1 FROM producer_fields pf WHERE pf.schema_id = a.schema_id AND pf.producer_id = a.producer_id
				AND pf.source = a.source AND pf.name = a.name AND pf.value_type = a.value_type)`,
			f.schemas, f.producers, f.sources, f.names, f.types)
	}
}

// queueKeys queues the upsert of the key summaries. A key's lists of
// types and units are bound as PostgreSQL array literals, one per key,
// since unnest would flatten an array of arrays; the merge keeps them
// distinct and sorted, units in byte order as DuckDB's list_sort and Go's
// sort do.
func queueKeys(b *pgx.Batch, p *catalog.Plan, held map[string]bool) {
	var keys, units, typeLists, unitLists, descs, names, kindLists []string
	var types, signals []int16
	var schemaDeltas, producerDeltas, supersededDeltas []int64
	var first, last, descAt []time.Time
	for _, k := range p.Keys {
		if !held[k.Key] {
			continue // copied
		}
		ts := make([]string, len(k.Types))
		for i, t := range k.Types {
			ts[i] = fmt.Sprint(int16(t))
		}
		keys, types, units = append(keys, k.Key), append(types, int16(k.Type)), append(units, k.Unit)
		typeLists, unitLists = append(typeLists, "{"+strings.Join(ts, ",")+"}"), append(unitLists, arrayLiteral(k.Units))
		schemaDeltas, producerDeltas = append(schemaDeltas, int64(k.SchemaDelta)), append(producerDeltas, int64(k.ProducerDelta))
		first, last = append(first, utc(k.FirstSeen)), append(last, utc(k.LastSeen))
		descs, descAt = append(descs, k.Description.Text), append(descAt, utc(k.Description.At))
		supersededDeltas = append(supersededDeltas, int64(k.SupersededDelta))
		ks := make([]string, len(k.SpanKinds))
		for i, sk := range k.SpanKinds {
			ks[i] = fmt.Sprint(int16(sk))
		}
		signals, names, kindLists = append(signals, int16(k.Signal.API())), append(names, k.Name), append(kindLists, "{"+strings.Join(ks, ",")+"}")
	}
	if len(keys) == 0 {
		return
	}
	b.Queue(`INSERT INTO schema_keys AS t
			SELECT k, mt, un, mts::smallint[], us::text[], sc, pc, fs, ls, d, da, ssc, sg, nm, sks::smallint[]
			FROM unnest($1::text[], $2::smallint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
				$8::timestamp[], $9::timestamp[], $10::text[], $11::timestamp[], $12::bigint[], $13::smallint[], $14::text[], $15::text[])
				AS u(k, mt, un, mts, us, sc, pc, fs, ls, d, da, ssc, sg, nm, sks)
		ON CONFLICT (schema_key) DO UPDATE SET
			metric_type = CASE WHEN excluded.last_seen >= t.last_seen THEN excluded.metric_type ELSE t.metric_type END,
			unit = CASE WHEN excluded.last_seen >= t.last_seen THEN excluded.unit ELSE t.unit END,
			metric_types = ARRAY(SELECT DISTINCT x FROM unnest(t.metric_types || excluded.metric_types) AS x ORDER BY 1),
			units = ARRAY(SELECT DISTINCT x COLLATE "C" FROM unnest(t.units || excluded.units) AS x ORDER BY 1),
			span_kinds = ARRAY(SELECT DISTINCT x FROM unnest(t.span_kinds || excluded.span_kinds) AS x ORDER BY 1),
			schema_count = t.schema_count + excluded.schema_count,
			producer_count = t.producer_count + excluded.producer_count,
			superseded_count = t.superseded_count + excluded.superseded_count,
			`+span+`, `+describe,
		keys, types, units, typeLists, unitLists, schemaDeltas, producerDeltas, first, last, descs, descAt, supersededDeltas,
		signals, names, kindLists)
}

// arrayQuoting escapes an array literal's quoted element.
var arrayQuoting = strings.NewReplacer(`\`, `\\`, `"`, `\"`)

// arrayLiteral writes strings as a PostgreSQL array literal, each element
// quoted, so that any text (commas, braces, quotes, "NULL") reads back as
// itself.
func arrayLiteral(ss []string) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, s := range ss {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('"')
		sb.WriteString(arrayQuoting.Replace(s))
		sb.WriteByte('"')
	}
	sb.WriteByte('}')
	return sb.String()
}

// copyRows copies rows into table's columns with COPY; nothing for none.
func copyRows(ctx context.Context, tx pgx.Tx, table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{table}, columns, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	return nil
}

// runBatch sends b and reads every result, saying which statement failed.
func runBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	br := tx.SendBatch(ctx, b)
	for _, q := range b.QueuedQueries {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return fmt.Errorf("%s: %w", statementName(q.SQL), err)
		}
	}
	return br.Close()
}

// statementName is the start of a statement, to name it in an error.
func statementName(sql string) string {
	fields := strings.Fields(sql)
	if len(fields) > 4 {
		fields = fields[:4]
	}
	return strings.Join(fields, " ")
}
