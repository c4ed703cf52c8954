package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/services/catalog"
	"github.com/tallycat/tallycat/services/catalog/internal/sqlstore"
)

// The write side of cost rows (stream_costs): the planner merges a
// batch's figures with the rows of their buckets (holdings.Costs) and the
// writer stores the result. Sketches cannot be merged in SQL, so rows are
// replaced whole, never added up here: the plan merged each with the row
// held, its first and last seen times too.

// costColumns are stream_costs' columns, in the order the writes bind
// them and holdings.Costs reads them.
var costColumns = []string{"stream_id", "bucket", "source", "name", "value_type", "distinct_values", "data_points", "example_values", "values_state",
	"first_seen", "last_seen", "log_bytes"}

// Costs implements catalog.Holdings: the rows of the batch's buckets, in
// one query joining the (stream, bucket) pairs bound as two arrays.
func (h holdings) Costs(ctx context.Context, buckets []catalog.StreamBucket) ([]catalog.CostRow, error) {
	if len(buckets) == 0 {
		return nil, nil
	}
	streams := make([]string, len(buckets))
	times := make([]time.Time, len(buckets))
	for i, b := range buckets {
		streams[i], times[i] = b.StreamID, utc(b.Bucket)
	}
	rows, err := h.tx.Query(ctx, `SELECT c.stream_id, c.bucket, c.source, c.name, c.value_type, c.distinct_values,
			c.data_points, c.example_values, c.values_state, c.first_seen, c.last_seen, c.log_bytes
		FROM stream_costs c JOIN unnest($1::text[], $2::timestamp[]) AS k(stream_id, bucket)
		ON c.stream_id = k.stream_id AND c.bucket = k.bucket`, streams, times)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out sqlstore.CostRows
	for rows.Next() {
		if err := out.Scan(rows); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

// writeCosts copies the plan's new cost rows into stream_costs and queues
// on b one statement that replaces the others with their merged selves.
func writeCosts(ctx context.Context, tx pgx.Tx, rows []catalog.CostWrite, b *pgx.Batch) error {
	var fresh [][]any
	var c struct {
		streams, names, values []string
		buckets, first, last   []time.Time
		sources, types, states []int16
		blobs                  [][]byte
		points, bytes          []int64
	}
	for _, w := range rows {
		blob, err := w.Distinct.MarshalBinary()
		if err != nil {
			return fmt.Errorf("stream_costs: %w", err)
		}
		values := sqlstore.EncodeValues(w.Values)
		if w.New {
			fresh = append(fresh, []any{w.StreamID, utc(w.Bucket), int16(w.Field.Source), w.Field.Name, int16(w.Field.Type), blob,
				int64(w.DataPoints), values, int16(w.State), utc(w.FirstSeen), utc(w.LastSeen), int64(w.LogBytes)})
			continue
		}
		c.streams, c.buckets, c.sources = append(c.streams, w.StreamID), append(c.buckets, utc(w.Bucket)), append(c.sources, int16(w.Field.Source))
		c.names, c.types, c.blobs = append(c.names, w.Field.Name), append(c.types, int16(w.Field.Type)), append(c.blobs, blob)
		c.points, c.values, c.states = append(c.points, int64(w.DataPoints)), append(c.values, values), append(c.states, int16(w.State))
		c.first, c.last = append(c.first, utc(w.FirstSeen)), append(c.last, utc(w.LastSeen))
		c.bytes = append(c.bytes, int64(w.LogBytes))
	}
	if err := copyRows(ctx, tx, "stream_costs", costColumns, fresh); err != nil {
		return err
	}
	if len(c.streams) > 0 {
		b.Queue(`INSERT INTO stream_costs AS t SELECT * FROM unnest($1::text[], $2::timestamp[], $3::smallint[], $4::text[],
				$5::smallint[], $6::bytea[], $7::bigint[], $8::text[], $9::smallint[], $10::timestamp[], $11::timestamp[], $12::bigint[])
			ON CONFLICT (stream_id, bucket, source, name, value_type) DO UPDATE SET distinct_values = excluded.distinct_values,
				data_points = excluded.data_points, example_values = excluded.example_values, values_state = excluded.values_state,
				first_seen = excluded.first_seen, last_seen = excluded.last_seen, log_bytes = excluded.log_bytes`,
			c.streams, c.buckets, c.sources, c.names, c.types, c.blobs, c.points, c.values, c.states, c.first, c.last, c.bytes)
	}
	return nil
}

// queuePrune queues on b the deletion of the cost rows past their
// retention when this process has not deleted them in the current bucket
// yet, and returns that bucket (zero when it queued nothing) for pruned
// to record once the transaction commits. Each replica prunes once a
// bucket; a delete that finds nothing costs little.
func (s *Store) queuePrune(b *pgx.Batch) time.Time {
	now := s.now()
	bucket := cardinality.BucketOf(now)
	s.pruneMu.Lock()
	defer s.pruneMu.Unlock()
	if !bucket.After(s.prunedAt) {
		return time.Time{}
	}
	b.Queue(`DELETE FROM stream_costs WHERE bucket < $1`, utc(sqlstore.PruneBefore(now)))
	return bucket
}

// pruned records that the cost rows were pruned in bucket (see
// queuePrune); a zero bucket records nothing.
func (s *Store) pruned(bucket time.Time) {
	s.pruneMu.Lock()
	defer s.pruneMu.Unlock()
	if bucket.After(s.prunedAt) {
		s.prunedAt = bucket
	}
}
