package infer

import "time"

// SetClock sets the clock of the span name limit's windows.
func (in *Inferrer) SetClock(now func() time.Time) { in.now = now }
