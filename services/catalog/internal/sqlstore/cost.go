package sqlstore

import (
	"encoding/json"
	"fmt"
	"time"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
	"github.com/tallycat/tallycat/internal/cardinality"
	"github.com/tallycat/tallycat/internal/schemaid"
	"github.com/tallycat/tallycat/services/catalog"
)

// CostQuery is what a read of cost figures needs besides the rows: the
// window asked for, the time it ends, and the catalog's configuration.
type CostQuery struct {
	Window tallycatv1.Window
	Now    time.Time
	Config catalog.CostConfig
}

// finish stamps a metric's cost with the query's window and its monthly
// estimate.
func (q CostQuery) finish(c *catalog.Cost, w tallycatv1.Window) {
	q.finishOf(c, w, schemaid.Metric)
}

// finishOf is finish for the cost of a schema, release or key of signal
// sig, each priced by its signal's prices (catalog.Prices.MonthlyOf): a
// span's by its spans, a log's by its bytes; no estimate without a price
// for the signal.
func (q CostQuery) finishOf(c *catalog.Cost, w tallycatv1.Window, sig schemaid.Signal) {
	c.Window, c.Monthly = w, q.Config.Prices.MonthlyOf(sig, *c)
}

// logBytesRate is the rate of bytes a window's data points carried, over
// the time their rate f.PerMinute runs over.
func logBytesRate(f cardinality.Figures, bytes uint64) float64 {
	if f.DataPoints == 0 {
		return 0
	}
	return f.PerMinute * float64(bytes) / float64(f.DataPoints)
}

// Span returns the window the query asks for, the last hour when it names
// none, and its length.
func (q CostQuery) Span() (tallycatv1.Window, time.Duration) {
	if q.Window == tallycatv1.Window_WINDOW_LAST_DAY {
		return q.Window, 24 * time.Hour
	}
	return tallycatv1.Window_WINDOW_LAST_HOUR, time.Hour
}

// Since is the start of the oldest bucket the query's figures read: its
// window's, or the last hour's (which judges high cardinality whatever the
// window), whichever starts earlier.
func (q CostQuery) Since() time.Time {
	_, d := q.Span()
	return cardinality.BucketOf(q.Now.Add(-max(d, time.Hour)))
}

// KeyStream is a stream's row on a schema, with the schema and its key: what
// figures across schemas (a metric's, a release's) are worked out from.
type KeyStream struct {
	Key, SchemaID string
	SchemaStream
}

// PruneBefore is the start of the oldest bucket a store keeps at now; older
// ones are past cardinality.Retention and are deleted.
func PruneBefore(now time.Time) time.Time {
	return cardinality.BucketOf(now.Add(-cardinality.Retention))
}

// BatchRetention is how long a store remembers an applied batch id, so
// that a retried RecordObservations is applied once: far longer than any
// ingest retries a batch.
const BatchRetention = 24 * time.Hour

// EncodeValues writes a row's values as stores keep them: a JSON array of
// [value, data points] pairs, readable in any database.
func EncodeValues(values []catalog.ValueCount) string {
	pairs := make([][2]any, len(values))
	for i, v := range values {
		pairs[i] = [2]any{v.Value, v.DataPoints}
	}
	b, _ := json.Marshal(pairs) // strings and integers only: cannot fail
	return string(b)
}

// DecodeValues reads what EncodeValues wrote.
func DecodeValues(s string) ([]catalog.ValueCount, error) {
	if s == "[]" {
		return nil, nil // most rows: series, and fields whose values are not kept
	}
	if out, ok := decodePlainValues(s); ok {
		return out, nil
	}
	return decodeJSONValues(s)
}

// decodeJSONValues is DecodeValues by encoding/json, for any input.
func decodeJSONValues(s string) ([]catalog.ValueCount, error) {
	var pairs [][2]json.RawMessage
	err := json.Unmarshal([]byte(s), &pairs)
	out := make([]catalog.ValueCount, len(pairs))
	for i := 0; err == nil && i < len(pairs); i++ {
		if err = json.Unmarshal(pairs[i][0], &out[i].Value); err == nil {
			err = json.Unmarshal(pairs[i][1], &out[i].DataPoints)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("stored values %.40q: %w", s, err)
	}
	return out, nil
}
