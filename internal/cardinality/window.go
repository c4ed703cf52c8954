package cardinality

import "time"

// The catalog keeps, per schema and release (and per field), one sketch and
// a data point count for each BucketWidth of time, for Retention; a window
// (the last hour, the last 24 hours) merges the buckets it covers. Sketches
// of one bucket from several ingest replicas merge into one.

// BucketWidth is the time span of one bucket.
const BucketWidth = 10 * time.Minute

// Retention is how long buckets are kept: the longest window asked for,
// 24 hours, twice over.
const Retention = 48 * time.Hour

// BucketOf is the start of the bucket holding t.
func BucketOf(t time.Time) time.Time { return t.UTC().Truncate(BucketWidth) }

// Bucket is what one bucket holds.
type Bucket struct {
	Start time.Time
	// FirstSeen and LastSeen are when the bucket's first and last data
	// points were seen, which may be anywhere in it (or, for data an ingest
	// reported across a bucket's edge, before it): a rate runs over them,
	// so that a producer that started or stopped within a bucket is not
	// spread over all of it. Zero when a store does not keep them (see
	// Window).
	FirstSeen, LastSeen time.Time
	Sketch              *Sketch
	DataPoints          uint64
}

// Figures are what a window of buckets says.
type Figures struct {
	// Distinct is the estimated number of distinct values (series, or a
	// field's values) seen in the window.
	Distinct uint64
	// DataPoints is how many data points the window's buckets counted, and
	// PerMinute their rate over the time they were seen in, from the first
	// data point to the last: a producer that started seven minutes ago is
	// not diluted over an hour, nor over the ten-minute bucket it started
	// in. The time is at least a minute, so that a single export is not
	// counted as arriving in no time.
	DataPoints uint64
	PerMinute  float64
}

// Window merges the buckets that overlap the window of length d ending at
// now, the bucket now is in included.
func Window(buckets []Bucket, now time.Time, d time.Duration) (Figures, error) {
	from := BucketOf(now.Add(-d))
	var f Figures
	merged := NewSketch()
	var first, last time.Time
	counted := false
	for _, b := range buckets {
		if b.Start.Before(from) || b.Start.After(now) {
			continue
		}
		if err := merged.Merge(b.Sketch); err != nil {
			return Figures{}, err
		}
		f.DataPoints += b.DataPoints
		seenFrom, seenTo := b.seen(now, d)
		if !counted || seenFrom.Before(first) {
			first = seenFrom
		}
		if !counted || seenTo.After(last) {
			last = seenTo
		}
		counted = true
	}
	if !counted {
		return Figures{}, nil
	}
	f.Distinct = merged.Estimate()
	f.PerMinute = float64(f.DataPoints) / max(last.Sub(first), time.Minute).Minutes()
	return f, nil
}

// seen is when a bucket in the window of length d ending at now had data.
// A bucket that does not say (a store that keeps only bucket starts) is
// taken to have had data from its start, or the window's if that is later,
// until now: a rate that dilutes a producer that started within its first
// bucket or stopped before now, which is the best such a store can tell.
func (b *Bucket) seen(now time.Time, d time.Duration) (from, to time.Time) {
	from, to = b.FirstSeen, b.LastSeen
	if from.IsZero() {
		from = b.Start
		if start := now.Add(-d); from.Before(start) {
			from = start
		}
	}
	if to.IsZero() {
		to = now
	}
	return from, to
}
