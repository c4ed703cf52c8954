package schemaid

import (
	"testing"

	tallycatv1 "github.com/tallycat/tallycat/gen/tallycat/v1"
)

// TestAPINumbersRoundTrip holds the ingest's writing and the catalog's
// reading of signals and sources to one another: every source a signal
// has comes back as itself, and one it has not is unspecified.
func TestAPINumbersRoundTrip(t *testing.T) {
	has := map[Signal][]Source{Metric: {Own}, Span: {Own, Event, Link}, Log: {Own, Body, Severity}}
	for sig, sources := range has {
		if got := SignalFromAPI(sig.API()); got != sig {
			t.Errorf("%s: round trip gives %s", sig, got)
		}
		for _, src := range []Source{Own, Event, Link, Body, Severity} {
			api := APISource(sig, src)
			allowed := false
			for _, s := range sources {
				allowed = allowed || s == src
			}
			if !allowed {
				if api != tallycatv1.FieldSource_FIELD_SOURCE_UNSPECIFIED {
					t.Errorf("%s %s: API source %s, want unspecified", sig, src, api)
				}
				continue
			}
			if back, ok := SourceFromAPI(api); !ok || back != src {
				t.Errorf("%s %s: API source %s reads back as %s, %v", sig, src, api, back, ok)
			}
		}
	}
	if SignalFromAPI(tallycatv1.Signal_SIGNAL_UNSPECIFIED) != Metric {
		t.Error("an unspecified signal is not a metric's")
	}
	for _, src := range []tallycatv1.FieldSource{tallycatv1.FieldSource_FIELD_SOURCE_RESOURCE, tallycatv1.FieldSource_FIELD_SOURCE_SCOPE} {
		if _, ok := SourceFromAPI(src); ok {
			t.Errorf("%s reads as a shape's source", src)
		}
	}
}
