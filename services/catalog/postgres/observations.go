package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// RecordObservations implements catalog.Store. In one transaction holding
// the cluster's write lock it checks the batch id, lets
// catalog.PlanBatch decide what the batch changes (answering its
// questions from the tables through holdings) and writes the plan. The
// check and the reads happen under the lock, so that two replicas
// recording overlapping batches, or one batch twice, see each other's
// commits: nothing is lost or counted twice.
func (s *Store) RecordObservations(ctx context.Context, batchID string, obs []catalog.Observation) (catalog.RecordResult, error) {
	var res catalog.RecordResult
	pruneAt := time.Time{}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		seen := false
		if batchID != "" {
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM applied_batches WHERE batch_id = $1)`, batchID).Scan(&seen); err != nil {
				return err
			}
		}
		plan, err := catalog.PlanBatch(ctx, obs, holdings{tx}, s.cost)
		if err != nil {
			return err
		}
		res.SchemaIDs = plan.SchemaIDs
		if seen {
			// Planned only to name the schemas: nothing is written again.
			res.Duplicate = true
			return nil
		}
		res.NewSchemas, res.Events = plan.NewSchemas, plan.Events
		var tail pgx.Batch
		if batchID != "" {
			now := utc(s.now())
			tail.Queue(`DELETE FROM applied_batches WHERE applied_at < $1`, now.Add(-sqlstore.BatchRetention))
			tail.Queue(`INSERT INTO applied_batches (batch_id, applied_at) VALUES ($1, $2)`, batchID, now)
		}
		pruneAt = s.queuePrune(&tail)
		return writePlan(ctx, tx, plan, &tail)
	})
	if err != nil {
		return catalog.RecordResult{}, fmt.Errorf("record observations: %w", err)
	}
	s.pruned(pruneAt)
	return res, nil
}

// holdings answers the planner from the tables, inside the locked write
// transaction: each question is one query binding the batch's ids as
// arrays (= ANY($1), or a join with unnest for pairs of columns).
type holdings struct{ tx pgx.Tx }

// Streams implements catalog.Holdings.
func (h holdings) Streams(ctx context.Context, ids []string) (map[string]catalog.HeldStream, error) {
	out := map[string]catalog.HeldStream{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := h.tx.Query(ctx, `SELECT stream_id, schema_id, union_attributes, description FROM schema_streams
		WHERE stream_id = ANY($1) AND superseded_by = ''`, ids)
	if err != nil {
		return nil, err
	}
	var id, union string
	var hs catalog.HeldStream
	_, err = pgx.ForEachRow(rows, []any{&id, &hs.SchemaID, &union, &hs.Description}, func() error {
		held := hs
		var err error
		if held.Union, err = catalog.DecodeAttributes(union); err != nil {
			return err
		}
		out[id] = held
		return nil
	})
	return out, err
}

// Schemas implements catalog.Holdings: the schemas, then the releases of
// the current streams of those found. A batch of new shapes finds none,
// and is spared the second read (7 ms of 1,000 index probes).
func (h holdings) Schemas(ctx context.Context, ids []string) (map[string]catalog.HeldSchema, error) {
	out := map[string]catalog.HeldSchema{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := h.tx.Query(ctx, `SELECT schema_id, description, current_streams, name_examples FROM schemas WHERE schema_id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	var id, desc, examples string
	var current int32
	var found []string
	if _, err := pgx.ForEachRow(rows, []any{&id, &desc, &current, &examples}, func() error {
		names, err := catalog.DecodeNames(examples)
		out[id] = catalog.HeldSchema{Description: desc, CurrentStreams: int(current), NameExamples: names}
		found = append(found, id)
		return err
	}); err != nil || len(found) == 0 {
		return out, err
	}
	if rows, err = h.tx.Query(ctx, `SELECT DISTINCT schema_id, service_namespace, service_name, service_version FROM schema_streams
		WHERE schema_id = ANY($1) AND superseded_by = '' ORDER BY 1, 2, 3, 4`, found); err != nil {
		return nil, err
	}
	var r catalog.ReleaseIdentity
	_, err = pgx.ForEachRow(rows, []any{&id, &r.ServiceNamespace, &r.ServiceName, &r.ServiceVersion}, func() error {
		held, ok := out[id]
		if ok {
			held.Releases = append(held.Releases, r)
			out[id] = held
		}
		return nil
	})
	return out, err
}

// Pairs implements catalog.Holdings: every stored pair of a batch producer
// under a batch key, which tells both whether the batch's own pairs exist
// and whether its producers are new to its keys.
func (h holdings) Pairs(ctx context.Context, pairs []catalog.PairKey) (catalog.HeldPairs, error) {
	out := catalog.HeldPairs{FieldsHash: map[catalog.PairKey]uint64{}, KeyProducers: map[catalog.KeyProducer]bool{}}
	want := make(map[catalog.PairKey]bool, len(pairs))
	asked := map[catalog.KeyProducer]bool{}
	var keys, producers []string
	for _, p := range pairs {
		want[p] = true
		kp := catalog.KeyProducer{Key: p.Key, ProducerID: p.ProducerID}
		if !asked[kp] {
			asked[kp] = true
			keys, producers = append(keys, p.Key), append(producers, p.ProducerID)
		}
	}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := h.tx.Query(ctx, `SELECT sp.schema_id, sp.producer_id, sp.schema_key, sp.fields_hash
		FROM schema_producers sp JOIN unnest($1::text[], $2::text[]) AS k(schema_key, producer_id)
		ON sp.schema_key = k.schema_key AND sp.producer_id = k.producer_id`, keys, producers)
	if err != nil {
		return out, err
	}
	var k catalog.PairKey
	var hash int64
	_, err = pgx.ForEachRow(rows, []any{&k.SchemaID, &k.ProducerID, &k.Key, &hash}, func() error {
		out.KeyProducers[catalog.KeyProducer{Key: k.Key, ProducerID: k.ProducerID}] = true
		if want[k] {
			out.FieldsHash[k] = uint64(hash)
		}
		return nil
	})
	return out, err
}
