package cardinality

import (
	"testing"
	"time"
)

// TestInWindowPicksWhatWindowMerges: for buckets on both sides of each edge
// of an hour and a day, InWindow agrees with the buckets Window counts.
func TestInWindowPicksWhatWindowMerges(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 5, 0, 0, time.UTC)
	for _, d := range []time.Duration{time.Hour, 24 * time.Hour} {
		for offset := -d - 2*BucketWidth; offset <= 2*BucketWidth; offset += BucketWidth / 2 {
			start := BucketOf(now.Add(offset))
			f, err := Window([]Bucket{{Start: start, DataPoints: 1}}, now, d)
			if err != nil {
				t.Fatal(err)
			}
			if counted := f.DataPoints == 1; counted != InWindow(start, now, d) {
				t.Errorf("window %v, bucket at %v: Window counts it %v, InWindow says %v", d, offset, counted, !counted)
			}
		}
	}
}
