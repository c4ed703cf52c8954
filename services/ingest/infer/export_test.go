package infer

import "time"

// SetClock sets the clock of the span name limit's windows.
func (in *Inferrer) SetClock(now func() time.Time) { in.now = now }

// SetItemRepeats turns the repeat-item fast path of spans and log records
// on (the default) or off, for tests to compare it with the slow path.
func (in *Inferrer) SetItemRepeats(on bool) { in.slowItems = !on }
