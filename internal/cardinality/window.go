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
	Start      time.Time
	Sketch     *Sketch
	DataPoints uint64
}

// Figures are what a window of buckets says.
type Figures struct {
	// Distinct is the estimated number of distinct values (series, or a
	// field's values) seen in the window.
	Distinct uint64
	// DataPoints is how many data points the window's buckets counted, and
	// PerMinute their rate over the part of the window that had data: a
	// producer that started ten minutes ago is not diluted over an hour.
	DataPoints uint64
	PerMinute  float64
}

// Window merges the buckets that overlap the window of length d ending at
// now, the bucket now is in included.
func Window(buckets []Bucket, now time.Time, d time.Duration) (Figures, error) {
	from := BucketOf(now.Add(-d))
	var f Figures
	merged := NewSketch()
	first := time.Time{}
	for _, b := range buckets {
		if b.Start.Before(from) || b.Start.After(now) {
			continue
		}
		if err := merged.Merge(b.Sketch); err != nil {
			return Figures{}, err
		}
		f.DataPoints += b.DataPoints
		if first.IsZero() || b.Start.Before(first) {
			first = b.Start
		}
	}
	if first.IsZero() {
		return Figures{}, nil
	}
	f.Distinct = merged.Estimate()
	span := now.Sub(first)
	if span > d {
		span = d
	}
	if span < time.Minute {
		span = time.Minute
	}
	f.PerMinute = float64(f.DataPoints) / span.Minutes()
	return f, nil
}
