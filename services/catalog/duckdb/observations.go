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

// RecordObservations implements catalog.Store. In one transaction on one
// connection it checks the batch id, lets catalog.PlanBatch decide what the
// batch changes (answering its questions from the tables through
// holdings), and writes the plan.
func (s *Store) RecordObservations(ctx context.Context, batchID string, obs []catalog.Observation) (catalog.RecordResult, error) {
	var res catalog.RecordResult
	remembered := false // the plan's ids are in the writer's memory
	err := s.inConnTx(ctx, func(conn *sql.Conn) (err error) {
		var seen int
		if batchID != "" {
			if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM applied_batches WHERE batch_id = ?`, batchID).Scan(&seen); err != nil {
				return err
			}
		}
		if s.known == nil {
			if s.known, err = loadKnown(ctx, conn); err != nil {
				return err
			}
		}
		plan, err := catalog.PlanBatch(ctx, obs, holdings{conn, s.known}, s.cost)
		if err != nil {
			return err
		}
		newKeys := s.known.newKeys(plan)
		s.known.add(plan)
		remembered = true
		res.SchemaIDs = plan.SchemaIDs
		if seen > 0 {
			// Planned only to name the schemas: nothing is written again.
			res.Duplicate = true
			return nil
		}
		res.NewSchemas, res.Events = plan.NewSchemas, plan.Events
		if err := writePlanNew(ctx, conn, plan, newKeys); err != nil {
			return err
		}
		if batchID != "" {
			now := s.now()
			if _, err := conn.ExecContext(ctx, `DELETE FROM applied_batches WHERE applied_at < ?`, now.Add(-sqlstore.BatchRetention)); err != nil {
				return err
			}
			if _, err := conn.ExecContext(ctx, `INSERT INTO applied_batches VALUES (?, ?)`, batchID, now); err != nil {
				return err
			}
		}
		return s.pruneCosts(ctx, conn)
	})
	if err != nil && remembered {
		// The plan's ids went into the writer's memory before the writes
		// rolled back: forget it all, as a new key it names would be
		// written as held when the batch comes again, and flagged as one.
		s.writeMu.Lock()
		s.known = nil
		s.writeMu.Unlock()
	}
	if err != nil {
		return catalog.RecordResult{}, fmt.Errorf("record observations: %w", err)
	}
	return res, nil
}

// holdings answers the planner from the tables, inside the write
// transaction. Ids the writer knows not to exist are answered from memory
// (known, when set); the others go to a temporary table that one query
// joins: a batch asks about thousands of keys, and DuckDB answers a join
// faster than a long IN list.
type holdings struct {
	conn  *sql.Conn
	known *knownIDs
}

// Streams implements catalog.Holdings.
func (h holdings) Streams(ctx context.Context, ids []string) (map[string]catalog.HeldStream, error) {
	out := map[string]catalog.HeldStream{}
	if ids = filter(ids, h.known.streamSet(), h.known != nil); len(ids) == 0 {
		return out, nil
	}
	if err := fillKeys(ctx, h.conn, column(ids)); err != nil {
		return nil, err
	}
	err := scanRows(ctx, h.conn, `SELECT ss.stream_id, ss.schema_id, ss.union_attributes, ss.description FROM schema_streams ss
		JOIN batch_keys k ON k.a = ss.stream_id WHERE ss.superseded_by = ''`, nil, func(rows *sql.Rows) error {
		var id, union string
		var hs catalog.HeldStream
		if err := rows.Scan(&id, &hs.SchemaID, &union, &hs.Description); err != nil {
			return err
		}
		var err error
		if hs.Union, err = catalog.DecodeAttributes(union); err != nil {
			return err
		}
		out[id] = hs
		return nil
	})
	return out, err
}

// Schemas implements catalog.Holdings.
func (h holdings) Schemas(ctx context.Context, ids []string) (map[string]catalog.HeldSchema, error) {
	out := map[string]catalog.HeldSchema{}
	if ids = filter(ids, h.known.schemaSet(), h.known != nil); len(ids) == 0 {
		return out, nil
	}
	if err := fillKeys(ctx, h.conn, column(ids)); err != nil {
		return nil, err
	}
	err := scanRows(ctx, h.conn, `SELECT s.schema_id, s.description, s.current_streams, s.name_examples FROM schemas s
		JOIN batch_keys k ON k.a = s.schema_id`, nil, func(rows *sql.Rows) error {
		var id, examples string
		var hs catalog.HeldSchema
		if err := rows.Scan(&id, &hs.Description, &hs.CurrentStreams, &examples); err != nil {
			return err
		}
		var err error
		if hs.NameExamples, err = catalog.DecodeNames(examples); err != nil {
			return err
		}
		out[id] = hs
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	err = scanRows(ctx, h.conn, `SELECT DISTINCT ss.schema_id, ss.service_namespace, ss.service_name, ss.service_version
		FROM schema_streams ss JOIN batch_keys k ON k.a = ss.schema_id WHERE ss.superseded_by = ''`, nil, func(rows *sql.Rows) error {
		var id string
		var r catalog.ReleaseIdentity
		if err := rows.Scan(&id, &r.ServiceNamespace, &r.ServiceName, &r.ServiceVersion); err != nil {
			return err
		}
		hs := out[id]
		hs.Releases = append(hs.Releases, r)
		out[id] = hs
		return nil
	})
	return out, err
}

// Pairs implements catalog.Holdings: every stored pair of a batch producer
// under a batch key, which tells both whether the batch's own pairs exist
// and whether its producers are new to its keys.
func (h holdings) Pairs(ctx context.Context, pairs []catalog.PairKey) (catalog.HeldPairs, error) {
	out := catalog.HeldPairs{FieldsHash: map[catalog.PairKey]uint64{}, KeyProducers: map[catalog.KeyProducer]bool{}}
	var rows [][]driver.Value
	want := make(map[catalog.PairKey]bool, len(pairs))
	for _, p := range pairs {
		if h.known != nil {
			if _, ok := h.known.keys[p.Key]; !ok {
				continue // no producer of a key never seen
			}
		}
		rows = append(rows, []driver.Value{p.Key, p.ProducerID, ""})
		want[p] = true
	}
	if len(rows) == 0 {
		return out, nil
	}
	if err := fillKeys(ctx, h.conn, rows); err != nil {
		return out, err
	}
	err := scanRows(ctx, h.conn, `SELECT sp.schema_id, sp.producer_id, sp.schema_key, sp.fields_hash
		FROM schema_producers sp
		JOIN (SELECT DISTINCT a, b FROM batch_keys) k ON sp.schema_key = k.a AND sp.producer_id = k.b`, nil, func(rows *sql.Rows) error {
		var k catalog.PairKey
		var hash uint64
		if err := rows.Scan(&k.SchemaID, &k.ProducerID, &k.Key, &hash); err != nil {
			return err
		}
		out.KeyProducers[catalog.KeyProducer{Key: k.Key, ProducerID: k.ProducerID}] = true
		if want[k] {
			out.FieldsHash[k] = hash
		}
		return nil
	})
	return out, err
}

func column(ids []string) [][]driver.Value {
	rows := make([][]driver.Value, len(ids))
	for i, id := range ids {
		rows[i] = []driver.Value{id, "", ""}
	}
	return rows
}

// fillKeys replaces the rows of the connection's temporary batch_keys table
// (three text columns a, b, c) with rows.
func fillKeys(ctx context.Context, conn *sql.Conn, rows [][]driver.Value) error {
	if _, err := conn.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS batch_keys (a VARCHAR, b VARCHAR, c VARCHAR);
		DELETE FROM batch_keys`); err != nil {
		return err
	}
	return conn.Raw(func(dc any) error {
		a, err := duckdbdriver.NewAppender(dc.(driver.Conn), "temp", "main", "batch_keys")
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := a.AppendRow(r...); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
}

// querier is what reads need from *sql.DB, *sql.Conn and *sql.Tx alike.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
