package cardinality

import (
	"math"
	"testing"
	"time"
)

// TestRateOfAProducerStartedMidBucket: a producer that started seven and a
// half minutes ago, halfway through its first bucket, sending 174 data
// points a minute, shows 174 a minute, not its points spread over the
// whole bucket; and so it does once its data spans buckets.
func TestRateOfAProducerStartedMidBucket(t *testing.T) {
	const perMinute = 174
	started := time.Date(2026, 11, 27, 12, 7, 20, 0, time.UTC)
	points := func(from, to time.Time) uint64 { return uint64(math.Round(perMinute * to.Sub(from).Minutes())) }
	for _, after := range []time.Duration{7*time.Minute + 30*time.Second, 37*time.Minute + 30*time.Second} {
		now := started.Add(after)
		var buckets []Bucket
		for start := BucketOf(started); !start.After(now); start = start.Add(BucketWidth) {
			first, last := start, start.Add(BucketWidth)
			if first.Before(started) {
				first = started
			}
			if last.After(now) {
				last = now
			}
			buckets = append(buckets, Bucket{Start: start, FirstSeen: first, LastSeen: last, Sketch: NewSketch(), DataPoints: points(first, last)})
		}
		f, err := Window(buckets, now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(f.PerMinute-perMinute)/perMinute > 0.01 {
			t.Errorf("started %v ago: %.1f data points a minute, want %d", after, f.PerMinute, perMinute)
		}
	}
}

// TestRateOfAProducerThatStopped: a producer that ran for ten minutes, from
// the middle of one bucket to the middle of the next, and stopped half an
// hour ago, shows over the last hour the rate it had while it ran.
func TestRateOfAProducerThatStopped(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 45, 0, 0, time.UTC)
	from, to := now.Add(-40*time.Minute), now.Add(-30*time.Minute)
	buckets := []Bucket{
		{Start: BucketOf(from), FirstSeen: from, LastSeen: BucketOf(to), Sketch: NewSketch(), DataPoints: 500},
		{Start: BucketOf(to), FirstSeen: BucketOf(to), LastSeen: to, Sketch: NewSketch(), DataPoints: 500},
	}
	f, err := Window(buckets, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if f.DataPoints != 1000 || math.Abs(f.PerMinute-100) > 1e-9 {
		t.Errorf("got %+v, want 1,000 data points at 100 a minute", f)
	}
}

// TestRateOfOneExport: a bucket that saw data once (first and last seen
// alike) counts its data points over a minute, not over no time.
func TestRateOfOneExport(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 5, 0, 0, time.UTC)
	at := now.Add(-time.Second)
	f, err := Window([]Bucket{{Start: BucketOf(at), FirstSeen: at, LastSeen: at, Sketch: NewSketch(), DataPoints: 60}}, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if f.PerMinute != 60 {
		t.Errorf("one export of 60 data points: %v a minute, want 60", f.PerMinute)
	}
}
