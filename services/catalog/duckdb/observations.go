package duckdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"
	"time"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

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
	// What the database held before the batch (see existing).
	known        map[string]string
	knownPairs   map[pairKey]storedPair
	keyProducers map[keyProducer]bool
}

func fold(obs []catalog.Observation) *batch {
	// Sized for a batch of new observations, so that the maps do not grow
	// step by step; an id is hashed once per producer, not per observation.
	b := &batch{
		schemas: make(map[string]*schemaAgg, len(obs)),
		producers: map[string]*struct {
			id   catalog.ProducerIdentity
			span span
		}{},
		pairs:  make(map[pairKey]*pairAgg, len(obs)),
		fields: make(map[fieldKey]struct{}, 8*len(obs)),
		scopes: make(map[scopeKey]*span, len(obs)),
	}
	ids := map[catalog.ProducerIdentity]string{}
	for _, o := range obs {
		first, last := o.FirstObserved.UTC(), o.LastObserved.UTC()
		pid, ok := ids[o.Producer]
		if !ok {
			pid = o.Producer.ID()
			ids[o.Producer] = pid
		}
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

// RecordObservations implements catalog.Store. It writes the whole batch in
// one transaction on one connection: the batch's keys go to a temporary
// table so that what already exists is found with two joins, and every table
// is then written through DuckDB's appender, whose rows are merged into the
// table by one INSERT ... ON CONFLICT each: no statement per row, no large
// parameter lists.
func (s *Store) RecordObservations(ctx context.Context, batchID string, obs []catalog.Observation) (catalog.RecordResult, error) {
	var res catalog.RecordResult
	b := fold(obs)
	err := s.inConnTx(ctx, func(conn *sql.Conn) error {
		if batchID != "" {
			var seen int
			if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM applied_batches WHERE batch_id = ?`, batchID).Scan(&seen); err != nil {
				return err
			}
			if seen > 0 {
				res.Duplicate = true
				return nil
			}
		}
		if err := s.existing(ctx, conn, b); err != nil {
			return err
		}
		for _, id := range b.schemaIDs {
			if _, ok := b.known[id]; !ok {
				res.NewSchemas++
			}
		}
		if err := appendRows(conn, `INSERT INTO schema_events SELECT nextval('schema_events_seq'), * EXCLUDE (col1) FROM appended_data`,
			"schema_events", eventRows(b, b.known, b.knownPairs)); err != nil {
			return err
		}
		if err := writeBatch(conn, b); err != nil {
			return err
		}
		if err := updateKeys(conn, b); err != nil {
			return err
		}
		if batchID != "" {
			now := s.now()
			if _, err := conn.ExecContext(ctx, `DELETE FROM applied_batches WHERE applied_at < ?`, now.Add(-batchRetention)); err != nil {
				return err
			}
			if _, err := conn.ExecContext(ctx, `INSERT INTO applied_batches VALUES (?, ?)`, batchID, now); err != nil {
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

// storedPair is what the database holds of a (schema, producer) pair.
type storedPair struct {
	description string
	fieldsHash  uint64
}

// keyProducer is a producer of some schema under a schema key.
type keyProducer struct{ schemaKey, producerID string }

// existing reads what the database holds of the batch before it is written:
// the description of each of its schemas that exists (b.known), each of its
// (schema, producer) pairs that exists (b.knownPairs), and which of its
// producers already produce something under each of its keys
// (b.keyProducers). The batch's keys go to a temporary table that the two
// queries join.
func (s *Store) existing(ctx context.Context, conn *sql.Conn, b *batch) error {
	if _, err := conn.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS batch_keys (schema_id VARCHAR, producer_id VARCHAR, schema_key VARCHAR);
		DELETE FROM batch_keys`); err != nil {
		return err
	}
	var keys [][]driver.Value
	for _, id := range b.schemaIDs {
		keys = append(keys, []driver.Value{id, "", b.schemas[id].obs.Shape.Name})
	}
	for k, pa := range b.pairs {
		keys = append(keys, []driver.Value{k.schemaID, k.producerID, pa.schemaKey})
	}
	err := conn.Raw(func(dc any) error {
		a, err := duckdbdriver.NewAppender(dc.(driver.Conn), "temp", "main", "batch_keys")
		if err != nil {
			return err
		}
		for _, r := range keys {
			if err := a.AppendRow(r...); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
	if err != nil {
		return err
	}
	b.known = make(map[string]string, len(b.schemaIDs))
	err = scanRows(ctx, conn, `SELECT s.schema_id, s.description FROM schemas s
		JOIN batch_keys k ON k.schema_id = s.schema_id AND k.producer_id = ''`, nil, func(rows *sql.Rows) error {
		var id, desc string
		if err := rows.Scan(&id, &desc); err != nil {
			return err
		}
		b.known[id] = desc
		return nil
	})
	if err != nil {
		return err
	}
	// Every stored pair of a batch producer under a batch key: the batch's
	// own pairs among them, and whether the producer is new to the key.
	b.knownPairs, b.keyProducers = map[pairKey]storedPair{}, map[keyProducer]bool{}
	return scanRows(ctx, conn, `SELECT sp.schema_id, sp.producer_id, sp.schema_key, sp.description, sp.fields_hash
		FROM schema_producers sp
		JOIN (SELECT DISTINCT schema_key, producer_id FROM batch_keys WHERE producer_id <> '') k
			ON sp.schema_key = k.schema_key AND sp.producer_id = k.producer_id`, nil, func(rows *sql.Rows) error {
		var k pairKey
		var key string
		var p storedPair
		if err := rows.Scan(&k.schemaID, &k.producerID, &key, &p.description, &p.fieldsHash); err != nil {
			return err
		}
		b.keyProducers[keyProducer{key, k.producerID}] = true
		if _, ok := b.pairs[k]; ok {
			b.knownPairs[k] = p
		}
		return nil
	})
}

// eventRows returns the timeline entries this batch causes, as rows of
// schema_events (whose seq the insert fills). It compares with the state
// before the batch is written. A description event is written when a
// producer's description of a schema changes, or a new producer brings one
// the schema did not have: producers that keep disagreeing do not flood the
// timeline.
func eventRows(b *batch, existing map[string]string, pairs map[pairKey]storedPair) [][]driver.Value {
	var rows [][]driver.Value
	event := func(key, id string, k tallycatv1.SchemaEventKind, at time.Time, producer, prev, desc string) {
		rows = append(rows, []driver.Value{int64(0), key, id, int8(k), at, "", producer, nil, prev, desc})
	}
	for _, id := range b.schemaIDs {
		s := b.schemas[id]
		if _, ok := existing[id]; !ok {
			event(s.obs.Shape.Name, id, tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_SCHEMA_FIRST_SEEN, s.span.first, s.producer, "", s.desc.text)
		}
	}
	for k, pa := range b.pairs {
		s := b.schemas[k.schemaID]
		schemaDesc, schemaExisted := existing[k.schemaID]
		stored, pairExisted := pairs[k]
		old := stored.description
		switch {
		case !pairExisted && (schemaExisted || k.producerID != s.producer):
			event(pa.schemaKey, k.schemaID, tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_PRODUCER_ADDED, pa.span.first, k.producerID, "", "")
			if schemaExisted && pa.desc.text != schemaDesc {
				event(pa.schemaKey, k.schemaID, tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_DESCRIPTION_CHANGED, pa.desc.at, k.producerID, schemaDesc, pa.desc.text)
			}
		case pairExisted && pa.desc.text != old:
			event(pa.schemaKey, k.schemaID, tallycatv1.SchemaEventKind_SCHEMA_EVENT_KIND_DESCRIPTION_CHANGED, pa.desc.at, k.producerID, old, pa.desc.text)
		}
	}
	return rows
}

// querier is what reads need from *sql.DB and *sql.Tx alike.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
