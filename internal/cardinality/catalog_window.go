package cardinality

import "time"

// InWindow reports whether the bucket starting at start is one that Window
// merges for the window of length d ending at now. The catalog keeps exact
// sets (Distinct) in its buckets, not sketches, and merges them itself so
// that a window of few values stays exact; it must pick the same buckets
// Window does, and this is that rule, once.
func InWindow(start, now time.Time, d time.Duration) bool {
	return !start.Before(BucketOf(now.Add(-d))) && !start.After(now)
}
