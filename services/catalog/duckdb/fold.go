package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// foldIntoReleases is the Go step of migration 4. A database of the
// previous model holds one schema per distinct data point attribute set
// (v1 ids). It is folded into the new model by replaying it: every (old
// schema, producer, scope) becomes an observation, and the whole set is
// planned as one batch, so each release, scope and metric lands on the
// union of the shapes it had. An old schema whose shape is no release's
// union is kept as a superseded schema (its v2 id), with its producers
// naming the union their release is on now. Versions and the events people
// made move to the v2 id of the schema they were made on; observed events
// (first seen, producer added, description changed) are made again by the
// replay, with their original times. The old model kept scopes per schema,
// not per producer: see firstScope.
func foldIntoReleases(ctx context.Context, conn *sql.Conn) error {
	old, err := readOldModel(ctx, conn)
	if err != nil {
		return err
	}
	// The writer writes every column the current model has, some of which
	// later migrations add: add them now, before the tables are emptied
	// and written again (the migration that adds them runs again after
	// this one, finding them there). A key's divergence is not among
	// them: writePlan leaves it to its own migration.
	if err := addLaterColumns(ctx, conn, signalsMigration); err != nil {
		return err
	}
	// A schema's scopes are now those of its streams.
	if _, err := conn.ExecContext(ctx, `DROP TABLE schema_scopes`); err != nil || len(old.schemas) == 0 {
		return err
	}
	var mapping [][]driver.Value
	for id, x := range old.schemas {
		mapping = append(mapping, []driver.Value{id, schemaid.ID(x.shape), ""})
	}
	if err := fillKeys(ctx, conn, mapping); err != nil {
		return err
	}
	for _, q := range []string{
		`UPDATE schema_versions SET schema_id = k.b FROM batch_keys k WHERE schema_versions.schema_id = k.a`,
		`DELETE FROM schema_events WHERE kind IN (1, 2, 5)`,
		`UPDATE schema_events SET schema_id = k.b FROM batch_keys k WHERE schema_events.schema_id = k.a`,
		`DELETE FROM schema_fields`, `DELETE FROM producer_fields`,
		`DELETE FROM schema_producers`, `DELETE FROM schemas`, `DELETE FROM schema_keys`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	plan, err := catalog.PlanBatch(ctx, old.observations(), holdings{conn: conn}, catalog.DefaultCostConfig())
	if err != nil {
		return err
	}
	if err := writePlan(ctx, conn, plan); err != nil {
		return err
	}
	unions := map[string]bool{}
	for _, sw := range plan.Schemas {
		unions[sw.ID] = true
	}
	history := &catalog.Plan{CurrentStreams: map[string]int{}}
	var kept [][]driver.Value
	for _, x := range old.schemas {
		if id := schemaid.ID(x.shape); !unions[id] {
			x.keep(history, id, old)
			kept = append(kept, []driver.Value{id, "", ""})
		}
	}
	if err := writePlan(ctx, conn, history); err != nil {
		return err
	}
	if err := fillKeys(ctx, conn, kept); err != nil {
		return err
	}
	// The kept schemas' streams are on the unions now: each row of a kept
	// schema names the schema of its stream's other, current row.
	_, err = conn.ExecContext(ctx, `UPDATE schema_streams SET superseded_by = cur.schema_id
		FROM (SELECT stream_id, schema_id FROM schema_streams WHERE schema_id NOT IN (SELECT a FROM batch_keys)) cur
		WHERE schema_streams.stream_id = cur.stream_id AND schema_streams.schema_id <> cur.schema_id
		AND schema_streams.schema_id IN (SELECT a FROM batch_keys)`)
	return err
}

type oldSchema struct {
	shape       schemaid.Shape
	description string
	first, last time.Time
	count       uint64
	pairs       []oldPair
	scopes      [][2]string
}

type oldPair struct {
	producer    string
	description string
	first, last time.Time
	count       uint64
	fields      []catalog.PairField
}

type oldModel struct {
	schemas   map[string]*oldSchema
	producers map[string]catalog.ProducerIdentity
}

// firstScope is the scope an old schema's producers are taken to have used:
// the old model kept scopes per schema, not per producer, and a guess that
// gave each producer every scope would invent streams, which could hold a
// smaller union current. The earliest seen is the likeliest.
func (x *oldSchema) firstScope() [2]string {
	if len(x.scopes) == 0 {
		return [2]string{"", ""}
	}
	return x.scopes[0]
}

// observations are the old model as the batch that would have made it.
func (m *oldModel) observations() []catalog.Observation {
	var out []catalog.Observation
	for _, x := range m.schemas {
		sc := x.firstScope()
		for _, p := range x.pairs {
			o := catalog.Observation{Shape: x.shape, Description: p.description, Producer: m.producers[p.producer],
				ScopeName: sc[0], ScopeVersion: sc[1], DataPoints: p.count, FirstObserved: p.first, LastObserved: p.last}
			for _, f := range p.fields {
				a := schemaid.Attribute{Key: f.Name, Type: f.Type}
				if f.Source == tallycatv1.FieldSource_FIELD_SOURCE_SCOPE {
					o.ScopeAttributes = append(o.ScopeAttributes, a)
				} else {
					o.ResourceAttributes = append(o.ResourceAttributes, a)
				}
			}
			out = append(out, o)
		}
	}
	return out
}

// keep plans an old schema that is no release's union as a superseded
// schema of its own.
func (x *oldSchema) keep(p *catalog.Plan, id string, m *oldModel) {
	span := catalog.Span{First: x.first, Last: x.last, Count: x.count}
	p.Schemas = append(p.Schemas, catalog.SchemaWrite{ID: id, Shape: x.shape, New: true,
		Description: catalog.Described{Text: x.description, At: x.last}, Span: span})
	p.Keys = append(p.Keys, catalog.KeyWrite{Key: x.shape.Name, Type: x.shape.Type, Unit: x.shape.Unit,
		Types: []tallycatv1.MetricType{x.shape.Type}, Units: []string{x.shape.Unit}, SupersededDelta: 1,
		FirstSeen: x.first, LastSeen: x.last, Description: catalog.Described{Text: x.description, At: x.last}})
	// One stream per release, through the schema's first scope, with the
	// points and span of that release's instances.
	sc := x.firstScope()
	streams := map[string]*catalog.StreamWrite{}
	var order []string
	for _, pr := range x.pairs {
		p.Pairs = append(p.Pairs, catalog.PairWrite{PairKey: catalog.PairKey{SchemaID: id, ProducerID: pr.producer, Key: x.shape.Name},
			Release: m.producers[pr.producer].Release(),
			Span:    catalog.Span{First: pr.first, Last: pr.last, Count: pr.count}, Fields: pr.fields,
			FieldsHash: catalog.FieldsHash(pr.fields), WriteFields: true})
		o := catalog.Observation{Shape: x.shape, Producer: m.producers[pr.producer], ScopeName: sc[0], ScopeVersion: sc[1]}
		st := catalog.StreamOf(&o)
		sid := st.ID()
		w := streams[sid]
		if w == nil {
			w = &catalog.StreamWrite{ID: sid, Stream: st, SchemaID: id, Union: x.shape.Attributes,
				Description: catalog.Described{Text: pr.description, At: pr.last}, Span: catalog.Span{First: pr.first}}
			streams[sid] = w
			order = append(order, sid)
		}
		if pr.first.Before(w.Span.First) {
			w.Span.First = pr.first
		}
		if pr.last.After(w.Span.Last) {
			w.Span.Last = pr.last
		}
		w.Span.Count += pr.count
	}
	for _, sid := range order {
		w := streams[sid]
		p.Streams = append(p.Streams, *w)
		p.Variants = append(p.Variants, catalog.VariantWrite{SchemaID: id, StreamID: sid, VariantID: id,
			Attributes: x.shape.Attributes, Span: w.Span})
	}
	p.Events = append(p.Events, catalog.Event{Key: x.shape.Name, SchemaID: id, Kind: tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN,
		At: x.first, Description: x.description})
}

// readOldModel reads the tables of the previous model.
func readOldModel(ctx context.Context, conn *sql.Conn) (*oldModel, error) {
	m := &oldModel{schemas: map[string]*oldSchema{}, producers: map[string]catalog.ProducerIdentity{}}
	steps := []struct {
		query string
		row   func(*sql.Rows) error
	}{
		{`SELECT schema_id, schema_key, metric_type, unit, temporality, monotonic, description, first_seen, last_seen, data_point_count FROM schemas`,
			func(rows *sql.Rows) error {
				var id string
				var x oldSchema
				var mt, temp int8
				if err := rows.Scan(&id, &x.shape.Name, &mt, &x.shape.Unit, &temp, &x.shape.Monotonic, &x.description, &x.first, &x.last, &x.count); err != nil {
					return err
				}
				x.shape.Type, x.shape.Temporality = tallycatv1.MetricType(mt), tallycatv1.Temporality(temp)
				m.schemas[id] = &x
				return nil
			}},
		{`SELECT schema_id, name, value_type FROM schema_fields`, func(rows *sql.Rows) error {
			var id string
			var a schemaid.Attribute
			var vt int8
			if err := rows.Scan(&id, &a.Key, &vt); err != nil {
				return err
			}
			a.Type = tallycatv1.ValueType(vt)
			if x := m.schemas[id]; x != nil {
				x.shape.Attributes = schemaid.NormalizeAttributes(append(x.shape.Attributes, a))
			}
			return nil
		}},
		{`SELECT producer_id, service_name, service_namespace, service_version, service_instance_id FROM producers`, func(rows *sql.Rows) error {
			var id string
			var p catalog.ProducerIdentity
			if err := rows.Scan(&id, &p.ServiceName, &p.ServiceNamespace, &p.ServiceVersion, &p.ServiceInstanceID); err != nil {
				return err
			}
			m.producers[id] = p
			return nil
		}},
		{`SELECT schema_id, scope_name, scope_version FROM schema_scopes ORDER BY first_seen`, func(rows *sql.Rows) error {
			var id string
			var sc [2]string
			if err := rows.Scan(&id, &sc[0], &sc[1]); err != nil {
				return err
			}
			if x := m.schemas[id]; x != nil {
				x.scopes = append(x.scopes, sc)
			}
			return nil
		}},
		{`SELECT sp.schema_id, sp.producer_id, sp.description, sp.first_seen, sp.last_seen, sp.data_point_count,
			coalesce(list(struct_pack(s := pf.source, n := pf.name, t := pf.value_type)) FILTER (WHERE pf.name IS NOT NULL), [])
			FROM schema_producers sp LEFT JOIN producer_fields pf USING (schema_id, producer_id)
			GROUP BY ALL ORDER BY sp.first_seen`, func(rows *sql.Rows) error {
			var id string
			var p oldPair
			var fields []any
			if err := rows.Scan(&id, &p.producer, &p.description, &p.first, &p.last, &p.count, &fields); err != nil {
				return err
			}
			for _, f := range fields {
				r := f.(map[string]any)
				p.fields = append(p.fields, catalog.PairField{Source: tallycatv1.FieldSource(r["s"].(int8)), Name: r["n"].(string),
					Type: tallycatv1.ValueType(r["t"].(int8))})
			}
			if x := m.schemas[id]; x != nil {
				x.pairs = append(x.pairs, p)
			}
			return nil
		}},
	}
	for _, st := range steps {
		if err := scanRows(ctx, conn, st.query, nil, st.row); err != nil {
			return nil, fmt.Errorf("read the previous model: %w", err)
		}
	}
	return m, nil
}
